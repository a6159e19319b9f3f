// Shared helpers for the benchmarks: starting the real server (or a baseline
// server) in its own child process, temp data folders, small HTTP helpers,
// statistics and per-process CPU/RSS readings. Every address is 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const HOST = '127.0.0.1';
export const DEMO_PASSWORD = 'bench-demo-password-123';
export const OFFICE = 'kupang';
/** Services of the demo office and their ticket letters. */
export const SERVICES = ['informasi', 'ktp-el', 'kk', 'akta', 'kia', 'pindah-datang', 'perubahan-data'] as const;

/** High-resolution wall clock comparable across processes on this machine (ms). */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------- arguments

export interface BenchArgs {
  quick: boolean;
  rounds: number | null;
  flags: Map<string, string>;
}

/** `--quick`, `--rounds N` and any `--name value` / `--name=value`. */
export function parseArgs(argv = process.argv.slice(2)): BenchArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !(argv[i + 1] ?? '').startsWith('--')) flags.set(a.slice(2), argv[++i] ?? '');
    else flags.set(a.slice(2), 'true');
  }
  const rounds = flags.has('rounds') ? Number(flags.get('rounds')) : null;
  return { quick: flags.get('quick') === 'true', rounds, flags };
}

export function numFlag(args: BenchArgs, name: string, dflt: number): number {
  const v = args.flags.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

// ---------------------------------------------------------------- statistics

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  // Nearest-rank: the smallest value with at least q of the sample at or below it.
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[idx] as number;
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
export const p99 = (v: readonly number[]): number => quantile(v, 0.99);

export function round(n: number, digits = 2): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The round whose `key` is the median of all rounds (lower middle for an even count). */
export function medianRound<T>(rounds: readonly T[], key: (r: T) => number): T {
  const sorted = [...rounds].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

// ---------------------------------------------------------------- processes

const children = new Set<ChildProcess>();
let exitHooked = false;

/** Kills (SIGKILL) every child this process started and has not yet seen exit. */
export function killAllChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', killAllChildren);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        killAllChildren();
        process.exit(130);
      });
    }
  }
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** ms from spawn until the URL line was printed. */
  startMs: number;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/**
 * Spawns `node [--cpu-prof...] --import tsx <script>` (plain `node <script>`
 * with `tsx: false`) in ROOT and resolves once a stdout line contains
 * `http://127.0.0.1:<port>`.
 */
