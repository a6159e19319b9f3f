// The tracking page's addresses (server/app.ts): /t/<office>/<day>/<number> is
// the page (no-cache), /t/sw.js its service worker with scope /t/, workers
// allowed by the CSP, and assets sent gzipped from their .gz twins.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let dist: string;
const SCRIPT = 'console.log("the tracking page");'.repeat(20);

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'giliran-track-dist-'));
  await mkdir(path.join(dist, 'track'));
  await mkdir(path.join(dist, 'assets'));
  await writeFile(path.join(dist, 'track', 'index.html'), '<!doctype html><title>track</title><script type="module" src="/assets/track-x.js"></script>');
  await writeFile(path.join(dist, 'track', 'sw.js'), 'self.addEventListener("fetch", () => {});');
  await writeFile(path.join(dist, 'assets', 'track-x.js'), SCRIPT);
  await writeFile(path.join(dist, 'assets', 'track-x.js.gz'), gzipSync(SCRIPT));
  await writeFile(path.join(dist, 'assets', 'plain.js'), 'export {};');
  srv = await startServer({ settings: { distDir: dist } });
});
afterAll(async () => {
  await srv?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('the tracking page routes', () => {
  it('serves the page for a ticket address, with or without a key, never cached stale', async () => {
    for (const p of ['/t/kupang/2026-11-23/A001', '/t/kupang/2026-11-23/A001?k=abc', '/t/kupang/2026-11-23/B012/']) {
      const res = await fetch(srv.url + p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>track</title>');
    }
    expect((await fetch(`${srv.url}/t/kupang/A001`)).status).toBe(404);
    expect((await fetch(`${srv.url}/t/kupang/2026-11-23/A001/extra`)).status).toBe(404);
  });

  it('serves the service worker at /t/sw.js, scope /t/, checked on every visit; the CSP allows it', async () => {
    const res = await fetch(`${srv.url}/t/sw.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('service-worker-allowed')).toBe('/t/');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("worker-src 'self'");
  });

  it('sends an asset gzipped when the browser accepts it and a .gz twin exists', async () => {
    const res = await fetch(`${srv.url}/assets/track-x.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript|^application\/javascript/);
    expect(res.headers.get('vary')).toContain('Accept-Encoding');
    expect(await res.text()).toBe(SCRIPT); // fetch inflates it
    const raw = await fetch(`${srv.url}/assets/track-x.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(raw.headers.get('content-encoding')).toBeNull();
    expect(await raw.text()).toBe(SCRIPT);
    const plain = await fetch(`${srv.url}/assets/plain.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
  });
});
