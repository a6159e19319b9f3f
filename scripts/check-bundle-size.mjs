#!/usr/bin/env node
// Checks each page's JavaScript against its gzip budget, after `npm run build`:
// follows the page's index.html (module script + modulepreload links) and the
// static imports inside those files, gzips each file once, and fails when a
// page's total is over budget. Prints the figures either way.
//
//   node scripts/check-bundle-size.mjs [distDir]     exit 1 when over budget
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Budgets in KB (1024 bytes) of gzipped JavaScript per page: kiosks and TVs are cheap hardware, phones pay for their data.
 * The admin console counts its first screen only (entry chunk and its static imports); its
 * sections are dynamic imports, loaded when opened.
 */
export const BUDGETS_KB = { kiosk: 60, counter: 60, display: 40, track: 25, admin: 80, book: 40, survey: 60 };

/** Script and modulepreload URLs of a built page's index.html. */
export function entryScripts(html) {
  const urls = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
    if (/^<script/i.test(tag) && attr('src')) urls.push(attr('src'));
    else if (/^<link/i.test(tag) && attr('rel')?.split(/\s+/).includes('modulepreload') && attr('href')) urls.push(attr('href'));
  }
  return urls.filter((u) => !/^(https?:)?\/\//i.test(u));
}

/** Relative static imports inside a built chunk (`import"./x.js"`, `from"./x.js"`); dynamic imports load later and are not counted. */
export function staticImports(code) {
  const out = [];
  for (const m of code.matchAll(/(?:\bimport|\bfrom)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) out.push(m[1]);
  return out;
}

/** Measures one page: every JS file it loads at start, gzipped. */
export function measurePage(distDir, page) {
  const htmlFile = path.join(distDir, page, 'index.html');
  if (!existsSync(htmlFile)) throw new Error(`${htmlFile} is missing: run \`npm run build\` first`);
  const html = readFileSync(htmlFile, 'utf8');
  const seen = new Map();
  const queue = entryScripts(html).map((u) => (u.startsWith('/') ? path.join(distDir, u) : path.resolve(path.dirname(htmlFile), u)));
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file) || !file.endsWith('.js')) continue;
    if (!existsSync(file)) throw new Error(`${page}: ${path.relative(distDir, file)} is referenced but missing`);
    const code = readFileSync(file);
    seen.set(file, { raw: code.length, gzip: gzipSync(code, { level: 9 }).length });
    for (const rel of staticImports(code.toString('utf8'))) queue.push(path.resolve(path.dirname(file), rel));
  }
  const files = [...seen].map(([file, size]) => ({ file: path.relative(distDir, file), ...size }));
  return { page, files, raw: files.reduce((n, f) => n + f.raw, 0), gzip: files.reduce((n, f) => n + f.gzip, 0) };
}

export function checkBundles(distDir, budgets = BUDGETS_KB) {
  return Object.entries(budgets).map(([page, kb]) => {
    const m = measurePage(distDir, page);
    return { ...m, budget: kb * 1024, ok: m.gzip <= kb * 1024 };
  });
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const distDir = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
  let results;
  try {
    results = checkBundles(distDir);
  } catch (err) {
    console.error(`check-bundle-size: ${err.message}`);
    process.exit(2);
  }
  for (const r of results) {
    console.log(`${r.ok ? 'ok  ' : 'OVER'} ${r.page.padEnd(8)} ${kb(r.gzip).padStart(9)} gzip of ${kb(r.budget)} budget (${kb(r.raw)} raw, ${r.files.length} files)`);
    for (const f of r.files) console.log(`       ${f.file.padEnd(44)} ${kb(f.gzip).padStart(9)} gzip`);
  }
  const over = results.filter((r) => !r.ok);
  if (over.length > 0) {
    console.error(`check-bundle-size: over budget: ${over.map((r) => r.page).join(', ')}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
