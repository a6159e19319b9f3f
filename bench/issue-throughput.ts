// Durable ticket issue under load: C socket.io kiosk clients (in this process)
// each issue in a closed loop for D seconds against the real server in its own
// child process; tickets/s and ack latency p50/p99. Baseline in the same run:
// the same clients against bench/support/echo-server.ts (bare socket.io acks).
// Every round starts Giliran on a fresh data folder so rounds are comparable
// (the day grows by thousands of tickets per round); rounds alternate which
// target goes first. Goal: ≥ 1,000 tickets/s, p99 ≤ 20 ms.
// Diagnostic (not a goal figure; on by default unless --quick, off with
// --diagnose false): the same number of concurrent issue loops multiplexed over
// ONE kiosk socket, so every commit is broadcast to one socket instead of to
// every kiosk: the gap to the main figure is the cost of the delta fan-out.
//
//   tsx bench/issue-throughput.ts [--quick] [--rounds 5] [--clients 100] [--duration 5] [--warmup 1] [--diagnose true|false]
import { io, type Socket } from 'socket.io-client';
import {
  CpuMeter, OFFICE, SERVICES, fmt, makeDataDir, machine, machineLine, median, medianRound, numFlag, p99, parseArgs, printSummary,
  profFlags, quantile, round, spawnScript, startGiliran, table, type Child,
} from './support/lib.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 5);
const CLIENTS = numFlag(args, 'clients', args.quick ? 50 : 100);
const DURATION_S = numFlag(args, 'duration', args.quick ? 2 : 5);
const WARMUP_S = numFlag(args, 'warmup', args.quick ? 0.5 : 1);
const DIAGNOSE = (args.flags.get('diagnose') ?? (args.quick ? 'false' : 'true')) !== 'false';

type Target = 'giliran' | 'echo' | 'giliran-1socket';

interface RoundResult {
  target: Target;
  round: number;
  acks: number;
  ticketsPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: Record<string, number>;
  deltasPerSec: number;
  serverCpuPct: number;
  clientCpuPct: number;
  /** Server CPU time per acknowledged ticket (ms): less sensitive to a busy machine than wall time. */
  serverCpuMsPerAck: number;
}

async function connectAll(url: string, n: number): Promise<Socket[]> {
  const sockets = Array.from({ length: n }, () =>
    io(`${url}/kiosk`, { auth: { office: OFFICE }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20_000 }),
  );
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', (err) => reject(err));
        }),
    ),
  );
  return sockets;
}