export function spawnScript(script: string, opts: { env?: Record<string, string>; args?: string[]; nodeArgs?: string[]; timeoutMs?: number; label?: string; tsx?: boolean } = {}): Promise<Child> {
  const label = opts.label ?? path.basename(script);
  const t0 = performance.now();
  const loader = opts.tsx === false ? [] : ['--import', 'tsx'];
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...loader, script, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(proc);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise<Child>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      proc.kill('SIGKILL');
      reject(new Error(`${label}: no URL line within ${opts.timeoutMs ?? 30_000} ms\nstdout: ${stdout.join('\n')}\nstderr: ${stderr.join('\n')}`));
    }, opts.timeoutMs ?? 30_000);
    let outBuf = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      outBuf += chunk;
      let nl: number;
      while ((nl = outBuf.indexOf('\n')) >= 0) {
        const line = outBuf.slice(0, nl);
        outBuf = outBuf.slice(nl + 1);
        if (stdout.length < 200) stdout.push(line);
        // BENCH_SERVER_STDOUT=<file>: keep all of a child's output (with --trace-gc, say).
        if (process.env.BENCH_SERVER_STDOUT) appendFileSync(process.env.BENCH_SERVER_STDOUT, `[${label} ${proc.pid}] ${line}\n`);
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
        if (m && !done) {
          done = true;
          clearTimeout(timer);
          const port = Number(m[1]);
          const child: Child = {
            proc,
            pid: proc.pid ?? -1,
            port,
            url: `http://${HOST}:${port}`,
            startMs: performance.now() - t0,
            stdout,
            stderr,
            exited,
            async stop(graceMs = 5_000) {
              if (proc.exitCode !== null || proc.signalCode !== null) return;
              proc.kill('SIGTERM');
              const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
              await exited;
              clearTimeout(t);
            },
            async kill() {
              if (proc.exitCode !== null || proc.signalCode !== null) return;
              proc.kill('SIGKILL');
              await exited;
            },
          };
          resolve(child);
        }
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 200) stderr.push(chunk.trimEnd());
      if (process.env.BENCH_VERBOSE) process.stderr.write(`[${label}] ${chunk}`);
    });
    void exited.then(({ code, signal }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before listening\nstdout: ${stdout.join('\n')}\nstderr: ${stderr.join('\n')}`));
    });
  });
}

export interface DataDir {
  dir: string;
  configFile: string;
  remove(): Promise<void>;
}

/** A fresh temp data folder plus a settings file that keeps rate limits out of the way. */
export async function makeDataDir(prefix = 'giliran-bench-'): Promise<DataDir> {
  const base = await mkdtemp(path.join(tmpdir(), prefix));
  const dir = path.join(base, 'data');
  const configFile = path.join(base, 'settings.json');
  // ticketsPerDevicePerMinute: every bench kiosk socket is the same loopback demo device, so one
  // limiter key takes the whole load (issue-throughput: thousands per second). 1_000_000/min is
  // 16,667/s; server/settings.ts accepts up to 10_000_000.
  await writeFile(configFile, JSON.stringify({ ticketsPerDevicePerMinute: 1_000_000, loginAttempts: 1000 }));
  return { dir, configFile, remove: () => rm(base, { recursive: true, force: true }) };
}

/**
 * Starts the real server in a child process on a free port, as production runs
 * it: the bundle `dist-server/main.mjs` that `npm run build` makes (`npm start`
 * runs that). BENCH_SERVER_ENTRY names another bundle; BENCH_SERVER_ENTRY=tsx,
 * or no bundle built, runs the sources with `node --import tsx server/main.ts`.
 */
export function startGiliran(data: DataDir, opts: { nodeArgs?: string[]; env?: Record<string, string>; label?: string } = {}): Promise<Child> {
  const bundle = path.join(ROOT, 'dist-server', 'main.mjs');
  const chosen = process.env.BENCH_SERVER_ENTRY ?? (existsSync(bundle) ? bundle : 'tsx');
  const entry = chosen === 'tsx' ? undefined : chosen;
  return spawnScript(entry ? path.resolve(entry) : 'server/main.ts', {
    tsx: !entry,
    label: opts.label ?? 'giliran',
    // BENCH_SERVER_NODE_ARGS: extra flags for a diagnosis (e.g. --trace-gc), after production's.
    nodeArgs: [...productionNodeFlags(), ...(process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), ...(opts.nodeArgs ?? [])],
    env: {
      PORT: '0',
      HOST,
      GILIRAN_DATA: data.dir,
      GILIRAN_CONFIG: data.configFile,
      GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD,
      GILIRAN_LOG_LEVEL: 'warn',
      ...opts.env,
    },
  });
}

/**
 * The node flags production starts the office box's server with: read from
 * scripts/run-server.sh, their one home (FLAGS, then BOX_FLAGS, which
 * `--central` leaves out). BENCH_RUN_SERVER_SH names another copy of that
 * script, e.g. an older checkout's, to measure a before/after in one session.
 */
export function productionNodeFlags(): string[] {
  const script = readFileSync(process.env.BENCH_RUN_SERVER_SH ?? path.join(ROOT, 'scripts', 'run-server.sh'), 'utf8');
  const line = /^FLAGS="([^"]*)"/m.exec(script);
  if (!line) throw new Error('scripts/run-server.sh: no FLAGS="…" line');
  const box = /^BOX_FLAGS="([^"]*)"/m.exec(script);
  return `${line[1] ?? ''} ${box?.[1] ?? ''}`.split(/\s+/).filter((f) => f.startsWith('--'));
}

/**
 * Extra node flags for a server child when BENCH_CPU_PROF=<dir> is set: a CPU
 * profile per thread in <dir>/<name>/ (no --cpu-prof-name: with tsx the module
 * loader thread would overwrite the main thread's profile under the same name;
 * the main thread's file is the larger one).
 */
export function profFlags(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  // BENCH_CPU_PROF_INTERVAL: the sampling interval in µs (V8's default 1000 gives one sample a millisecond: too coarse for a 1 s rush).
  const interval = process.env.BENCH_CPU_PROF_INTERVAL;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, name)}`, ...(interval ? [`--cpu-prof-interval=${Number(interval)}`] : [])] : [];
}

