// Can anonymous phone sockets stall the office? `/healthz` latency and the
// server's memory while anonymous `/track` sockets flood `resync` without
// waiting for answers (issue 15, finding 2: 2,000 resyncs each answered by the
// full public snapshot took `/healthz` to 6.9 s and RSS to 1.5 GB), beside the
// same server measured just before with no attack. The day holds a busy day's
// tickets, so a snapshot is large. The flooding client runs on the same two
// cores as the server, so some of the p99 is the client's own CPU. Goals:
// `/healthz` p50 under attack ≤ 1.5× the same run's quiet p50, p99 ≤ 100 ms,
// RSS growth ≤ 100 MB. (Before the resync budget: p50 4.5 s, RSS +1.35 GB.)
//
//   tsx bench/resync-flood.ts [--quick] [--rounds 3] [--tickets 500] [--sockets 5] [--burst 2000] [--seconds 5]
import { io, type Socket } from 'socket.io-client';
import {
  OFFICE, SERVICES, fmt, machine, machineLine, makeDataDir, median, numFlag, p99, parseArgs, printSummary, request, round, rssMb,
  startGiliran, table, type Child,
} from './support/lib.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 3);
const TICKETS = numFlag(args, 'tickets', 500);
const SOCKETS = numFlag(args, 'sockets', 5);
const BURST = numFlag(args, 'burst', 2000);
const SECONDS = numFlag(args, 'seconds', args.quick ? 3 : 6);
/** Time between two `/healthz` probes (each waits for the one before). */
const PROBE_GAP_MS = 20;

interface Phase {
  p50: number;
  p99: number;
  max: number;
  probes: number;
  failures: number;
  rssStartMb: number;
  rssMaxMb: number;
}

