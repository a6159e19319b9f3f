// Does a busy day slow the kiosk down? Ack time of a ticket issue (one kiosk
// socket, sequential) on a server whose day already holds 5,000 tickets
// (mostly waiting: the realistic worst case, since the issue path walks the
// waiting set) versus one holding 50. Two servers per round, each on a fresh
// data folder, each in its own child process; rounds alternate which goes
// first. Goal: median(5,000) / median(50) ≤ 1.5.
//
//   tsx bench/ack-vs-day-size.ts [--quick] [--rounds 5] [--issues 300] [--small 50] [--large 5000] [--fill-concurrency 16]
import { io, type Socket } from 'socket.io-client';
import {
  CpuMeter, OFFICE, SERVICES, fmt, login, machine, machineLine, makeDataDir, median, medianRound, numFlag, p99, parseArgs,
  printSummary, profFlags, request, round, startGiliran, table, type Child, type DataDir,
} from './support/lib.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 5);
const ISSUES = numFlag(args, 'issues', args.quick ? 100 : 300);
const SMALL = numFlag(args, 'small', 50);
const LARGE = numFlag(args, 'large', args.quick ? 1000 : 5000);
const FILL_CONCURRENCY = numFlag(args, 'fill-concurrency', 16);
/** Share of the filled tickets called and finished (the rest stay waiting). */
const FINISHED_SHARE = 0.02;

interface Sample {
  size: number;
  round: number;
  p50: number;
  p99: number;
  mean: number;
  serverCpuMsPerIssue: number;
  snapshotKb: number;
  snapshotMs: number;
  fillSeconds: number;
  waiting: number;
}

