// How long a call takes to reach every screen: N display clients (socket.io,
// websocket transport, namespace /display) spread over W forked client
// processes (bench/support/display-clients.ts), while a clerk works counter 4
// over REST (issue → call-next → finish per cycle; only the call-next deltas
// are measured). Latency per client per call = receive instant (client) − the
// instant just before the clerk's call-next request was sent (this process),
// both `performance.timeOrigin + performance.now()`.
// Baseline in the same run: bench/support/raw-ws-server.ts broadcasting a frame
// of the same byte size as the real delta frame to the same number of raw ws
// clients (in the same client processes), timed the same way from just before
// the HTTP request that triggers it. Rounds alternate which goes first.
// Also reports the Giliran server's RSS with the clients connected.
// Goals: p50 and p99 within 1.5× raw; RSS ≤ 150 MB.
//
//   tsx bench/broadcast-latency.ts [--quick] [--rounds 5] [--clients 1000] [--workers 2] [--calls 30] [--spacing 200] [--warmup 10]
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  OFFICE, ROOT, fmt, login, machine, machineLine, makeDataDir, median, medianRound, numFlag, p99, parseArgs, printSummary,
  profFlags, quantile, request, round, rssMb, sleep, spawnScript, startGiliran, table, track, wallNow, type Child,
} from './support/lib.ts';
import type { FromWorker, ToWorker } from './support/display-clients.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 2 : 5);
const CLIENTS = numFlag(args, 'clients', args.quick ? 200 : 1000);
const WORKERS = numFlag(args, 'workers', 2);
const CALLS = numFlag(args, 'calls', args.quick ? 8 : 30);
const SPACING_MS = numFlag(args, 'spacing', 200);
/** Unmeasured cycles on each server first (JIT, buffers). */
const WARMUP = numFlag(args, 'warmup', args.quick ? 3 : 10);
const COUNTER = '4';
const COMPLETE_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------- workers

class Worker {
  proc: ChildProcess;
  #waiters = new Map<string, Array<() => void>>();
  #completed = new Set<string>();
  #next: Array<(m: FromWorker) => void> = [];

  constructor(readonly index: number) {
    this.proc = fork(path.join(ROOT, 'bench/support/display-clients.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(this.proc);
    this.proc.on('message', (m: FromWorker) => {
      if (m.type === 'complete') {
        this.#completed.add(m.key);
        for (const w of this.#waiters.get(m.key) ?? []) w();
        this.#waiters.delete(m.key);
      } else if (m.type === 'error') {
        console.error(`display worker ${index}: ${m.message}`);
        for (const n of this.#next.splice(0)) n(m);
      } else {
        this.#next.shift()?.(m);
      }
    });
  }

  request<T extends FromWorker['type']>(msg: ToWorker, reply: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#next.push((m) => (m.type === reply ? resolve(m as Extract<FromWorker, { type: T }>) : reject(new Error(JSON.stringify(m)))));
      this.proc.send(msg);
    });
  }

  /** Resolves true once every client of this worker has `key`, false on timeout. */
  complete(key: string, timeoutMs = COMPLETE_TIMEOUT_MS): Promise<boolean> {
    if (this.#completed.has(key)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      const list = this.#waiters.get(key) ?? [];
      list.push(() => {
        clearTimeout(t);
        resolve(true);
      });
      this.#waiters.set(key, list);
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.send({ type: 'close' } satisfies ToWorker);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
  }
}

async function allComplete(workers: Worker[], key: string): Promise<boolean> {
  const r = await Promise.all(workers.map((w) => w.complete(key)));
  return r.every(Boolean);
}

// ---------------------------------------------------------------- one round

interface RoundResult {
  target: 'giliran' | 'raw';
  round: number;
  samples: number;
  missing: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Median over calls of (last receive − first receive): the fan-out time. */
  spreadP50: number;
  /** Median over calls of (first receive − send). */
  firstP50: number;
  /** Median time until the HTTP response to the triggering request. */
  httpP50: number;
}

function summariseRound(target: RoundResult['target'], roundNo: number, sends: Map<string, number>, http: number[], recv: Record<string, number[]>, expectedPerKey: number): RoundResult {
  const lat: number[] = [];
  const spreads: number[] = [];
  const firsts: number[] = [];
  let missing = 0;
  for (const [key, sent] of sends) {
    const times = recv[key] ?? [];
    missing += Math.max(0, expectedPerKey - times.length);
    if (times.length === 0) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of times) {
      lat.push(t - sent);
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    spreads.push(hi - lo);
    firsts.push(lo - sent);
  }
  return {
    target,
    round: roundNo,
    samples: lat.length,
    missing,
    p50: median(lat),
    p90: quantile(lat, 0.9),
    p99: p99(lat),
    max: lat.reduce((a, b) => Math.max(a, b), -Infinity),
    spreadP50: median(spreads),
    firstP50: median(firsts),
    httpP50: median(http),
  };
}

async function collect(workers: Worker[]): Promise<{ recv: Record<string, number[]>; samples: Record<string, string>; disconnects: number }> {
  const parts = await Promise.all(workers.map((w) => w.request({ type: 'collect' }, 'collected')));
  const recv: Record<string, number[]> = {};
  const samples: Record<string, string> = {};
  let disconnects = 0;
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.recv)) (recv[k] ??= []).push(...v);
    Object.assign(samples, p.samples);
    disconnects += p.disconnects;
  }
  return { recv, samples, disconnects };
}

