// The pages stay small (kiosks and TVs are cheap hardware): the built
// JavaScript each page loads at start, gzipped, is within its budget —
// kiosk 60 KB, counter 60 KB, display 40 KB, book 40 KB. Runs scripts/check-bundle-size.mjs
// on dist/ (the test runner builds the pages first), and checks the script
// itself on a made-up build that is over budget.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyOfDist } from '../helpers/browser.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-bundle-size.mjs');

function check(distDir?: string) {
  const r = spawnSync(process.execPath, [SCRIPT, ...(distDir ? [distDir] : [])], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function figure(out: string, page: string): number {
  const m = new RegExp(`^(ok  |OVER) ${page}\\s+([\\d.]+) KB gzip of ([\\d.]+) KB budget`, 'm').exec(out);
  if (!m) throw new Error(`no figure for ${page} in:\n${out}`);
  return Number(m[2]);
}

describe('page size budgets', () => {
  it('keeps each built page within its gzipped JavaScript budget', async () => {
    expect(existsSync(path.join(ROOT, 'dist', 'kiosk', 'index.html')), 'dist/ is built (npx vite build)').toBe(true);
    const copy = await copyOfDist('kiosk', 'counter', 'display', 'book');
    let result: ReturnType<typeof check>;
    try {
      result = check(copy);
    } finally {
      await rm(path.dirname(copy), { recursive: true, force: true });
    }
    const { status, out } = result;
    console.log(out);
    expect(status, out).toBe(0);
    expect(figure(out, 'kiosk')).toBeLessThanOrEqual(60);
    expect(figure(out, 'counter')).toBeLessThanOrEqual(60);
    expect(figure(out, 'display')).toBeLessThanOrEqual(40);
    expect(figure(out, 'track')).toBeLessThanOrEqual(25);
    expect(figure(out, 'admin')).toBeLessThanOrEqual(80);
    expect(figure(out, 'book')).toBeLessThanOrEqual(40);
    expect(figure(out, 'survey')).toBeLessThanOrEqual(60);
    // The socket client and Svelte are counted: a page cannot be smaller than they are.
    expect(figure(out, 'kiosk')).toBeGreaterThan(20);
  });

  it('follows the script, modulepreload links and static imports, and fails a page over budget', async () => {
    const dist = await mkdtemp(path.join(tmpdir(), 'giliran-dist-'));
    try {
      await mkdir(path.join(dist, 'assets'));
      // Random text barely compresses: 80 KB of it is well over a 40 KB budget once gzipped.
      const heavy = `export const x="${randomBytes(60 * 1024).toString('base64')}";`;
      await writeFile(path.join(dist, 'assets', 'shared.js'), 'export const s=1;');
      await writeFile(path.join(dist, 'assets', 'nested.js'), heavy);
      await writeFile(path.join(dist, 'assets', 'lazy.js'), heavy);
      await writeFile(path.join(dist, 'assets', 'page.js'), 'import"./nested.js";import{s}from"./shared.js";const later=()=>import("./lazy.js");');
      for (const page of ['kiosk', 'counter', 'display', 'track', 'admin', 'book', 'survey']) {
        await mkdir(path.join(dist, page));
        const script = page === 'display' ? '/assets/page.js' : '/assets/shared.js';
        await writeFile(
          path.join(dist, page, 'index.html'),
          `<!doctype html><html><head><script type="module" crossorigin src="${script}"></script><link rel="modulepreload" crossorigin href="/assets/shared.js"><link rel="stylesheet" href="/assets/x.css"></head></html>`,
        );
      }
      const { status, out } = check(dist);
      expect(status, out).toBe(1);
      expect(out).toMatch(/^OVER display/m);
      expect(out).toMatch(/^ok   kiosk/m);
      expect(out).toContain('assets/nested.js');
      expect(out).not.toContain('assets/lazy.js');
      expect(figure(out, 'display')).toBeGreaterThan(40);
    } finally {
      await rm(dist, { recursive: true, force: true });
    }
  });

  it('says so when the pages are not built', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'giliran-dist-'));
    try {
      const { status, out } = check(empty);
      expect(status).toBe(2);
      expect(out).toContain('npm run build');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