/** Issues `n` tickets over REST as a loopback kiosk, `FILL_CONCURRENCY` at a time. */
async function fill(server: Child, n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(FILL_CONCURRENCY, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const r = await request(server.url, 'POST', `/api/v1/offices/${OFFICE}/tickets`, {
          body: { service: SERVICES[i % SERVICES.length], idempotencyKey: `fill-${i}-${n}` },
        });
        if (r.status !== 201) throw new Error(`fill issue ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }),
  );
  // Call and finish a few at the four counters so the day has served tickets too.
  const toFinish = Math.max(1, Math.round(n * FINISHED_SHARE));
  let finished = 0;
  await Promise.all(
    [1, 2, 3, 4].map(async (counter) => {
      const cookie = await login(server.url, `petugas${counter}`);
      while (finished < toFinish) {
        finished++;
        const base = `/api/v1/offices/${OFFICE}/counters/${counter}`;
        const c = await request(server.url, 'POST', `${base}/call-next`, { cookie, body: {} });
        if (c.status !== 200) throw new Error(`call-next at ${counter}: ${c.status} ${JSON.stringify(c.body)}`);
        const f = await request(server.url, 'POST', `${base}/finish`, { cookie, body: { outcome: 'done' } });
        if (f.status !== 200) throw new Error(`finish at ${counter}: ${f.status} ${JSON.stringify(f.body)}`);
      }
    }),
  );
}

async function measure(server: Child, size: number, roundNo: number, fillSeconds: number): Promise<Sample> {
  const t0 = performance.now();
  const socket: Socket = io(`${server.url}/kiosk`, { auth: { office: OFFICE }, transports: ['websocket'], forceNew: true, reconnection: false });
  const snapshot = await new Promise<any>((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
  const snapshotMs = performance.now() - t0;
  const snapshotKb = Buffer.byteLength(JSON.stringify(snapshot)) / 1024;
  const waiting = (snapshot.tickets as Array<{ state: string }>).filter((t) => t.state === 'waiting').length;
  // A few unmeasured issues first (JIT, first-delta paths).
  for (let i = 0; i < 10; i++) await socket.emitWithAck('issue', { service: SERVICES[i % SERVICES.length], idempotencyKey: `warm-${roundNo}-${i}-issue` });
  const lat: number[] = [];
  const meter = new CpuMeter([server.pid]);
  for (let i = 0; i < ISSUES; i++) {
    const a = performance.now();
    const res = await socket.timeout(15_000).emitWithAck('issue', { service: SERVICES[i % SERVICES.length], idempotencyKey: `seq-${roundNo}-${i}-issue` });
    const b = performance.now();
    if (!res?.ok) throw new Error(`issue failed: ${JSON.stringify(res)}`);
    lat.push(b - a);
  }
  const [cpuPct = Number.NaN] = meter.read();
  const elapsed = lat.reduce((x, y) => x + y, 0);
  socket.disconnect();
  return {
    size,
    round: roundNo,
    p50: median(lat),
    p99: p99(lat),
    mean: elapsed / lat.length,
    serverCpuMsPerIssue: (cpuPct / 100) * (elapsed / ISSUES),
    snapshotKb,
    snapshotMs,
    fillSeconds,
    waiting,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`ack-vs-day-size: ${ISSUES} sequential kiosk issues with ${LARGE} vs ${SMALL} tickets already in the day, ${ROUNDS} round(s)`);
  console.log(machineLine());
  const samples: Sample[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const dirs: DataDir[] = [await makeDataDir(), await makeDataDir()];
    const [small, large] = await Promise.all([
      startGiliran(dirs[0] as DataDir, { label: 'giliran-small', nodeArgs: profFlags('day-small') }),
      startGiliran(dirs[1] as DataDir, { label: 'giliran-large', nodeArgs: profFlags('day-large') }),
    ]);
    try {
      const servers: Array<[Child, number]> = [
        [small, SMALL],
        [large, LARGE],
      ];
      const fillSeconds = new Map<number, number>();
      for (const [server, n] of servers) {
        const f0 = performance.now();
        await fill(server, n);
        fillSeconds.set(n, (performance.now() - f0) / 1000);
      }
      const order = r % 2 === 1 ? servers : [...servers].reverse();
      for (const [server, n] of order) {
        const s = await measure(server, n, r, fillSeconds.get(n) ?? Number.NaN);
        samples.push(s);
        console.log(
          `  round ${r} day ${String(n).padStart(5)} tickets (${s.waiting} waiting, filled in ${fmt(s.fillSeconds, 1)} s): ack p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  mean ${fmt(s.mean)} ms` +
            `  server cpu ${fmt(s.serverCpuMsPerIssue, 3)} ms/issue  connect snapshot ${fmt(s.snapshotKb, 0)} KB in ${fmt(s.snapshotMs, 0)} ms`,
        );
      }
    } finally {
      await Promise.all([small.stop(), large.stop()]);
      await Promise.all(dirs.map((d) => d.remove()));
    }
  }

  const pick = (n: number) => samples.filter((s) => s.size === n);
  const summarise = (n: number) => {
    const rs = pick(n);
    const mid = medianRound(rs, (s) => s.p50);
    return {
      tickets: n,
      waiting: mid.waiting,
      ackP50Ms: round(median(rs.map((s) => s.p50)), 3),
      ackP99Ms: round(median(rs.map((s) => s.p99)), 3),
      serverCpuMsPerIssue: round(median(rs.map((s) => s.serverCpuMsPerIssue)), 3),
      snapshotKb: round(mid.snapshotKb, 0),
      snapshotMs: round(median(rs.map((s) => s.snapshotMs)), 1),
      rounds: rs.map((s) => ({ round: s.round, p50Ms: round(s.p50, 3), p99Ms: round(s.p99, 3) })),
    };
  };
  const sm = summarise(SMALL);
  const lg = summarise(LARGE);
  const perRoundRatios = pick(LARGE).map((l) => l.p50 / (pick(SMALL).find((s) => s.round === l.round)?.p50 ?? Number.NaN));
  const ratio = round(lg.ackP50Ms / sm.ackP50Ms, 3);
  const ratios = {
    p50: ratio,
    p50MedianOfRounds: round(median(perRoundRatios), 3),
    p99: round(lg.ackP99Ms / sm.ackP99Ms, 3),
    serverCpuPerIssue: round(lg.serverCpuMsPerIssue / sm.serverCpuMsPerIssue, 3),
  };
  console.log('\nMedians over rounds:');
  console.log(
    table([
      { 'tickets in day': SMALL, 'ack p50 ms': sm.ackP50Ms, 'ack p99 ms': sm.ackP99Ms, 'server cpu ms/issue': sm.serverCpuMsPerIssue, 'snapshot KB': sm.snapshotKb },
      { 'tickets in day': LARGE, 'ack p50 ms': lg.ackP50Ms, 'ack p99 ms': lg.ackP99Ms, 'server cpu ms/issue': lg.serverCpuMsPerIssue, 'snapshot KB': lg.snapshotKb },
    ]),
  );
  console.log(`ratio ${LARGE}/${SMALL}: p50 ${ratios.p50} (median of per-round ratios ${ratios.p50MedianOfRounds}), p99 ${ratios.p99}, server cpu per issue ${ratios.serverCpuPerIssue}`);
  // Judged on the median of per-round ratios (the two servers of a round are measured back to back).
  const goalMet = ratios.p50MedianOfRounds <= 1.5;
  console.log(`goal: ratio ≤ 1.5 ${goalMet ? 'MET' : 'NOT MET'}`);
  const seconds = round((performance.now() - started) / 1000, 1);
  console.log(`took ${seconds} s`);
  printSummary({
    bench: 'ack-vs-day-size',
    config: { rounds: ROUNDS, issues: ISSUES, small: SMALL, large: LARGE, finishedShare: FINISHED_SHARE, quick: args.quick },
    small: sm,
    large: lg,
    ratios,
    goals: { ratioAtMost1_5: goalMet },
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