interface Clerk {
  url: string;
  cookie: string;
}

async function post(clerk: Clerk, p: string, body: unknown): Promise<{ version: number; ms: number }> {
  const t0 = performance.now();
  const r = await request(clerk.url, 'POST', `/api/v1/offices/${OFFICE}${p}`, { cookie: clerk.cookie, body });
  const ms = performance.now() - t0;
  if (r.status !== 200 && r.status !== 201) throw new Error(`POST ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return { version: Number(r.body.version), ms };
}

/** One issue → call-next → finish cycle; each step waits until every client has its delta. Returns the call-next send instant, version and HTTP time. */
async function giliranCycle(clerk: Clerk, workers: Worker[], n: number): Promise<{ sent: number; key: string; httpMs: number }> {
  const issued = await post(clerk, '/tickets', { service: 'informasi', idempotencyKey: `bcast-issue-${n}-${Date.now()}` });
  await allComplete(workers, `g:${issued.version}`);
  const sent = wallNow();
  const called = await post(clerk, `/counters/${COUNTER}/call-next`, {});
  const key = `g:${called.version}`;
  await allComplete(workers, key);
  const finished = await post(clerk, `/counters/${COUNTER}/finish`, { outcome: 'done' });
  await allComplete(workers, `g:${finished.version}`);
  return { sent, key, httpMs: called.ms };
}

let rawId = 0;
async function rawBroadcast(raw: Child, workers: Worker[], bytes: number): Promise<{ sent: number; key: string; httpMs: number }> {
  const id = ++rawId;
  const sent = wallNow();
  const t0 = performance.now();
  const r = await request(raw.url, 'POST', '/broadcast', { body: { id, bytes } });
  const httpMs = performance.now() - t0;
  if (r.status !== 200) throw new Error(`raw broadcast: ${r.status}`);
  const key = `r:${id}`;
  await allComplete(workers, key);
  return { sent, key, httpMs };
}

// ---------------------------------------------------------------- main

function ulimitN(): string {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  return r.stdout.trim();
}

async function main(): Promise<void> {
  const started = performance.now();
  const perWorker = Math.ceil(CLIENTS / WORKERS);
  const clients = perWorker * WORKERS;
  const fdLimit = ulimitN();
  console.log(`broadcast-latency: ${clients} display clients in ${WORKERS} client processes, ${ROUNDS} rounds × ${CALLS} calls spaced ≥${SPACING_MS} ms`);
  console.log(machineLine());
  const fdNeeded = clients + 64;
  const fdOk = fdLimit === 'unlimited' || Number(fdLimit) >= fdNeeded;
  console.log(`ulimit -n = ${fdLimit} (each server needs ~${fdNeeded} descriptors, each client process ~${perWorker * 2 + 64}): ${fdOk ? 'enough' : 'TOO LOW — raise it (ulimit -n 4096)'}`);

  const data = await makeDataDir();
  const [giliran, raw] = await Promise.all([startGiliran(data, { nodeArgs: profFlags('broadcast') }), spawnScript('bench/support/raw-ws-server.ts', { label: 'raw-ws' })]);
  const workers: Worker[] = [];
  try {
    await sleep(500);
    const rssIdle = { giliran: rssMb(giliran.pid), raw: rssMb(raw.pid) };
    for (let i = 0; i < WORKERS; i++) workers.push(new Worker(i));
    const c0 = performance.now();
    const ready = await Promise.all(
      workers.map((w) => w.request({ type: 'connect', giliranUrl: giliran.url, rawUrl: raw.url, count: perWorker, office: OFFICE }, 'ready')),
    );
    const connectS = (performance.now() - c0) / 1000;
    const connected = ready.reduce((a, r) => a + r.giliran, 0);
    console.log(`connected ${connected} socket.io display clients and ${ready.reduce((a, r) => a + r.raw, 0)} raw ws clients in ${fmt(connectS, 1)} s`);
    await sleep(1000);
    const rssConnected = { giliran: rssMb(giliran.pid), raw: rssMb(raw.pid) };
    console.log(`RSS with clients connected: giliran ${fmt(rssConnected.giliran, 1)} MB (idle ${fmt(rssIdle.giliran, 1)} MB), raw ws ${fmt(rssConnected.raw, 1)} MB (idle ${fmt(rssIdle.raw, 1)} MB)`);

    const clerk: Clerk = { url: giliran.url, cookie: await login(giliran.url, 'petugas4') };
    // Warm-up (unmeasured): a few cycles on each, and the size of a real call delta.
    const warm: string[] = [];
    for (let i = 0; i < WARMUP; i++) warm.push((await giliranCycle(clerk, workers, -1 - i)).key);
    const warmSamples = await collect(workers);
    const sizes = warm.map((k) => warmSamples.samples[k]).filter((s): s is string => typeof s === 'string');
    const deltaJson = sizes[sizes.length - 1] ?? '{}';
    // What socket.io puts on the wire for it: `42/display,["delta",<json>]`.
    const frameBytes = Buffer.byteLength(`42/display,["delta",${deltaJson}]`);
    const deltaBytes = Buffer.byteLength(deltaJson);
    await request(raw.url, 'POST', '/template', { body: JSON.parse(deltaJson) });
    for (let i = 0; i < WARMUP; i++) await rawBroadcast(raw, workers, frameBytes);
    await collect(workers);
    console.log(`call delta: ${deltaBytes} bytes of JSON, ${frameBytes} bytes per socket.io frame; raw frames padded to ${frameBytes} bytes`);

    const results: RoundResult[] = [];
    let rssMax = rssConnected.giliran;
    for (let r = 1; r <= ROUNDS; r++) {
      const order: Array<RoundResult['target']> = r % 2 === 1 ? ['giliran', 'raw'] : ['raw', 'giliran'];
      for (const target of order) {
        const sends = new Map<string, number>();
        const http: number[] = [];
        let last = 0;
        for (let c = 0; c < CALLS; c++) {
          const wait = last + SPACING_MS - performance.now();
          if (wait > 0) await sleep(wait);
          last = performance.now();
          const one = target === 'giliran' ? await giliranCycle(clerk, workers, r * 1000 + c) : await rawBroadcast(raw, workers, frameBytes);
          sends.set(one.key, one.sent);
          http.push(one.httpMs);
        }
        const got = await collect(workers);
        const res = summariseRound(target, r, sends, http, got.recv, clients);
        results.push(res);
        rssMax = Math.max(rssMax, rssMb(giliran.pid));
        console.log(
          `  round ${r} ${target.padEnd(7)} p50 ${fmt(res.p50)} ms  p90 ${fmt(res.p90)} ms  p99 ${fmt(res.p99)} ms  max ${fmt(res.max)} ms` +
            `  first ${fmt(res.firstP50)} ms  fan-out ${fmt(res.spreadP50)} ms  http ${fmt(res.httpP50)} ms  (${res.samples} samples${res.missing ? `, ${res.missing} MISSING` : ''}${got.disconnects ? `, ${got.disconnects} disconnects` : ''})`,
        );
      }
    }
    const rssAfter = { giliran: rssMb(giliran.pid), raw: rssMb(raw.pid) };
    rssMax = Math.max(rssMax, rssAfter.giliran);

    const summarise = (target: RoundResult['target']) => {
      const rs = results.filter((x) => x.target === target);
      const mid = medianRound(rs, (x) => x.p50);
      return {
        p50Ms: round(median(rs.map((x) => x.p50))),
        p99Ms: round(median(rs.map((x) => x.p99))),
        firstMs: round(median(rs.map((x) => x.firstP50))),
        fanOutMs: round(median(rs.map((x) => x.spreadP50))),
        httpMs: round(median(rs.map((x) => x.httpP50))),
        samples: rs.reduce((a, x) => a + x.samples, 0),
        missing: rs.reduce((a, x) => a + x.missing, 0),
        medianRound: { round: mid.round, p50Ms: round(mid.p50), p99Ms: round(mid.p99) },
        rounds: rs.map((x) => ({ round: x.round, p50Ms: round(x.p50), p99Ms: round(x.p99), fanOutMs: round(x.spreadP50) })),
      };
    };
    const g = summarise('giliran');
    const w = summarise('raw');
    const ratios = { p50: round(g.p50Ms / w.p50Ms, 2), p99: round(g.p99Ms / w.p99Ms, 2), fanOut: round(g.fanOutMs / w.fanOutMs, 2) };
    // Each round's Giliran figure over the raw figure of the same round (measured back to back):
    // on a busy shared machine this is steadier than the ratio of the medians.
    const paired = (f: (x: RoundResult) => number) =>
      round(median(results.filter((x) => x.target === 'giliran').map((x) => f(x) / f(results.find((y) => y.target === 'raw' && y.round === x.round) as RoundResult))), 2);
    const pairedRatios = { p50: paired((x) => x.p50), p99: paired((x) => x.p99), fanOut: paired((x) => x.spreadP50) };
    const rss = { idleMb: round(rssIdle.giliran, 1), connectedMb: round(rssConnected.giliran, 1), maxMb: round(rssMax, 1), afterMb: round(rssAfter.giliran, 1), rawConnectedMb: round(rssConnected.raw, 1) };
    const goals = { p50Within1_5xRaw: pairedRatios.p50 <= 1.5, p99Within1_5xRaw: pairedRatios.p99 <= 1.5, rssAtMost150Mb: rss.maxMb <= 150 };
    console.log('\nMedians over rounds (latency = client receive − clerk send):');
    console.log(
      table([
        { target: 'giliran', 'p50 ms': g.p50Ms, 'p99 ms': g.p99Ms, 'first ms': g.firstMs, 'fan-out ms': g.fanOutMs, 'http ms': g.httpMs },
        { target: 'raw ws (baseline)', 'p50 ms': w.p50Ms, 'p99 ms': w.p99Ms, 'first ms': w.firstMs, 'fan-out ms': w.fanOutMs, 'http ms': w.httpMs },
      ]),
    );
    console.log(`ratios giliran/raw (of the medians): p50 ${ratios.p50}×  p99 ${ratios.p99}×  fan-out ${ratios.fanOut}×`);
    console.log(`ratios giliran/raw (median of per-round ratios; goals use these): p50 ${pairedRatios.p50}×  p99 ${pairedRatios.p99}×  fan-out ${pairedRatios.fanOut}×`);
    console.log(`Giliran RSS: idle ${rss.idleMb} MB, ${connected} clients connected ${rss.connectedMb} MB, max during calls ${rss.maxMb} MB (raw ws server: ${rss.rawConnectedMb} MB)`);
    console.log(`goals: p50 ≤ 1.5× raw ${goals.p50Within1_5xRaw ? 'MET' : 'NOT MET'}; p99 ≤ 1.5× raw ${goals.p99Within1_5xRaw ? 'MET' : 'NOT MET'}; RSS ≤ 150 MB ${goals.rssAtMost150Mb ? 'MET' : 'NOT MET'}`);
    const seconds = round((performance.now() - started) / 1000, 1);
    console.log(`took ${seconds} s`);
    printSummary({
      bench: 'broadcast-latency',
      config: { clients, workers: WORKERS, rounds: ROUNDS, calls: CALLS, spacingMs: SPACING_MS, quick: args.quick },
      deltaBytes,
      frameBytes,
      connectSeconds: round(connectS, 1),
      giliran: g,
      raw: w,
      ratios,
      pairedRatios,
      rss,
      ulimitN: fdLimit,
      goals,
      machine: machine(),
      seconds,
    });
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all([giliran.stop(), raw.stop()]);
    await data.remove();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
