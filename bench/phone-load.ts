// Citizens' phones under a busy office (issue 11, "Load"): PHONES phones each
// following its own ticket on /track (with its holder key, as scanned from the
// QR code) and DISPLAYS waiting-room TVs on /display, spread over W forked
// client processes (bench/support/phone-clients.ts), while the four counters
// call CALL_RATE times a second over REST (finish → call-next at each counter
// in turn). Measured per call: the instant just before the clerk's call-next
// request is sent (this process) → the instant the called ticket's phone gets
// the frame showing it called (client), both `performance.timeOrigin +
// performance.now()`. Also: the size of every frame a phone gets (the Socket.IO
// text packet), the server's RSS (/proc, every 250 ms while the counters call:
// peak and median; the server is its own process, as in production, started
// with production's node flags, so the phones' and the clerk's memory and CPU
// are not counted) and its CPU time per call.
// Baseline in the same round: bench/support/raw-ws-server.ts sending a frame of
// the phones' median frame size to as many raw ws clients (phones + TVs) at the
// same rate, timed the same way from just before the HTTP request that
// triggers it. Rounds start a fresh server and data folder; the figures are
// medians over rounds. Goals: call → phone p99 ≤ 400 ms, frame ≤ 1 KB, RSS ≤ 200 MB.
//
//   tsx bench/phone-load.ts [--quick] [--rounds 3] [--phones 2000] [--displays 100] [--rate 5] [--calls 150] [--workers 2]
//   BENCH_CPU_PROF=/tmp/prof tsx bench/phone-load.ts --rounds 1   CPU profile of the server
//   BENCH_SERVER_NODE_ARGS='--trace-gc' BENCH_SERVER_STDOUT=/tmp/gc.txt …   the server's GC log
//   BENCH_SIGNAL_CALLS=SIGUSR2 BENCH_SERVER_NODE_ARGS='--import ./my-probe.mjs' …   signal the server around the measured calls
import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  OFFICE, ROOT, cpuMs, fmt, login, machine, machineLine, makeDataDir, median, numFlag, parseArgs, printSummary, profFlags,
  quantile, request, round, rssMb, sleep, spawnScript, startGiliran, table, track, wallNow,
} from './support/lib.ts';
import type { FromWorker, PhoneTicket, ToWorker } from './support/phone-clients.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 3);
const PHONES = numFlag(args, 'phones', args.quick ? 300 : 2000);
const DISPLAYS = numFlag(args, 'displays', args.quick ? 10 : 100);
const RATE = numFlag(args, 'rate', 5);
const CALLS = numFlag(args, 'calls', args.quick ? 40 : 150);
const WORKERS = numFlag(args, 'workers', 2);
/** Unmeasured calls first (JIT, buffers). */
const WARMUP = numFlag(args, 'warmup', args.quick ? 5 : 10);
/** The services of counters 1–3 (counter 4 serves them all): tickets spread over them. */
const SERVICES = ['ktp-el', 'kia', 'kk', 'pindah-datang', 'akta', 'perubahan-data'] as const;
const GOAL = { p99Ms: 400, frameBytes: 1024, rssMb: 200 };
/** BENCH_SIGNAL_CALLS=SIGUSR2: signals the server as the measured calls start and as they end (a diagnosis hook, e.g. a preload that starts and stops a heap profile). */
const SIGNAL = process.env.BENCH_SIGNAL_CALLS as NodeJS.Signals | undefined;

// ---------------------------------------------------------------- workers

class Worker {
  proc: ChildProcess;
  #next: Array<(m: FromWorker) => void> = [];

  constructor(readonly index: number) {
    this.proc = fork(path.join(ROOT, 'bench/support/phone-clients.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(this.proc);
    this.proc.on('message', (m: FromWorker) => {
      if (m.type === 'error') console.error(`phone worker ${index}: ${m.message}`);
      this.#next.shift()?.(m);
    });
  }

  request<T extends FromWorker['type']>(msg: ToWorker, reply: T): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#next.push((m) => (m.type === reply ? resolve(m as Extract<FromWorker, { type: T }>) : reject(new Error(JSON.stringify(m)))));
      this.proc.send(msg);
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

async function pool<T>(items: readonly T[], width: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i]!, i);
  }));
}

/** Calls `fn` RATE times a second for `n` ticks without waiting for one to finish before the next starts. */
async function paced(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  const running: Array<Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(fn(i));
  }
  await Promise.all(running);
}

// ---------------------------------------------------------------- one round

interface RoundResult {
  round: number;
  calls: number;
  missing: number;
  p50: number;
  p99: number;
  max: number;
  callHttpP50: number;
  framesPerCall: number;
  frameP50: number;
  frameP99: number;
  frameMax: number;
  rssPeakMb: number;
  rssMedianMb: number;
  rssConnectedMb: number;
  rawRssConnectedMb: number;
  rawRssPeakMb: number;
  rawRssMedianMb: number;
  cpuMsPerCall: number;
  rawP50: number;
  rawP99: number;
  rawMissing: number;
}

