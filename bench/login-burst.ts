// Does a burst of sign-ins slow the kiosk down? Password checks (scrypt at
// N=2^17) share libuv's thread pool with the journal's durable writes. One
// kiosk socket issues a ticket every 50 ms (open loop: sent on schedule even
// if the previous ack is late; latency counts from the scheduled instant)
// for a phase of D seconds, once quiet and once while 200 clients keep a
// sign-in each outstanding (wrong passwords for made-up accounts: every one
// is hashed, since the bench's settings lift the login limits). Same server,
// same round, the two phases back to back; rounds alternate which goes
// first. Goal: burst p50 and p99 ≤ 1.5 × quiet (median of per-round ratios).
//
//   tsx bench/login-burst.ts [--quick] [--rounds 3] [--seconds 10] [--logins 200] [--interval 50]
import { setMaxListeners } from 'node:events';
import { io, type Socket } from 'socket.io-client';
import { CpuMeter, OFFICE, SERVICES, fmt, machine, machineLine, makeDataDir, median, numFlag, p99, parseArgs, printSummary, profFlags, request, round, startGiliran, table, type Child } from './support/lib.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 3);
const SECONDS = numFlag(args, 'seconds', args.quick ? 6 : 15);
const LOGINS = numFlag(args, 'logins', 200);
const INTERVAL_MS = numFlag(args, 'interval', 50);

interface Phase {
  burst: boolean;
  round: number;
  p50: number;
  p99: number;
  max: number;
  acks: number;
  loginsDone: number;
  serverCpuPct: number;
}

/** Issues on schedule for SECONDS; resolves with the latencies (ms) from each scheduled instant to its ack. */
async function issueOnSchedule(socket: Socket, tag: string): Promise<number[]> {
  const n = Math.floor((SECONDS * 1000) / INTERVAL_MS);
  const t0 = performance.now() + 20;
  const pending: Array<Promise<number>> = [];
  for (let i = 0; i < n; i++) {
    const at = t0 + i * INTERVAL_MS;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      socket
        .timeout(30_000)
        .emitWithAck('issue', { service: SERVICES[i % SERVICES.length], idempotencyKey: `${tag}-${i}` })
        .then((res: { ok: boolean }) => {
          if (!res?.ok) throw new Error(`issue failed: ${JSON.stringify(res)}`);
          return performance.now() - at;
        }),
    );
  }
  return Promise.all(pending);
}

/** LOGINS clients, each keeping one wrong sign-in outstanding until `stop` is set. */
function burst(server: Child, stop: AbortController): { finished: Promise<number> } {
  let done = 0;
  let dropped = 0;
  let refused = 0;
  const loops = Array.from({ length: LOGINS }, async (_, i) => {
    while (!stop.signal.aborted) {
      const r = await request(server.url, 'POST', '/api/v1/session', { body: { username: `burst-${i}`, password: `salah-${done}` }, signal: stop.signal }).catch((err: unknown) => {
        if (stop.signal.aborted) return null; // hung up at the end of the phase (the server drops its queued hash)
        dropped++; // a keep-alive connection closed under the request: counted, and sent again
        if (dropped > LOGINS * 20) throw err;
        return 'dropped' as const;
      });
      if (!r) return;
      if (r === 'dropped') continue;
      if (r.status === 429) {
        refused++; // the hash queue was full: answered at once, nothing hashed
        continue;
      }
      if (r.status !== 401) throw new Error(`login burst: ${r.status} ${JSON.stringify(r.body)}`);
      done++;
    }
  });
  return {
    finished: Promise.all(loops).then(() => {
      if (dropped) console.log(`    (${dropped} sign-in requests dropped by a closing connection and sent again)`);
      if (refused) console.log(`    (${refused} sign-ins refused at once: hash queue full)`);
      return done;
    }),
  };
}

