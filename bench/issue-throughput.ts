// Durable ticket issue under load: C socket.io kiosk clients (namespace /kiosk,
// auth {office}, websocket transport, unique idempotency keys, services in
// rotation) spread over W client processes (bench/support/issue-clients.ts),
// against the real server in its own child process. Two load modes, both
// measured every round:
//   open    a fixed offered load of R tickets/s in total, spread evenly over
//           the clients and over time (client g sends at g/R + k·C/R s: the
//           combined stream is one send every 1/R s, no bursts); a client
//           sends at its instant even if its previous request is still
//           outstanding. Latency is measured from the SCHEDULED send instant to
//           the ack, so a stall anywhere (server, network, client process)
//           counts in full (no coordinated omission). Reports offered rate,
//           acks/s achieved in the window, p50/p90/p99/max, errors, requests not
//           acknowledged by the end, and how late the client processes sent.
//   closed  every client keeps one issue outstanding (send, await the ack,
//           send the next): the maximum throughput, with its latency (which
//           Little's law ties to the throughput: C outstanding / tickets/s).
// Baseline in the same run for both modes: the same clients against
// bench/support/echo-server.ts (bare socket.io acks). Every Giliran
// measurement starts the server on a fresh data folder (the same day size at
// the start of each); rounds alternate which target (and which mode) goes
// first. CPU of the server and of every client process is read over the
// measured window. Samples are pooled over the client processes (wall clock
// comparable across processes); figures are medians over rounds.
// Goals (open mode at R = 1,000/s): every request acknowledged ok, acks/s ≥
// 0.98 × R → "≥ 1,000 tickets/s"; and p99 ≤ 20 ms. Also: the closed-loop
// maximum ≥ 1,000 tickets/s. Ratios to echo: median of per-round ratios.
// Diagnostic (off by default, --diagnose true): closed mode with each worker's
// clients multiplexed over ONE socket per worker (W kiosks receive deltas
// instead of C): the gap to the closed figure is the cost of the delta fan-out.
//
//   tsx bench/issue-throughput.ts [--quick] [--rounds 5] [--clients 100] [--workers 2] [--rate 1000]
//                                 [--duration 5] [--warmup 2] [--drain 5] [--diagnose true|false]
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import {
  CpuMeter, OFFICE, ROOT, SERVICES, fmt, makeDataDir, machine, machineLine, median, numFlag, parseArgs, printSummary, profFlags,
  quantile, round, sleep, spawnScript, startGiliran, table, track, wallNow, type Child,
} from './support/lib.ts';
import type { FromWorker, Mode, RunResult, ToWorker } from './support/issue-clients.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 5);
const CLIENTS = numFlag(args, 'clients', args.quick ? 50 : 100);
const WORKERS = Math.max(1, Math.min(numFlag(args, 'workers', 2), CLIENTS));
const RATE = numFlag(args, 'rate', 1000);
const DURATION_S = numFlag(args, 'duration', args.quick ? 2 : 5);
// A fresh server's first second runs code not yet optimised (its p99 is the round's worst): measure the steady state.
const WARMUP_S = numFlag(args, 'warmup', args.quick ? 0.5 : 2);
/** How long after the window unanswered requests are waited for before they count as not acknowledged. */
const DRAIN_S = numFlag(args, 'drain', args.quick ? 2 : 5);
const DIAGNOSE = (args.flags.get('diagnose') ?? 'false') !== 'false';
if (!(RATE > 0) || !(CLIENTS >= 1) || !(DURATION_S > 0)) throw new Error('--rate, --clients and --duration must be positive');
const GOAL_RATE = 1000;
const GOAL_P99_MS = 20;

type Target = 'giliran' | 'echo' | 'giliran-fewsockets';

// ---------------------------------------------------------------- client processes

class ClientWorker {
  readonly proc: ChildProcess;
  readonly up: Promise<void>;
  #next: Array<(m: FromWorker) => void> = [];

  constructor(readonly index: number) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', path.join('bench', 'support', 'issue-clients.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(this.proc);
    let upResolve: () => void = () => {};
    this.up = new Promise((resolve) => (upResolve = resolve));
    this.proc.on('message', (m: FromWorker) => {
      if (m.type === 'up') upResolve();
      else {
        if (m.type === 'error') console.error(`issue client worker ${index}: ${m.message}`);
        this.#next.shift()?.(m);
      }
    });
    this.proc.once('exit', (code, signal) => {
      for (const n of this.#next.splice(0)) n({ type: 'error', message: `worker ${index} exited (${code ?? signal})` });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  request<T extends FromWorker['type']>(msg: ToWorker, reply: T, timeoutMs: number): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`worker ${this.index}: no ${reply} within ${timeoutMs} ms`)), timeoutMs);
      this.#next.push((m) => {
        clearTimeout(t);
        if (m.type === reply) resolve(m as Extract<FromWorker, { type: T }>);
        else reject(new Error(`worker ${this.index}: expected ${reply}, got ${JSON.stringify(m)}`));
      });
      this.proc.send(msg);
    });
  }
}

