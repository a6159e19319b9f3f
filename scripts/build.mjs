#!/usr/bin/env node
// Builds every page with the one Vite config, one page at a time, into dist/.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const pages = ['index', 'kiosk', 'counter', 'display'];
const extra = process.argv.slice(2);
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
for (const page of pages) {
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', ...extra], { stdio: 'inherit', env: { ...process.env, GILIRAN_PAGE: page } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
console.log(`built ${pages.join(', ')} into dist/`);