// ---------------------------------------------------------------- /proc readings

/** Resident set size of a process in MB (VmRSS), or NaN. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const CLK_TCK = 100;

/** CPU time (user + system) a process has used, in ms, or NaN. */
export function cpuMs(pid: number, thread?: number): number {
  try {
    // One thread's (/proc/PID/task/TID: the main thread's TID is the PID, the event loop's), or the whole process's.
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** CPU use of some processes over a window, as % of one core. */
export class CpuMeter {
  #t0 = performance.now();
  #c0: number[];
  constructor(private readonly pids: number[]) {
    this.#c0 = pids.map(cpuMs);
  }
  read(): number[] {
    const dt = performance.now() - this.#t0;
    return this.pids.map((pid, i) => (100 * (cpuMs(pid) - (this.#c0[i] ?? 0))) / dt);
  }
}

/** Share of the last 10 s / 60 s in which some runnable task waited for a CPU (Linux PSI), or null. */
export function cpuPressure(): { avg10: number; avg60: number } | null {
  try {
    const m = /some avg10=([\d.]+) avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? { avg10: Number(m[1]), avg60: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

/** The commit the server code was at, with `+dirty` when server/ or protocol/ have uncommitted changes. */
export function codeVersion(): string {
  try {
    const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    const dirty = spawnSync('git', ['status', '--porcelain', '--', 'server', 'protocol'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    return head ? `${head}${dirty ? '+dirty' : ''}` : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What the figures were measured on, including how busy the machine was (other people's work). */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    loadavg: loadavg().map((l) => round(l, 2)),
    cpuPressure: cpuPressure(),
    server: serverDescription(),
    code: codeVersion(),
  };
}

export function machineLine(): string {
  const p = cpuPressure();
  return `machine: ${cpus().length} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}${p ? `, cpu pressure avg10 ${p.avg10}% avg60 ${p.avg60}%` : ''}; server code ${codeVersion()}`;
}

// ---------------------------------------------------------------- HTTP

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = any>(base: string, method: string, p: string, opts: { body?: unknown; cookie?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + p, { method, headers, body, ...(opts.signal ? { signal: opts.signal } : {}) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** Signs in and returns the Cookie header value. */
export async function login(base: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await request(base, 'POST', '/api/v1/session', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

// ---------------------------------------------------------------- output

/** The last line of every bench: one JSON object (bench/run.ts reads it). */
export function printSummary(summary: Record<string, unknown>): void {
  console.log(JSON.stringify(summary));
}

export function table(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v: string | number | undefined) => (typeof v === 'number' ? fmt(v) : (v ?? ''));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padStart(width[i] ?? 0)).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

function serverDescription(): string {
  const bundle = path.join(ROOT, 'dist-server', 'main.mjs');
  const chosen = process.env.BENCH_SERVER_ENTRY ?? (existsSync(bundle) ? bundle : 'tsx');
  const flags = productionNodeFlags().join(' ');
  return chosen === 'tsx' ? `node ${flags} --import tsx server/main.ts` : `node ${flags} ${path.relative(ROOT, path.resolve(chosen))}`;
}