async function runLoad(target: Target, server: Child, roundNo: number): Promise<RoundResult> {
  const connected = await connectAll(server.url, target === 'giliran-1socket' ? 1 : CLIENTS);
  // One closed loop per client; in the diagnostic all loops share one socket.
  const sockets = Array.from({ length: CLIENTS }, (_, i) => connected[i % connected.length] as Socket);
  let deltas = 0;
  for (const s of connected) s.on('delta', () => void deltas++);
  await new Promise((r) => setTimeout(r, 200)); // let the connect snapshots drain
  const start = performance.now();
  const mStart = start + WARMUP_S * 1000;
  const end = mStart + DURATION_S * 1000;
  const lat: number[] = [];
  const errors: Record<string, number> = {};
  let acks = 0;
  let meter: CpuMeter | null = null;
  let deltasAtStart = 0;
  const warm = setTimeout(() => {
    meter = new CpuMeter([server.pid, process.pid]);
    deltasAtStart = deltas;
  }, WARMUP_S * 1000);
  let cpu: number[] = [Number.NaN, Number.NaN];
  let deltasInWindow = 0;
  const stopMeter = setTimeout(() => {
    cpu = meter?.read() ?? cpu;
    deltasInWindow = deltas - deltasAtStart;
  }, (WARMUP_S + DURATION_S) * 1000);

  await Promise.all(
    sockets.map(async (s, c) => {
      for (let i = 0; ; i++) {
        const t0 = performance.now();
        if (t0 >= end) return;
        let res: any;
        try {
          res = await s.timeout(15_000).emitWithAck('issue', { service: SERVICES[(c + i) % SERVICES.length], idempotencyKey: `tp-${target}-${roundNo}-${c}-${i}` });
        } catch {
          res = { ok: false, error: { code: 'timeout' } };
        }
        const t1 = performance.now();
        // Counted when the ack arrives inside the measured window.
        if (t1 >= mStart && t1 <= end) {
          if (res?.ok) {
            acks++;
            lat.push(t1 - t0);
          } else {
            const code = String(res?.error?.code ?? 'unknown');
            errors[code] = (errors[code] ?? 0) + 1;
          }
        }
      }
    }),
  );
  clearTimeout(warm);
  clearTimeout(stopMeter);
  for (const s of connected) s.disconnect();
  return {
    target,
    round: roundNo,
    acks,
    ticketsPerSec: acks / DURATION_S,
    p50: median(lat),
    p90: quantile(lat, 0.9),
    p99: p99(lat),
    max: lat.length ? lat.reduce((a, b) => Math.max(a, b), -Infinity) : Number.NaN,
    errors,
    deltasPerSec: deltasInWindow / DURATION_S,
    serverCpuPct: cpu[0] ?? Number.NaN,
    clientCpuPct: cpu[1] ?? Number.NaN,
    serverCpuMsPerAck: ((cpu[0] ?? Number.NaN) * DURATION_S * 10) / acks,
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(`issue-throughput: ${CLIENTS} kiosk clients, closed loop, ${ROUNDS} rounds × (${WARMUP_S}s warm-up + ${DURATION_S}s measured)`);
  console.log(machineLine());
  const echo = await spawnScript('bench/support/echo-server.ts', { label: 'echo' });
  const results: RoundResult[] = [];
  try {
    for (let r = 1; r <= ROUNDS; r++) {
      const order: Target[] = r % 2 === 1 ? ['echo', 'giliran'] : ['giliran', 'echo'];
      if (DIAGNOSE) order.push('giliran-1socket');
      for (const target of order) {
        // Giliran on a fresh data folder for every measurement: the same day size at the start of each.
        const data = target === 'echo' ? null : await makeDataDir();
        const server = data ? await startGiliran(data, { nodeArgs: profFlags(`issue-throughput-${target}`) }) : echo;
        try {
          const res = await runLoad(target, server, r);
          results.push(res);
          const errs = Object.keys(res.errors).length ? ` errors=${JSON.stringify(res.errors)}` : '';
          console.log(
            `  round ${r} ${target.padEnd(15)} ${fmt(res.ticketsPerSec, 0).padStart(6)}/s  p50 ${fmt(res.p50)} ms  p99 ${fmt(res.p99)} ms  max ${fmt(res.max)} ms` +
              `  server cpu ${fmt(res.serverCpuPct, 0)}% (${fmt(res.serverCpuMsPerAck, 3)} ms/ack)  client cpu ${fmt(res.clientCpuPct, 0)}%  deltas recv ${fmt(res.deltasPerSec, 0)}/s${errs}`,
          );
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
  }

  const summarise = (target: Target) => {
    const rs = results.filter((x) => x.target === target);
    if (rs.length === 0) return null;
    const mid = medianRound(rs, (x) => x.ticketsPerSec);
    return {
      ticketsPerSec: round(median(rs.map((x) => x.ticketsPerSec)), 0),
      p50Ms: round(median(rs.map((x) => x.p50))),
      p99Ms: round(median(rs.map((x) => x.p99))),
      medianRound: { round: mid.round, ticketsPerSec: round(mid.ticketsPerSec, 0), p50Ms: round(mid.p50), p99Ms: round(mid.p99) },
      serverCpuPct: round(median(rs.map((x) => x.serverCpuPct)), 0),
      serverCpuMsPerAck: round(median(rs.map((x) => x.serverCpuMsPerAck)), 3),
      clientCpuPct: round(median(rs.map((x) => x.clientCpuPct)), 0),
      deltasPerSec: round(median(rs.map((x) => x.deltasPerSec)), 0),
      errors: rs.reduce<Record<string, number>>((acc, x) => {
        for (const [k, v] of Object.entries(x.errors)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
      rounds: rs.map((x) => ({ round: x.round, ticketsPerSec: round(x.ticketsPerSec, 0), p50Ms: round(x.p50), p99Ms: round(x.p99) })),
    };
  };
  const g = summarise('giliran');
  const e = summarise('echo');
  const d = summarise('giliran-1socket');
  if (!g || !e) throw new Error('no results');
  const ratios = {
    throughputVsEcho: round(g.ticketsPerSec / e.ticketsPerSec, 3),
    p50VsEcho: round(g.p50Ms / e.p50Ms, 2),
    p99VsEcho: round(g.p99Ms / e.p99Ms, 2),
  };
  // Each round's Giliran figure over the echo figure of the same round (measured back to back).
  const paired = (f: (x: RoundResult) => number) =>
    round(median(results.filter((x) => x.target === 'giliran').map((x) => f(x) / f(results.find((y) => y.target === 'echo' && y.round === x.round) as RoundResult))), 3);
  const pairedRatios = { throughputVsEcho: paired((x) => x.ticketsPerSec), p50VsEcho: paired((x) => x.p50), p99VsEcho: paired((x) => x.p99) };
  const goals = { ticketsPerSecAtLeast1000: g.ticketsPerSec >= 1000, p99AtMost20ms: g.p99Ms <= 20 };
  console.log('\nMedians over rounds:');
  const row = (name: string, x: NonNullable<typeof g>) => ({
    target: name,
    'tickets/s': x.ticketsPerSec,
    'p50 ms': x.p50Ms,
    'p99 ms': x.p99Ms,
    'server cpu %': x.serverCpuPct,
    'server cpu ms/ack': x.serverCpuMsPerAck,
    'client cpu %': x.clientCpuPct,
    'deltas recv/s': x.deltasPerSec,
  });
  console.log(table([row('giliran', g), row('echo (baseline)', e), ...(d ? [row('diag: 1 socket', d)] : [])]));
  console.log(`ratios giliran/echo (of the medians): throughput ${ratios.throughputVsEcho}  p50 ${ratios.p50VsEcho}×  p99 ${ratios.p99VsEcho}×`);
  console.log(`ratios giliran/echo (median of per-round ratios): throughput ${pairedRatios.throughputVsEcho}  p50 ${pairedRatios.p50VsEcho}×  p99 ${pairedRatios.p99VsEcho}×`);
  if (d) console.log(`diagnostic: the same ${CLIENTS} loops over one socket (one delta per commit instead of ${CLIENTS}): ${d.ticketsPerSec}/s, p99 ${d.p99Ms} ms`);
  console.log(`goals: ≥1000/s ${goals.ticketsPerSecAtLeast1000 ? 'MET' : 'NOT MET'}; p99 ≤ 20 ms ${goals.p99AtMost20ms ? 'MET' : 'NOT MET'}`);
  const seconds = round((performance.now() - t0) / 1000, 1);
  console.log(`took ${seconds} s`);
  printSummary({
    bench: 'issue-throughput',
    config: { clients: CLIENTS, rounds: ROUNDS, durationS: DURATION_S, warmupS: WARMUP_S, quick: args.quick, diagnose: DIAGNOSE },
    giliran: g,
    echo: e,
    ...(d ? { diagnosticOneSocket: d } : {}),
    ratios,
    pairedRatios,
    goals,
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
