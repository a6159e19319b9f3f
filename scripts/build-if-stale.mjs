#!/usr/bin/env node
// `npm start` runs this before scripts/run-server.sh: it builds (scripts/build.mjs)
// only when dist/ or dist-server/ is missing or older than a source file, so a
// restart serves at once (the build takes ~12 s, the check a few ms).
// Sources: every file under the top-level folders but those below, and the
// root files the build reads. `--check` prints "fresh" or "stale: <file>" and
// exits 0 or 1 without building.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NOT_SOURCES = new Set(['node_modules', 'dist', 'dist-server', 'data', 'test', 'bench', 'tools', '.git', 'docs']);
const ROOT_FILES = ['index.html', 'vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** The newest source file under `dir` newer than `than`, or null. Stops at the first found. */
function newerIn(dir, than) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const found = newerIn(p, than);
      if (found) return found;
    } else if (e.isFile() && (mtime(p) ?? 0) > than) return p;
  }
  return null;
}

/** Why the build must run (a missing output or a newer source), or null when dist/ and dist-server/ are up to date. */
export function staleReason(root) {
  const outputs = [path.join(root, 'dist', 'index.html'), path.join(root, 'dist-server', 'main.mjs')];
  const times = outputs.map(mtime);
  const missing = outputs.find((_o, i) => times[i] === null);
  if (missing) return `missing ${path.relative(root, missing)}`;
  // The pages are built first, the server last: the oldest output is the build's start.
  const built = Math.min(...times);
  for (const f of ROOT_FILES) if ((mtime(path.join(root, f)) ?? 0) > built) return `newer ${f}`;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || NOT_SOURCES.has(e.name) || e.name.startsWith('.')) continue;
    const found = newerIn(path.join(root, e.name), built);
    if (found) return `newer ${path.relative(root, found)}`;
  }
  return null;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const reason = staleReason(root);
  if (process.argv.includes('--check')) {
    console.log(reason ? `stale: ${reason}` : 'fresh');
    process.exit(reason ? 1 : 0);
  }
  if (reason) {
    console.log(`giliran: building (${reason})`);
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
    process.exit(r.status ?? 1);
  }
}