async function fill(server: Child): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < TICKETS; i = next++) {
        const r = await request(server.url, 'POST', `/api/v1/offices/${OFFICE}/tickets`, {
          body: { service: SERVICES[i % SERVICES.length], idempotencyKey: `flood-fill-${i}` },
        });
        if (r.status !== 201) throw new Error(`fill issue ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }),
  );
}

/** Probes `/healthz` one request at a time for `seconds`, sampling the server's RSS. */
async function probe(server: Child, seconds: number): Promise<Phase> {
  const lat: number[] = [];
  const rssStartMb = rssMb(server.pid);
  let rssMaxMb = rssStartMb;
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const a = performance.now();
    try {
      const r = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
      await r.arrayBuffer();
      if (!r.ok) failures++;
    } catch {
      // A stalled server drops keep-alive connections mid-request: count it, with the time it took.
      failures++;
    }
    lat.push(performance.now() - a);
    rssMaxMb = Math.max(rssMaxMb, rssMb(server.pid));
    await new Promise((res) => setTimeout(res, PROBE_GAP_MS));
  }
  return { p50: median(lat), p99: p99(lat), max: Math.max(...lat), probes: lat.length, failures, rssStartMb, rssMaxMb };
}

interface Flood {
  sent: number;
  answered: number;
  refused: number;
  answerBytes: number;
  stop(): void;
}

/** Anonymous `/track` sockets, each sending `BURST` resyncs at once, again every second, reconnecting when cut. */
async function flood(server: Child): Promise<Flood> {
  const sockets: Socket[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    const s = io(`${server.url}/track`, { auth: { office: OFFICE }, transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      s.once('snapshot', () => resolve());
      s.once('connect_error', reject);
    });
    sockets.push(s);
  }
  const stats: Flood = { sent: 0, answered: 0, refused: 0, answerBytes: 0, stop: () => undefined };
  // A determined attacker reconnects as soon as the server cuts a socket.
  for (const s of sockets) s.on('disconnect', (reason) => reason === 'io server disconnect' && !stopped && s.connect());
  let stopped = false;
  const burst = () => {
    for (const s of sockets) {
      if (!s.connected) continue;
      for (let i = 0; i < BURST; i++) {
        stats.sent++;
        s.emit('resync', (res: { ok: boolean; data?: unknown }) => {
          if (res?.ok) {
            stats.answered++;
            // Counting bytes would cost this process as much as the server; the ticket count says the size.
            stats.answerBytes += Array.isArray((res.data as { tickets?: unknown[] })?.tickets) ? (res.data as { tickets: unknown[] }).tickets.length : 0;
          } else stats.refused++;
        });
      }
    }
  };
  burst();
  const timer = setInterval(burst, 1000);
  stats.stop = () => {
    stopped = true;
    clearInterval(timer);
    for (const s of sockets) s.disconnect();
  };
  return stats;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`resync-flood: /healthz while ${SOCKETS} anonymous /track sockets send ${BURST} resyncs each per second, day of ${TICKETS} tickets, ${ROUNDS} round(s)`);
  console.log(machineLine());
  const rounds: Array<{ quiet: Phase; attack: Phase; sent: number; answered: number; refused: number; connectedAfter: boolean }> = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const dir = await makeDataDir();
    const server = await startGiliran(dir, { label: 'giliran-flood' });
    try {
      await fill(server);
      const quiet = await probe(server, SECONDS);
      const f = await flood(server);
      const attack = await probe(server, SECONDS);
      f.stop();
      // The office still works for others after the flood.
      const after = await request(server.url, 'POST', `/api/v1/offices/${OFFICE}/tickets`, { body: { service: SERVICES[0], idempotencyKey: `flood-after-${r}` } });
      rounds.push({ quiet, attack, sent: f.sent, answered: f.answered, refused: f.refused, connectedAfter: after.status === 201 });
      console.log(
        `  round ${r}: quiet p50 ${fmt(quiet.p50)} ms p99 ${fmt(quiet.p99)} ms | flood p50 ${fmt(attack.p50)} ms p99 ${fmt(attack.p99)} ms max ${fmt(attack.max)} ms, ${attack.failures} failed` +
          ` | RSS ${fmt(attack.rssStartMb, 0)} → ${fmt(attack.rssMaxMb, 0)} MB | resyncs sent ${f.sent}, answered ${f.answered}, refused ${f.refused}`,
      );
    } catch (err) {
      console.error(`server output:\n${server.stderr.join('').slice(-3000)}`);
      throw err;
    } finally {
      await server.stop();
      await dir.remove();
    }
  }
  const med = (pick: (x: (typeof rounds)[number]) => number) => round(median(rounds.map(pick)), 2);
  const quietP50 = med((x) => x.quiet.p50);
  const quietP99 = med((x) => x.quiet.p99);
  const attackP50 = med((x) => x.attack.p50);
  const attackP99 = med((x) => x.attack.p99);
  const rssGrowthMb = med((x) => x.attack.rssMaxMb - x.quiet.rssStartMb);
  const ratios = { p50: med((x) => x.attack.p50 / x.quiet.p50), p99: med((x) => x.attack.p99 / x.quiet.p99) };
  console.log('\nMedians over rounds:');
  console.log(
    table([
      { phase: 'quiet', 'healthz p50 ms': quietP50, 'healthz p99 ms': quietP99 },
      { phase: 'resync flood', 'healthz p50 ms': attackP50, 'healthz p99 ms': attackP99 },
    ]),
  );
  const p50Met = ratios.p50 <= 1.5;
  const p99Met = attackP99 <= 100;
  const rssMet = rssGrowthMb <= 100;
  console.log(`ratio flood/quiet: p50 ${ratios.p50}×, p99 ${ratios.p99}×; RSS growth ${rssGrowthMb} MB`);
  console.log(`goals: p50 ≤ 1.5× quiet ${p50Met ? 'MET' : 'NOT MET'}; p99 ≤ 100 ms ${p99Met ? 'MET' : 'NOT MET'}; RSS growth ≤ 100 MB ${rssMet ? 'MET' : 'NOT MET'}`);
  const seconds = round((performance.now() - started) / 1000, 1);
  printSummary({
    bench: 'resync-flood',
    config: { rounds: ROUNDS, tickets: TICKETS, sockets: SOCKETS, burst: BURST, seconds: SECONDS, quick: args.quick },
    quiet: { p50Ms: quietP50, p99Ms: quietP99 },
    flood: { p50Ms: attackP50, p99Ms: attackP99, rssGrowthMb, sent: med((x) => x.sent), answered: med((x) => x.answered), refused: med((x) => x.refused) },
    ratios,
    goals: { p50Within1_5xQuiet: p50Met, p99AtMost100Ms: p99Met, rssGrowthAtMost100Mb: rssMet, officeWorksAfter: rounds.every((x) => x.connectedAfter) },
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
