// Real Chromium (Debian's package) driven by playwright-core.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ARTIFACTS = path.resolve(import.meta.dirname, '..', 'artifacts');

export async function launchBrowser(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export function artifact(name: string): string {
  return path.join(ARTIFACTS, name);
}

/**
 * A private copy of the built pages, once `page`'s HTML and assets are all
 * there: a build running meanwhile (it empties dist/ first) must not pull a
 * page from under the browser in the middle of a test.
 */
export async function copyOfDist(page: string): Promise<string> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const dir = path.join(await mkdtemp(path.join(tmpdir(), `giliran-${page}-dist-`)), 'dist');
  for (let attempt = 0; ; attempt++) {
    await rm(dir, { recursive: true, force: true });
    await cp(path.join(root, 'dist'), dir, { recursive: true }).catch(() => undefined);
    const html = await readFile(path.join(dir, page, 'index.html'), 'utf8').catch(() => '');
    const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => path.join(dir, m[1]!));
    if (html && assets.every((f) => existsSync(f))) return dir;
    if (attempt >= 20) throw new Error(`dist/ has no complete ${page} page: run \`npm run build\` first`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