async function runRound(roundNo: number): Promise<RoundResult> {
  const data = await makeDataDir('giliran-bench-phone-');
  await writeFile(data.configFile, JSON.stringify({
    ticketsPerDevicePerMinute: 1_000_000, loginAttempts: 1000, publicSocketsPerAddress: 100_000, publicConnectsPerAddressPerMinute: 1_000_000,
  }));
  const server = await startGiliran(data, { nodeArgs: profFlags(`phone-load-${roundNo}`), label: 'giliran' });
  const rawServer = await spawnScript('bench/support/raw-ws-server.ts', { label: 'raw-ws' });
  const workers = Array.from({ length: WORKERS }, (_, i) => new Worker(i));
  try {
    const base = server.url;
    const cookies = await Promise.all([1, 2, 3, 4].map((n) => login(base, `petugas${n}`)));
    // The day: PHONES tickets, spread over the services, each with its holder key.
    const tickets: PhoneTicket[] = new Array(PHONES);
    await pool(Array.from({ length: PHONES }, (_, i) => i), 20, async (i) => {
      const r = await request(base, 'POST', `/api/v1/offices/${OFFICE}/tickets`, { body: { service: SERVICES[i % SERVICES.length] } });
      if (r.status !== 201) throw new Error(`issue: ${r.status} ${JSON.stringify(r.body)}`);
      tickets[i] = { id: r.body.ticket.id as string, key: (r.body.holderKey as string | undefined) ?? null };
    });
    const share = (i: number) => tickets.filter((_, j) => j % WORKERS === i);
    const perWorker = (n: number, i: number) => Math.floor(n / WORKERS) + (i < n % WORKERS ? 1 : 0);
    await Promise.all(workers.map((w, i) => w.request({
      type: 'connect', giliranUrl: base, rawUrl: rawServer.url, office: OFFICE, tickets: share(i), displays: perWorker(DISPLAYS, i), rawClients: perWorker(PHONES + DISPLAYS, i),
    }, 'ready')));
    await sleep(1000);
    const rssConnected = rssMb(server.pid);
    const rawRssConnected = rssMb(rawServer.pid);
    await Promise.all(workers.map((w) => w.request({ type: 'collect' }, 'collected'))); // drop the first frames

    // The counters: finish → call-next, RATE calls a second, counter 1, 2, 3, 4, 1, …
    const sent = new Map<string, number>();
    const http: number[] = [];
    // The server's RSS every 250 ms while the counters call (and the 2 s after): its peak and its median.
    const rssSamples: number[] = [rssConnected];
    const rssTimer = setInterval(() => void rssSamples.push(rssMb(server.pid)), 250);
    const counterChains = new Map<number, Promise<void>>();
    let cpu0 = 0;
    await paced(WARMUP + CALLS, async (i) => {
      if (i === WARMUP) {
        cpu0 = cpuMs(server.pid);
        if (SIGNAL) process.kill(server.pid, SIGNAL);
      }
      const n = (i % 4) + 1;
      // One counter's commands in order (a slow answer delays only that counter's next call).
      const prev = counterChains.get(n) ?? Promise.resolve();
      const mine = prev.then(async () => {
        await request(base, 'POST', `/api/v1/offices/${OFFICE}/counters/${n}/finish`, { body: { outcome: 'done' }, cookie: cookies[n - 1] });
        const t0 = wallNow();
        const r = await request(base, 'POST', `/api/v1/offices/${OFFICE}/counters/${n}/call-next`, { body: {}, cookie: cookies[n - 1] });
        if (r.status !== 200) throw new Error(`call-next ${n}: ${r.status} ${JSON.stringify(r.body)}`);
        if (i >= WARMUP) {
          sent.set(r.body.ticket.id as string, t0);
          http.push(wallNow() - t0);
        }
      });
      counterChains.set(n, mine);
      await mine;
    });
    const cpuPerCall = (cpuMs(server.pid) - cpu0) / CALLS;
    if (SIGNAL) process.kill(server.pid, SIGNAL);
    await sleep(2000); // the last frames
    clearInterval(rssTimer);
    const got = await Promise.all(workers.map((w) => w.request({ type: 'collect' }, 'collected')));
    const calledAt = new Map<string, number>();
    for (const g of got) for (const [id, t] of Object.entries(g.called)) calledAt.set(id, t);
    const lat: number[] = [];
    let missing = 0;
    for (const [id, t0] of sent) {
      const t = calledAt.get(id);
      if (t === undefined) missing += 1;
      else lat.push(t - t0);
    }
    const bytes = got.flatMap((g) => g.frameBytes);
    const frames = got.reduce((s, g) => s + g.frames, 0);
    const frameP50 = Math.round(quantile(bytes, 0.5));

    // Baseline: the raw ws server sends a frame of that size to as many clients, at the same rate.
    const rawSent = new Map<number, number>();
    const rawRss: number[] = [rawRssConnected];
    const rawRssTimer = setInterval(() => void rawRss.push(rssMb(rawServer.pid)), 250);
    await paced(CALLS, async (i) => {
      const t0 = wallNow();
      rawSent.set(i, t0);
      await request(rawServer.url, 'POST', '/broadcast', { body: { id: i, bytes: frameP50 } });
    });
    await sleep(1000);
    clearInterval(rawRssTimer);
    const rawGot = await Promise.all(workers.map((w) => w.request({ type: 'collect' }, 'collected')));
    const rawLat: number[] = [];
    let rawMissing = 0;
    for (const [id, t0] of rawSent) {
      const times = rawGot.flatMap((g) => g.raw[String(id)] ?? []);
      rawMissing += PHONES + DISPLAYS - times.length;
      for (const t of times) rawLat.push(t - t0);
    }
    return {
      round: roundNo,
      calls: sent.size,
      missing,
      p50: round(quantile(lat, 0.5), 1),
      p99: round(quantile(lat, 0.99), 1),
      max: round(Math.max(...lat), 1),
      callHttpP50: round(quantile(http, 0.5), 1),
      framesPerCall: round(frames / CALLS, 1),
      frameP50,
      frameP99: Math.round(quantile(bytes, 0.99)),
      frameMax: Math.max(...bytes),
      rssPeakMb: round(Math.max(...rssSamples), 1),
      rssMedianMb: round(median(rssSamples), 1),
      rssConnectedMb: round(rssConnected, 1),
      rawRssConnectedMb: round(rawRssConnected, 1),
      rawRssPeakMb: round(Math.max(...rawRss), 1),
      rawRssMedianMb: round(median(rawRss), 1),
      cpuMsPerCall: round(cpuPerCall, 2),
      rawP50: round(quantile(rawLat, 0.5), 1),
      rawP99: round(quantile(rawLat, 0.99), 1),
      rawMissing,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await rawServer.stop();
    await server.stop();
    await data.remove();
  }
}

async function main(): Promise<void> {
  console.log(`phone load: ${PHONES} phones + ${DISPLAYS} TVs, ${RATE} calls/s × ${CALLS} calls (+${WARMUP} warm-up), ${ROUNDS} round(s); ${machineLine()}`);
  const rounds: RoundResult[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const res = await runRound(r);
    rounds.push(res);
    console.log(table([res as unknown as Record<string, number>]));
  }
  const med = (k: keyof RoundResult) => median(rounds.map((r) => r[k]));
  const result = {
    bench: 'phone-load',
    phones: PHONES,
    displays: DISPLAYS,
    callsPerSecond: RATE,
    calls: CALLS,
    rounds: ROUNDS,
    callToPhoneMs: { p50: med('p50'), p99: med('p99'), max: med('max') },
    rawBaselineMs: { p50: med('rawP50'), p99: med('rawP99') },
    p99VsRaw: round(med('p99') / Math.max(1, med('rawP99')), 2),
    missing: rounds.reduce((s, r) => s + r.missing, 0),
    frameBytes: { p50: med('frameP50'), p99: med('frameP99'), max: Math.max(...rounds.map((r) => r.frameMax)) },
    framesPerCall: med('framesPerCall'),
    serverRssMb: { connected: med('rssConnectedMb'), peak: med('rssPeakMb'), median: med('rssMedianMb') },
    rawRssMb: { connected: med('rawRssConnectedMb'), peak: med('rawRssPeakMb'), median: med('rawRssMedianMb') },
    serverCpuMsPerCall: med('cpuMsPerCall'),
    callHttpP50Ms: med('callHttpP50'),
    goal: `call → phone p99 ≤ ${GOAL.p99Ms} ms, frame ≤ ${GOAL.frameBytes} B, RSS ≤ ${GOAL.rssMb} MB`,
    met: {
      p99: med('p99') <= GOAL.p99Ms,
      frame: Math.max(...rounds.map((r) => r.frameMax)) <= GOAL.frameBytes,
      rss: med('rssPeakMb') <= GOAL.rssMb,
    },
    machine: machine(),
  };
  console.log(`\nmedians over ${ROUNDS} round(s):`);
  console.log(`  call → phone: p50 ${fmt(result.callToPhoneMs.p50)} ms, p99 ${fmt(result.callToPhoneMs.p99)} ms (raw ws baseline p50 ${fmt(result.rawBaselineMs.p50)} ms, p99 ${fmt(result.rawBaselineMs.p99)} ms; ${result.p99VsRaw}×)`);
  console.log(`  frame to a phone: p50 ${result.frameBytes.p50} B, p99 ${result.frameBytes.p99} B, max ${result.frameBytes.max} B; ${result.framesPerCall} frames per call`);
  console.log(`  server RSS: ${fmt(result.serverRssMb.connected)} MB connected, while calling ${fmt(result.serverRssMb.peak)} MB peak, ${fmt(result.serverRssMb.median)} MB median of 250 ms samples (raw ws server: ${fmt(result.rawRssMb.connected)} / ${fmt(result.rawRssMb.peak)} / ${fmt(result.rawRssMb.median)} MB); CPU ${fmt(result.serverCpuMsPerCall)} ms per call`);
  console.log(`  goals: p99 ${result.met.p99 ? 'met' : 'NOT met'}, frame ${result.met.frame ? 'met' : 'NOT met'}, RSS ${result.met.rss ? 'met' : 'NOT met'}`);
  printSummary(result);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
