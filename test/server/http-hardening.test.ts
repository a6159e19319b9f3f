// HTTP-level hardening (issue 15): signed-in answers are never cached, a
// DNS-rebinding page (a foreign Host pointed at 127.0.0.1) is no trusted
// loopback screen over REST or sockets, and the QR images are cached by
// content, size-limited and rate-limited per address.
import { request as httpRequest } from 'node:http';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QR_MAX_BYTES, QR_RENDERS_PER_MINUTE, QR_REQUESTS_PER_MINUTE } from '../../server/http/kiosk.ts';
import { connectOutcome, login, request, startServer, type TestServer } from '../helpers/server.ts';

const OFFICE = '/api/v1/offices/kupang';

/** A request with a Host header of our choosing (fetch does not let one set it). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const url = new URL(path, base);
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: { ...headers, ...(text ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } : {}) } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => {
          let parsed: unknown = data;
          try {
            parsed = JSON.parse(data);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('Cache-Control on API answers', () => {
  let srv: TestServer;
  let supervisor: string;
  let admin: string;
  beforeAll(async () => {
    srv = await startServer({ settings: { trustLoopbackDevices: false } });
    supervisor = await login(srv.url, 'supervisor');
    admin = await login(srv.url, 'admin');
  });
  afterAll(async () => srv?.close());

  it('answers no-store to the session, queue, audit, metrics and device list', async () => {
    const signIn = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas1', password: 'rahasia-demo-123' } });
    expect(signIn.headers.get('cache-control')).toBe('no-store');
    for (const [path, cookie] of [
      ['/api/v1/session', supervisor],
      [`${OFFICE}/queue`, supervisor],
      [`${OFFICE}/audit`, supervisor],
      ['/api/v1/metrics', supervisor],
      ['/api/v1/devices', admin],
    ] as const) {
      const res = await request(srv.url, 'GET', path, { cookie });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    const refused = await request(srv.url, 'GET', `${OFFICE}/queue`);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });
});

describe('Host allow-list (DNS rebinding)', () => {
  let srv: TestServer;
  let supervisor: string;
  let port: string;
  beforeAll(async () => {
    srv = await startServer({ settings: { trustLoopbackDevices: true, allowedHosts: ['antrian.kantor'] } });
    srv.giliran.queue.stopTimers();
    supervisor = await login(srv.url, 'supervisor');
    port = new URL(srv.url).port;
  });
  afterAll(async () => srv?.close());

  const version = async () => (await request(srv.url, 'GET', `${OFFICE}/queue`, { cookie: supervisor })).body.version as number;

  it('trusts a loopback screen that names this server', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `antrian.kantor:${port}`]) {
      const me = await rawRequest(srv.url, 'GET', '/api/v1/devices/me', { host });
      expect(me.status, host).toBe(200);
      expect(me.body.loopback).toBe(true);
    }
  });

  it('does not trust a loopback request for a foreign Host, and it cannot issue a ticket', async () => {
    const before = await version();
    const me = await rawRequest(srv.url, 'GET', '/api/v1/devices/me', { host: `evil.example:${port}` });
    expect(me.body.error.code).toBe('device_not_paired');
    const read = await rawRequest(srv.url, 'GET', `${OFFICE}/queue`, { host: `evil.example:${port}` });
    expect(read.status).toBe(401);
    // Without an Origin (curl, a same-origin fetch) the request is simply not trusted…
    const issue = await rawRequest(srv.url, 'POST', `${OFFICE}/tickets`, { host: `evil.example:${port}` }, { service: 'informasi' });
    expect(issue.status).toBe(401);
    expect(issue.body.error.code).toBe('unauthenticated');
    expect(typeof issue.body.error.message.id).toBe('string');
    // …and with the browser's Origin it is refused as another origin.
    const fromPage = await rawRequest(srv.url, 'POST', `${OFFICE}/tickets`, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }, { service: 'informasi' });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body.error.code).toBe('bad_origin');
    expect(await version()).toBe(before);
  });

  it('refuses an Origin that names another host even when Host agrees with it', async () => {
    const res = await rawRequest(srv.url, 'POST', '/api/v1/session', { host: `rebind.example:${port}`, origin: `http://rebind.example:${port}` }, { username: 'petugas1', password: 'x' });
    expect(res.body.error.code).toBe('bad_origin');
    const ok = await rawRequest(srv.url, 'POST', `${OFFICE}/tickets`, { host: `antrian.kantor:${port}`, origin: `http://antrian.kantor:${port}` }, { service: 'informasi' });
    expect(ok.status).toBe(201);
  });

  it('does not accept a socket for a foreign Host as a loopback kiosk', async () => {
    const evil = io(`${srv.url}/kiosk`, { auth: { office: 'kupang' }, transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { host: `evil.example:${port}` } });
    expect(await connectOutcome(evil)).toBe('device_not_paired');
    evil.close();
    const withOrigin = io(`${srv.url}/display`, { auth: { office: 'kupang' }, transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { host: `evil.example:${port}`, origin: `http://evil.example:${port}` } });
    expect(await connectOutcome(withOrigin)).toBe('bad_origin');
    withOrigin.close();
    const own = io(`${srv.url}/kiosk`, { auth: { office: 'kupang' }, transports: ['websocket'], forceNew: true, reconnection: false });
    expect(await connectOutcome(own)).toBe('connected');
    own.close();
  });
});

describe('QR images', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => srv?.close());

  const qr = (data: string) => request(srv.url, 'GET', `/api/v1/qr.svg?data=${encodeURIComponent(data)}`);

  it('refuses a payload over the size limit', async () => {
    const res = await qr('x'.repeat(QR_MAX_BYTES + 1));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
  });

  it('draws each payload once: repeats are answered from the cache, new ones are rate-limited per address', async () => {
    const first = await qr('https://antrian.example/t/kupang/2026-12-01/A001');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(String(first.body)).toContain('<svg');
    // Far more repeats of one payload than drawings allowed: all served, all the same image.
    const repeats = await Promise.all(Array.from({ length: QR_RENDERS_PER_MINUTE * 2 }, () => qr('https://antrian.example/t/kupang/2026-12-01/A001')));
    for (const r of repeats) {
      expect(r.status).toBe(200);
      expect(r.body).toBe(first.body);
    }
    // New payloads: one drawing was used above, so QR_RENDERS_PER_MINUTE - 1 more, then 429.
    const fresh = await Promise.all(Array.from({ length: QR_RENDERS_PER_MINUTE }, (_, i) => qr(`https://antrian.example/t/kupang/2026-12-01/B${String(i).padStart(3, '0')}`)));
    const codes = fresh.map((r) => r.status);
    expect(codes.filter((c) => c === 200).length).toBe(QR_RENDERS_PER_MINUTE - 1);
    const refused = fresh.find((r) => r.status === 429);
    expect(refused?.body.error.code).toBe('rate_limited');
    // A cached payload is still served.
    expect((await qr('https://antrian.example/t/kupang/2026-12-01/A001')).status).toBe(200);
  });

  it('limits all QR answers per address', async () => {
    const seen: number[] = [];
    for (let batch = 0; batch < QR_REQUESTS_PER_MINUTE / 50 + 1; batch++) {
      const res = await Promise.all(Array.from({ length: 50 }, () => qr('https://antrian.example/t/kupang/2026-12-01/A001')));
      seen.push(...res.map((r) => r.status));
    }
    expect(seen.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s === 200).length).toBeLessThanOrEqual(QR_REQUESTS_PER_MINUTE);
  });
});