// ---------------------------------------------------------------- one measurement

interface Measurement {
  target: Target;
  mode: Mode;
  round: number;
  /** Offered tickets/s (open mode; NaN in closed mode). */
  offered: number;
  /** Ok acks that arrived in the measured window. */
  acks: number;
  ticketsPerSec: number;
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** p99 of each second of the window: shows a warm-up transient or a stall. */
  p99BySecond: number[];
  sent: number;
  errors: Record<string, number>;
  errorCount: number;
  unacked: number;
  /** Open mode: how late the client processes sent (actual − scheduled instant), p99 and max, ms. */
  sendLagP99: number;
  sendLagMax: number;
  serverCpuPct: number;
  /** Server CPU time per acknowledged ticket (ms): less sensitive to a busy machine than wall time. */
  serverCpuMsPerAck: number;
  /** Sum over the client processes (% of one core), and the busiest one. */
  clientCpuPct: number;
  clientCpuMaxPct: number;
  /** The highest event-loop utilisation of a client process over the window (0..1). */
  clientEluMax: number;
  deltasPerSec: number;
  disconnects: number;
}

const maxOf = (v: readonly number[]): number => (v.length ? v.reduce((a, b) => Math.max(a, b), -Infinity) : Number.NaN);

async function measure(workers: ClientWorker[], target: Target, mode: Mode, server: Child, roundNo: number): Promise<Measurement> {
  // Client g belongs to worker g % W.
  const share = workers.map((w) => Array.from({ length: CLIENTS }, (_, g) => g).filter((g) => g % workers.length === w.index));
  await Promise.all(
    workers.map((w, i) =>
      w.request({ type: 'connect', url: server.url, office: OFFICE, clients: share[i] ?? [], sockets: target === 'giliran-fewsockets' ? 1 : CLIENTS }, 'ready', 60_000),
    ),
  );
  await sleep(200); // let the connect snapshots drain
  const startAt = wallNow() + 300;
  const mStart = startAt + WARMUP_S * 1000;
  const end = mStart + DURATION_S * 1000;
  let meter: CpuMeter | null = null;
  let cpu: number[] = [];
  const pids = [server.pid, ...workers.map((w) => w.pid)];
  const t1 = setTimeout(() => (meter = new CpuMeter(pids)), mStart - wallNow());
  const t2 = setTimeout(() => (cpu = meter?.read() ?? []), end - wallNow());
  let results: RunResult[];
  try {
    results = await Promise.all(
      workers.map((w) =>
        w.request(
          {
            type: 'run',
            mode,
            rate: RATE,
            totalClients: CLIENTS,
            startAt,
            warmupMs: WARMUP_S * 1000,
            durationMs: DURATION_S * 1000,
            drainMs: DRAIN_S * 1000,
            keyPrefix: `tp-${target}-${mode}-${roundNo}-${Date.now().toString(36)}`,
            services: SERVICES,
          },
          'result',
          (WARMUP_S + DURATION_S + DRAIN_S) * 1000 + 30_000,
        ),
      ),
    );
  } finally {
    clearTimeout(t1);
    clearTimeout(t2);
    // The workers may answer a few ms before this process's own end-of-window timer runs: read the meter now.
    if (cpu.length === 0 && meter) cpu = (meter as CpuMeter).read();
    await Promise.all(workers.map((w) => w.request({ type: 'disconnect' }, 'disconnected', 10_000).catch(() => undefined)));
  }
  const lat = results.flatMap((r) => r.latencies);
  // p99 per second of the window (by scheduled send instant in open mode, by ack instant in closed mode).
  const bySecond: number[][] = Array.from({ length: Math.ceil(DURATION_S) }, () => []);
  for (const r of results) r.at.forEach((a, i) => bySecond[Math.min(bySecond.length - 1, Math.max(0, Math.floor(a / 1000)))]?.push(r.latencies[i] as number));
  const lag = results.flatMap((r) => r.sendLag);
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const acks = results.reduce((a, r) => a + r.acks, 0);
  const serverCpuPct = cpu[0] ?? Number.NaN;
  const clientCpu = cpu.length ? cpu.slice(1) : [Number.NaN];
  return {
    target,
    mode,
    round: roundNo,
    offered: mode === 'open' ? RATE : Number.NaN,
    acks,
    ticketsPerSec: acks / DURATION_S,
    samples: lat.length,
    p50: quantile(lat, 0.5),
    p90: quantile(lat, 0.9),
    p99: quantile(lat, 0.99),
    max: maxOf(lat),
    p99BySecond: bySecond.map((v) => round(quantile(v, 0.99), 1)),
    sent: results.reduce((a, r) => a + r.sent, 0),
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
    unacked: results.reduce((a, r) => a + r.unacked, 0),
    sendLagP99: quantile(lag, 0.99),
    sendLagMax: maxOf(lag),
    serverCpuPct,
    serverCpuMsPerAck: (serverCpuPct * DURATION_S * 10) / acks,
    clientCpuPct: clientCpu.reduce((a, b) => a + b, 0),
    clientCpuMaxPct: maxOf(clientCpu),
    clientEluMax: maxOf(results.map((r) => r.elu)),
    deltasPerSec: results.reduce((a, r) => a + r.deltas, 0) / DURATION_S,
    disconnects: results.reduce((a, r) => a + r.disconnects, 0),
  };
}

