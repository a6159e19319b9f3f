// The central deployment on PostgreSQL (a throwaway server, test/helpers/postgres.ts),
// beside the embedded store in the same run:
//   issue    durable ticket issue, closed loop: C HTTP clients each keep one issue
//            outstanding for D s, against (a) one process on the embedded store,
//            (b) one process on PostgreSQL, (c) two processes on PostgreSQL with the
//            clients split over them (every issue of one office: the write lease moves
//            between the processes), (d) the same two processes with optimistic writers
//            (GILIRAN_PG_WRITER=optimistic: the version key and retry alone). tickets/s
//            and ack p50/p99.
//   calls    call → N displays (WebSocket, loopback demo screens): all N on one
//            process, vs N/2 on each of two processes (the counter on the first); time
//            from the call-next request to each display's delta with the call, p50/p99
//            over every display and call.
// Each target gets a fresh database or data folder; rounds alternate the order;
// figures are medians over rounds.
//
//   tsx bench/central.ts [--quick] [--rounds 3] [--clients 20] [--duration 5] [--displays 1000] [--calls 20]
import { io, type Socket } from 'socket.io-client';
import { createDatabase, startPostgres } from '../test/helpers/postgres.ts';
import { fmt, login, machine, machineLine, makeDataDir, median, numFlag, parseArgs, printSummary, quantile, request, round as roundTo, startGiliran, table, type Child } from './support/lib.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 3);
const CLIENTS = numFlag(args, 'clients', args.quick ? 8 : 20);
const DURATION_S = numFlag(args, 'duration', args.quick ? 2 : 5);
const DISPLAYS = numFlag(args, 'displays', args.quick ? 100 : 1000);
const CALLS = numFlag(args, 'calls', args.quick ? 5 : 20);
const OFFICE_PATH = '/api/v1/offices/kupang';