async function phase(server: Child, socket: Socket, roundNo: number, withBurst: boolean): Promise<Phase> {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every request of the burst listens to it
  const b = withBurst ? burst(server, stop) : null;
  if (b) await new Promise((r) => setTimeout(r, 500)); // let the hash queue fill
  const meter = new CpuMeter([server.pid]);
  const lat = await issueOnSchedule(socket, `r${roundNo}-${withBurst ? 'burst' : 'quiet'}`);
  const [cpu = Number.NaN] = meter.read();
  stop.abort();
  const loginsDone = b ? await b.finished : 0;
  if (b) await new Promise((r) => setTimeout(r, 1000)); // the hash in progress ends before the next phase
  return { burst: withBurst, round: roundNo, p50: median(lat), p99: p99(lat), max: Math.max(...lat), acks: lat.length, loginsDone, serverCpuPct: cpu };
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`login-burst: a kiosk issue every ${INTERVAL_MS} ms for ${SECONDS} s, quiet vs ${LOGINS} parallel sign-ins, ${ROUNDS} round(s)`);
  console.log(machineLine());
  const phases: Phase[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const dir = await makeDataDir();
    const server = await startGiliran(dir, { label: 'giliran', nodeArgs: profFlags('login-burst') });
    const socket: Socket = io(`${server.url}/kiosk`, { auth: { office: OFFICE }, transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('snapshot', () => resolve());
        socket.once('connect_error', reject);
      });
      for (let i = 0; i < 20; i++) await socket.emitWithAck('issue', { service: SERVICES[i % SERVICES.length], idempotencyKey: `warm-${r}-${i}` });
      const order = r % 2 === 1 ? [false, true] : [true, false];
      for (const withBurst of order) {
        const p = await phase(server, socket, r, withBurst);
        phases.push(p);
        console.log(
          `  round ${r} ${withBurst ? `burst (${p.loginsDone} sign-ins checked)` : 'quiet'}: ack p50 ${fmt(p.p50)} ms  p99 ${fmt(p.p99)} ms  max ${fmt(p.max)} ms  (${p.acks} acks, server cpu ${fmt(p.serverCpuPct, 0)} %)`,
        );
      }
    } finally {
      socket.disconnect();
      await server.stop();
      await dir.remove();
    }
  }
  const of = (b: boolean) => phases.filter((p) => p.burst === b);
  const summarise = (b: boolean) => ({
    ackP50Ms: round(median(of(b).map((p) => p.p50)), 3),
    ackP99Ms: round(median(of(b).map((p) => p.p99)), 3),
    ackMaxMs: round(median(of(b).map((p) => p.max)), 3),
    signInsPerSec: round(median(of(b).map((p) => p.loginsDone / SECONDS)), 1),
    rounds: of(b).map((p) => ({ round: p.round, p50Ms: round(p.p50, 3), p99Ms: round(p.p99, 3), maxMs: round(p.max, 3) })),
  });
  const quiet = summarise(false);
  const loud = summarise(true);
  const perRound = (key: 'p50' | 'p99') => median(of(true).map((p) => p[key] / (of(false).find((q) => q.round === p.round)?.[key] ?? Number.NaN)));
  const ratios = { p50: round(perRound('p50'), 3), p99: round(perRound('p99'), 3) };
  console.log('\nMedians over rounds:');
  console.log(
    table([
      { phase: 'quiet', 'ack p50 ms': quiet.ackP50Ms, 'ack p99 ms': quiet.ackP99Ms, 'ack max ms': quiet.ackMaxMs, 'sign-ins/s': 0 },
      { phase: `${LOGINS} sign-ins`, 'ack p50 ms': loud.ackP50Ms, 'ack p99 ms': loud.ackP99Ms, 'ack max ms': loud.ackMaxMs, 'sign-ins/s': loud.signInsPerSec },
    ]),
  );
  const goals = { p50Within1_5x: ratios.p50 <= 1.5, p99Within1_5x: ratios.p99 <= 1.5 };
  console.log(`ratio burst/quiet (median of per-round ratios): p50 ${ratios.p50}, p99 ${ratios.p99}; goal ≤ 1.5: p50 ${goals.p50Within1_5x ? 'MET' : 'NOT MET'}, p99 ${goals.p99Within1_5x ? 'MET' : 'NOT MET'}`);
  const seconds = round((performance.now() - started) / 1000, 1);
  console.log(`took ${seconds} s`);
  printSummary({ bench: 'login-burst', config: { rounds: ROUNDS, seconds: SECONDS, logins: LOGINS, intervalMs: INTERVAL_MS, quick: args.quick }, quiet, burst: loud, ratios, goals, machine: machine(), seconds });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