// ---------------------------------------------------------------- summaries

function summarise(all: Measurement[], mode: Mode, target: Target) {
  const rs = all.filter((x) => x.mode === mode && x.target === target);
  if (rs.length === 0) return null;
  const med = (f: (x: Measurement) => number, digits = 2) => round(median(rs.map(f)), digits);
  const errors: Record<string, number> = {};
  for (const x of rs) for (const [k, v] of Object.entries(x.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    ...(mode === 'open' ? { offeredPerSec: RATE } : {}),
    ticketsPerSec: med((x) => x.ticketsPerSec, 0),
    p50Ms: med((x) => x.p50),
    p90Ms: med((x) => x.p90),
    p99Ms: med((x) => x.p99),
    maxMs: med((x) => x.max),
    /** Summed over rounds (warm-up included): any is a failure of the open-mode goals. */
    errors,
    unacked: rs.reduce((a, x) => a + x.unacked, 0),
    disconnects: rs.reduce((a, x) => a + x.disconnects, 0),
    ...(mode === 'open' ? { sendLagP99Ms: med((x) => x.sendLagP99), sendLagMaxMs: med((x) => x.sendLagMax) } : {}),
    serverCpuPct: med((x) => x.serverCpuPct, 0),
    serverCpuMsPerAck: med((x) => x.serverCpuMsPerAck, 3),
    clientCpuPct: med((x) => x.clientCpuPct, 0),
    clientCpuMaxPct: med((x) => x.clientCpuMaxPct, 0),
    clientEluMax: med((x) => x.clientEluMax),
    deltasPerSec: med((x) => x.deltasPerSec, 0),
    rounds: rs.map((x) => ({
      round: x.round,
      ticketsPerSec: round(x.ticketsPerSec, 0),
      p50Ms: round(x.p50),
      p99Ms: round(x.p99),
      maxMs: round(x.max),
      p99BySecondMs: x.p99BySecond,
      errors: x.errorCount,
      unacked: x.unacked,
    })),
  };
}
type Summary = NonNullable<ReturnType<typeof summarise>>;

/** Each round's Giliran figure over the echo figure of the same round and mode (measured back to back), median over rounds. */
function pairedRatio(all: Measurement[], mode: Mode, f: (x: Measurement) => number): number {
  const ratios = all
    .filter((x) => x.mode === mode && x.target === 'giliran')
    .map((x) => {
      const e = all.find((y) => y.mode === mode && y.target === 'echo' && y.round === x.round);
      return e ? f(x) / f(e) : Number.NaN;
    })
    .filter(Number.isFinite);
  return round(median(ratios), 3);
}

function line(m: Measurement): string {
  const errs = m.errorCount ? `  ERRORS ${JSON.stringify(m.errors)}` : '';
  const unacked = m.unacked ? `  NOT ACKED ${m.unacked}` : '';
  const disc = m.disconnects ? `  disconnects ${m.disconnects}` : '';
  const head = `  round ${m.round} ${m.mode.padEnd(6)} ${m.target.padEnd(18)}`;
  const load = m.mode === 'open' ? `offered ${fmt(m.offered, 0)}/s → ${fmt(m.ticketsPerSec, 0).padStart(5)}/s` : `${fmt(m.ticketsPerSec, 0).padStart(6)}/s`;
  const lag = m.mode === 'open' ? `  send lag p99 ${fmt(m.sendLagP99, 1)} ms` : '';
  return (
    `${head} ${load}  p50 ${fmt(m.p50)}  p90 ${fmt(m.p90)}  p99 ${fmt(m.p99)}  max ${fmt(m.max)} ms` +
    `  server cpu ${fmt(m.serverCpuPct, 0)}% (${fmt(m.serverCpuMsPerAck, 3)} ms/ack)  clients cpu ${fmt(m.clientCpuPct, 0)}% (max ${fmt(m.clientCpuMaxPct, 0)}%, elu ${fmt(m.clientEluMax)})` +
    `${lag}  deltas recv ${fmt(m.deltasPerSec, 0)}/s  p99 by second [${m.p99BySecond.join(', ')}]${errs}${unacked}${disc}`
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(
    `issue-throughput: ${CLIENTS} kiosk clients over ${WORKERS} client processes; open loop at ${RATE}/s and closed loop; ` +
      `${ROUNDS} rounds × 2 modes × (giliran, echo) × (${WARMUP_S}s warm-up + ${DURATION_S}s measured)`,
  );
  console.log(machineLine());
  const workers = Array.from({ length: WORKERS }, (_, i) => new ClientWorker(i));
  const echo = await spawnScript('bench/support/echo-server.ts', { label: 'echo' });
  const results: Measurement[] = [];
  try {
    await Promise.race([Promise.all(workers.map((w) => w.up)), sleep(30_000).then(() => Promise.reject(new Error('client workers did not start within 30 s')))]);
    for (let r = 1; r <= ROUNDS; r++) {
      const targets: Target[] = r % 2 === 1 ? ['echo', 'giliran'] : ['giliran', 'echo'];
      const modes: Mode[] = r % 2 === 1 ? ['open', 'closed'] : ['closed', 'open'];
      const plan: Array<[Mode, Target]> = modes.flatMap((mode) => targets.map((t) => [mode, t] as [Mode, Target]));
      if (DIAGNOSE) plan.push(['closed', 'giliran-fewsockets']);
      for (const [mode, target] of plan) {
        // Giliran on a fresh data folder for every measurement: the same day size at the start of each.
        const data = target === 'echo' ? null : await makeDataDir();
        const server = data ? await startGiliran(data, { nodeArgs: profFlags(`issue-throughput-${target}-${mode}`) }) : echo;
        try {
          const m = await measure(workers, target, mode, server, r);
          results.push(m);
          console.log(line(m));
        } finally {
          if (data) {
            await server.stop();
            await data.remove();
          }
        }
      }
    }
  } finally {
    await echo.stop();
    for (const w of workers) if (w.proc.connected) w.proc.send({ type: 'exit' } satisfies ToWorker);
  }

  const og = summarise(results, 'open', 'giliran');
  const oe = summarise(results, 'open', 'echo');
  const cg = summarise(results, 'closed', 'giliran');
  const ce = summarise(results, 'closed', 'echo');
  const cd = summarise(results, 'closed', 'giliran-fewsockets');
  if (!og || !oe || !cg || !ce) throw new Error('no results');

  const ofMedians = (g: Summary, e: Summary) => ({
    throughputVsEcho: round(g.ticketsPerSec / e.ticketsPerSec, 3),
    p50VsEcho: round(g.p50Ms / e.p50Ms, 2),
    p99VsEcho: round(g.p99Ms / e.p99Ms, 2),
  });
  const paired = (mode: Mode) => ({
    throughputVsEcho: pairedRatio(results, mode, (x) => x.ticketsPerSec),
    p50VsEcho: pairedRatio(results, mode, (x) => x.p50),
    p99VsEcho: pairedRatio(results, mode, (x) => x.p99),
  });
  const ratios = { open: ofMedians(og, oe), closed: ofMedians(cg, ce) };
  const pairedRatios = { open: paired('open'), closed: paired('closed') };

  // Open-mode goals: only at an offered load of at least 1,000/s, and only if every request was acknowledged ok.
  const openAllOk = Object.keys(og.errors).length === 0 && og.unacked === 0;
  const atGoalRate = RATE >= GOAL_RATE;
  const goals = {
    ticketsPerSecAtLeast1000: atGoalRate ? openAllOk && og.ticketsPerSec >= 0.98 * RATE : null,
    p99AtMost20ms: atGoalRate ? openAllOk && og.p99Ms <= GOAL_P99_MS : null,
    closedLoopAtLeast1000: Object.keys(cg.errors).length === 0 && cg.unacked === 0 && cg.ticketsPerSec >= GOAL_RATE,
  };
  const openRounds = results.filter((x) => x.mode === 'open' && x.target === 'giliran');
  const roundsMeeting = {
    throughput: openRounds.filter((x) => x.errorCount === 0 && x.unacked === 0 && x.ticketsPerSec >= 0.98 * RATE).length,
    p99: openRounds.filter((x) => x.errorCount === 0 && x.unacked === 0 && x.p99 <= GOAL_P99_MS).length,
  };

  console.log('\nMedians over rounds (latency ms; open: from the scheduled send instant; cpu % of one core, clients = sum of the client processes):');
  const row = (mode: string, target: string, x: Summary) => ({
    mode,
    target,
    'offered/s': 'offeredPerSec' in x ? String(x.offeredPerSec) : 'max',
    'acks/s': String(x.ticketsPerSec),
    p50: x.p50Ms,
    p90: x.p90Ms,
    p99: x.p99Ms,
    max: x.maxMs,
    errors: String(Object.values(x.errors).reduce((a, b) => a + b, 0)),
    'not acked': String(x.unacked),
    'server cpu %': String(x.serverCpuPct),
    'server ms/ack': String(x.serverCpuMsPerAck),
    'clients cpu %': String(x.clientCpuPct),
    'client elu max': x.clientEluMax,
    'send lag p99': 'sendLagP99Ms' in x ? (x.sendLagP99Ms as number) : '',
    'deltas/s': String(x.deltasPerSec),
  });
  console.log(
    table([
      row('open', 'giliran', og),
      row('open', 'echo (baseline)', oe),
      row('closed', 'giliran', cg),
      row('closed', 'echo (baseline)', ce),
      ...(cd ? [row('closed', 'diag: 1 socket/worker', cd)] : []),
    ]),
  );
  for (const [name, x] of [['open giliran', og], ['open echo', oe], ['closed giliran', cg], ['closed echo', ce], ...(cd ? [['closed diag', cd]] : [])] as Array<[string, Summary]>) {
    if (Object.keys(x.errors).length || x.unacked || x.disconnects) {
      console.log(`${name}: errors ${JSON.stringify(x.errors)}, not acknowledged ${x.unacked}, disconnects ${x.disconnects} (over all rounds)`);
    }
  }
  console.log(`ratios giliran/echo, open at ${RATE}/s (median of per-round ratios): p50 ${pairedRatios.open.p50VsEcho}×  p99 ${pairedRatios.open.p99VsEcho}×`);
  console.log(
    `ratios giliran/echo, closed loop (median of per-round ratios): throughput ${pairedRatios.closed.throughputVsEcho}  p50 ${pairedRatios.closed.p50VsEcho}×  p99 ${pairedRatios.closed.p99VsEcho}×`,
  );
  if (cd) console.log(`diagnostic: the same ${CLIENTS} closed loops over ${WORKERS} sockets (one per client process): ${cd.ticketsPerSec}/s, p99 ${cd.p99Ms} ms`);
  const yes = (b: boolean | null) => (b === null ? `not evaluated (--rate ${RATE} < ${GOAL_RATE})` : b ? 'MET' : 'NOT MET');
  console.log(
    `goals (open loop at ${RATE}/s, every request acknowledged ok): ≥${GOAL_RATE}/s ${yes(goals.ticketsPerSecAtLeast1000)} (${og.ticketsPerSec}/s achieved, ${roundsMeeting.throughput}/${openRounds.length} rounds); ` +
      `p99 ≤ ${GOAL_P99_MS} ms ${yes(goals.p99AtMost20ms)} (p99 ${og.p99Ms} ms, ${roundsMeeting.p99}/${openRounds.length} rounds)`,
  );
  console.log(`closed-loop maximum: ${cg.ticketsPerSec} tickets/s (goal ≥ ${GOAL_RATE}/s ${goals.closedLoopAtLeast1000 ? 'MET' : 'NOT MET'}), p99 ${cg.p99Ms} ms at ${CLIENTS} outstanding (information)`);
  const seconds = round((performance.now() - t0) / 1000, 1);
  console.log(`took ${seconds} s`);
  printSummary({
    bench: 'issue-throughput',
    config: { clients: CLIENTS, workers: WORKERS, rate: RATE, rounds: ROUNDS, durationS: DURATION_S, warmupS: WARMUP_S, drainS: DRAIN_S, quick: args.quick, diagnose: DIAGNOSE },
    open: { giliran: og, echo: oe },
    closed: { giliran: cg, echo: ce, ...(cd ? { diagnosticOneSocketPerWorker: cd } : {}) },
    ratios,
    pairedRatios,
    goals,
    roundsMeetingOpenGoals: roundsMeeting,
    machine: machine(),
    seconds,
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