const postgres = await startPostgres();
let dbCount = 0;
async function freshDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_central_${process.pid}_${dbCount++}`;
  return createDatabase(postgres.url, name, postgres.urlOf(name));
}

type Target = 'embedded-1' | 'pg-1' | 'pg-2' | 'pg-2-optimistic';

/** Starts the processes of a target; the first is started alone (it makes the schema and the seed). */
async function startTarget(target: Target): Promise<{ servers: Child[]; stop(): Promise<void> }> {
  const data = await makeDataDir('giliran-bench-central-');
  const db = target === 'embedded-1' ? null : await freshDb();
  const env: Record<string, string> = db ? { GILIRAN_DATABASE_URL: db.url, ...(target === 'pg-2-optimistic' ? { GILIRAN_PG_WRITER: 'optimistic' } : {}) } : {};
  const servers: Child[] = [await startGiliran(data, { env: { ...env, ...(db ? { GILIRAN_PROCESS_ID: 'p1' } : {}) }, label: `${target}-1` })];
  if (target === 'pg-2' || target === 'pg-2-optimistic') servers.push(await startGiliran(data, { env: { ...env, GILIRAN_PROCESS_ID: 'p2' }, label: `${target}-2` }));
  return {
    servers,
    async stop() {
      for (const s of servers) await s.stop();
      await db?.drop();
      await data.remove();
    },
  };
}

async function issueRound(target: Target, round: number): Promise<{ ticketsPerSec: number; p50Ms: number; p99Ms: number; errors: number }> {
  const t = await startTarget(target);
  try {
    const lat: number[] = [];
    let errors = 0;
    let stop = false;
    const loop = async (url: string, c: number) => {
      for (let i = 0; !stop; i++) {
        const t0 = performance.now();
        const res = await request(url, 'POST', `${OFFICE_PATH}/tickets`, { body: { service: i % 2 ? 'ktp-el' : 'kk', idempotencyKey: `bench-${round}-${c}-${i}` } });
        if (res.status === 201) lat.push(performance.now() - t0);
        else errors++;
      }
    };
    // A short warm-up, not measured.
    const warm = Array.from({ length: CLIENTS }, (_, c) => loop(t.servers[c % t.servers.length]!.url, c + 10_000));
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(warm);
    lat.length = 0;
    stop = false;
    const t0 = performance.now();
    const loops = Array.from({ length: CLIENTS }, (_, c) => loop(t.servers[c % t.servers.length]!.url, c));
    await new Promise((r) => setTimeout(r, DURATION_S * 1000));
    stop = true;
    await Promise.all(loops);
    const secs = (performance.now() - t0) / 1000;
    return { ticketsPerSec: roundTo(lat.length / secs, 0), p50Ms: roundTo(quantile(lat, 0.5)), p99Ms: roundTo(quantile(lat, 0.99)), errors };
  } finally {
    await t.stop();
  }
}

async function callsRound(processes: 1 | 2): Promise<{ p50Ms: number; p99Ms: number; missed: number }> {
  const t = await startTarget(processes === 1 ? 'pg-1' : 'pg-2');
  const sockets: Socket[] = [];
  try {
    const seen = new Map<string, number[]>(); // ticket id → arrival times
    for (let i = 0; i < DISPLAYS; i++) {
      const srv = t.servers[i % t.servers.length]!;
      const s = io(`${srv.url}/display`, { auth: { office: 'kupang' }, transports: ['websocket'], forceNew: true, reconnection: false });
      s.on('delta', (d: { events: { type: string; ticketId?: string }[] }) => {
        const now = performance.now();
        for (const e of d.events) if (e.type === 'ticket_called' && e.ticketId) seen.get(e.ticketId)?.push(now);
      });
      sockets.push(s);
    }
    await Promise.all(sockets.map((s) => (s.connected ? null : new Promise((r) => s.once('snapshot', r)))));
    const a = t.servers[0]!;
    const cookie = await login(a.url, 'petugas1');
    const lat: number[] = [];
    let missed = 0;
    for (let k = 0; k < CALLS; k++) {
      const issued = await request(a.url, 'POST', `${OFFICE_PATH}/tickets`, { body: { service: 'ktp-el', idempotencyKey: `calls-${processes}-${k}` } });
      const id = issued.body.ticket.id as string;
      const times: number[] = [];
      seen.set(id, times);
      const t0 = performance.now();
      const res = await request(a.url, 'POST', `${OFFICE_PATH}/counters/1/call-next`, { body: { idempotencyKey: `calls-c-${processes}-${k}` }, cookie });
      if (res.status !== 200) throw new Error(`call-next: ${res.status} ${JSON.stringify(res.body)}`);
      const end = performance.now() + 5_000;
      while (times.length < DISPLAYS && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
      missed += DISPLAYS - times.length;
      for (const x of times) lat.push(x - t0);
      await request(a.url, 'POST', `${OFFICE_PATH}/counters/1/finish`, { body: { idempotencyKey: `calls-f-${processes}-${k}` }, cookie });
    }
    return { p50Ms: roundTo(quantile(lat, 0.5)), p99Ms: roundTo(quantile(lat, 0.99)), missed };
  } finally {
    for (const s of sockets) s.close();
    await t.stop();
  }
}

try {
  const issue: Record<Target, Awaited<ReturnType<typeof issueRound>>[]> = { 'embedded-1': [], 'pg-1': [], 'pg-2': [], 'pg-2-optimistic': [] };
  const calls: Record<'one' | 'two', Awaited<ReturnType<typeof callsRound>>[]> = { one: [], two: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order: Target[] = r % 2 ? ['pg-2-optimistic', 'pg-2', 'pg-1', 'embedded-1'] : ['embedded-1', 'pg-1', 'pg-2', 'pg-2-optimistic'];
    for (const target of order) issue[target].push(await issueRound(target, r));
    for (const n of r % 2 ? ([2, 1] as const) : ([1, 2] as const)) calls[n === 1 ? 'one' : 'two'].push(await callsRound(n));
  }
  const med = <T extends Record<string, number>>(rs: T[]): T => Object.fromEntries(Object.keys(rs[0]!).map((k) => [k, roundTo(median(rs.map((x) => x[k]!)))])) as T;
  const summary = {
    bench: 'central',
    machine: machine(),
    config: { rounds: ROUNDS, clients: CLIENTS, durationS: DURATION_S, displays: DISPLAYS, calls: CALLS },
    issue: { embedded1: med(issue['embedded-1']), pg1: med(issue['pg-1']), pg2: med(issue['pg-2']), pg2Optimistic: med(issue['pg-2-optimistic']) },
    calls: { oneProcess: med(calls.one), twoProcesses: med(calls.two) },
    ratios: {} as Record<string, number>,
  };
  summary.ratios = {
    pg1ThroughputVsEmbedded: roundTo(summary.issue.pg1.ticketsPerSec / summary.issue.embedded1.ticketsPerSec),
    pg2ThroughputVsPg1: roundTo(summary.issue.pg2.ticketsPerSec / summary.issue.pg1.ticketsPerSec),
    pg2LeaseVsOptimistic: roundTo(summary.issue.pg2.ticketsPerSec / summary.issue.pg2Optimistic.ticketsPerSec),
    callsP99TwoVsOne: roundTo(summary.calls.twoProcesses.p99Ms / summary.calls.oneProcess.p99Ms),
  };
  console.log(machineLine());
  console.log(
    table([
      ...(['embedded1', 'pg1', 'pg2', 'pg2Optimistic'] as const).map((k) => ({ measure: `issue ${k}`, 'tickets/s': summary.issue[k].ticketsPerSec, 'p50 ms': fmt(summary.issue[k].p50Ms), 'p99 ms': fmt(summary.issue[k].p99Ms), errors: summary.issue[k].errors })),
      ...(['oneProcess', 'twoProcesses'] as const).map((k) => ({ measure: `call→${DISPLAYS} displays ${k}`, 'tickets/s': '', 'p50 ms': fmt(summary.calls[k].p50Ms), 'p99 ms': fmt(summary.calls[k].p99Ms), errors: summary.calls[k].missed })),
    ]),
  );
  printSummary(summary);
} finally {
  await postgres.stop();
}
