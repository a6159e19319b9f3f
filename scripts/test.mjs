#!/usr/bin/env node
// Runs every check: type check, page build, all Vitest suites (unit,
// integration, browser). Prints "N passed, N failed" as its last line, from
// Vitest's JSON report (CI reads that line).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const report = '.vitest-report.json';
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env }).status ?? 1;
let extraFailed = 0;

console.log('» type check');
if (run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) !== 0) extraFailed += 1;
if (run('npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error', '--output', 'human']) !== 0) extraFailed += 1;
console.log('» build pages');
if (run('node', ['scripts/build.mjs']) !== 0) extraFailed += 1;

console.log('» tests');
rmSync(report, { force: true });
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
let passed = 0;
let failed = extraFailed;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  // A suite that failed to load has no tests counted: count it as a failure.
  failed += (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
} else {
  failed += 1;
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
