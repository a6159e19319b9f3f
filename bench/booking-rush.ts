// The rush at the moment a day opens: N citizens (default 1,000) race for one
// slot of 200 places. Each citizen's phone has loaded the slot list (the
// page's step 3) and fetched and solved its proof-of-work challenge, then
// books. Two flows:
//   page  (the goal's case) what the booking page sends: one request that
//         holds and confirms (`confirm: true`, book/booking-api.ts); its
//         latency is the hold's and the confirm's.
//   steps the API's two steps: a hold, and once held its confirm at once
//         (a client that holds while the citizen completes a form).
// Connections, two ways:
//   kept  (the goal's case) as a browser does: the list and the challenge
//         were fetched on the phone's own keep-alive connection and the hold
//         and confirm follow on it (the server keeps an idle connection 5 s; the page
//         holds right after solving, well inside that).
//   fresh a new connection for every request (a proxy or client that does not
//         keep connections): the worst case, reported beside it.
// The
// server runs in its own process (as in production: the load generator here
// does not share its event loop), and so does the baseline, a bare node:http
// echo answering the same requests (hold body, then the winners' confirm
// body) from the same client on the same schedule.
//   (a) "spread": the N arrival instants are drawn uniformly at random over
//       the first second after the day opens (a Poisson process conditioned
//       on N arrivals; phones are not synchronised to the microsecond). The
//       ≤ 50 ms goal for hold and confirm p99 applies here.
//   (b) "instant": all N sent in the same instant (one synchronous loop), the
//       worst case; reported with its ratio to the echo.
// The server is in service, as at 06:00 on a booking day: before each timed
// rush it served an earlier one (--warm 300 citizens for another day's slot
// of `places`, on the same schedule), so its hold and confirm code is
// compiled; --cold skips that (a server started just before the day opens),
// reported beside it. The echo serves the same earlier rush.
// Latency is from the moment a request is started to its last byte. Prints
// exactly how many won, and fails (exit 1) unless exactly `places` are
// confirmed, every other hold is booking_slot_full and the slot shows 0 left.
//   tsx bench/booking-rush.ts [--quick] [--citizens 1000] [--places 200] [--spread-ms 1000] [--rounds 3] [--only spread|instant] [--conn kept|fresh] [--flow page|steps] [--warm 300 | --cold]
// BENCH_CPU_PROF=<dir> writes the server's CPU profile (bench/support/booking-server.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Agent } from 'node:http';
import path from 'node:path';
import { solveChallenge } from 'altcha-lib/v1';
import { cpuMs, fmt, machine, machineLine, median, numFlag, p99, parseArgs, printSummary, quantile, round, type Child } from './support/lib.ts';
import { ANSWERS, TUE_8, nikOf, spawnBookingServer, spawnHttpEcho, timedRequest } from './support/booking-server.ts';

const args = parseArgs();
const citizens = numFlag(args, 'citizens', args.quick ? 300 : 1000);
const places = numFlag(args, 'places', args.quick ? 60 : 200);
const spreadMs = numFlag(args, 'spread-ms', 1000);
const rounds = args.rounds ?? (args.quick ? 1 : 3);
const only = args.flags.get('only');
/** Citizens of the rush the server served before (another day's slot, its own citizens): 0 with --cold. */
const warmCitizens = args.flags.has('cold') ? 0 : numFlag(args, 'warm', args.quick ? 100 : 300);
const WED_8 = '2026-11-25T00:00:00.000Z';
const HOLD = '/api/v1/offices/kupang/bookings';

type Mode = 'spread' | 'instant';
type Conn = 'kept' | 'fresh';
/** page: the booking page's one request (a hold with `confirm: true`); steps: a hold, then its confirm (the API's two steps). */
type Flow = 'page' | 'steps';
const CHALLENGE = '/api/v1/offices/kupang/booking-challenge';
const SLOTS = '/api/v1/offices/kupang/booking-slots';

/** Each citizen's connection: its own keep-alive agent (kept), or none (fresh: a new connection per request). */
const agentsFor = (conn: Conn, n = citizens): Array<Agent | false> => Array.from({ length: n }, () => (conn === 'kept' ? new Agent({ keepAlive: true, maxSockets: 1 }) : false));
const closeAll = (agents: Array<Agent | false>) => agents.forEach((a) => a && a.destroy());

/** Arrival offsets (ms) of the citizens: sorted uniform draws over [0, spreadMs) from a fixed seed, or all 0. */
function arrivals(mode: Mode, seed: number): number[] {
  if (mode === 'instant') return Array.from({ length: citizens }, () => 0);
  let x = seed >>> 0 || 1;
  const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: citizens }, () => rnd() * spreadMs).sort((a, b) => a - b);
}

/** Runs `fire(i)` for each citizen at its arrival offset; resolves with what each returned, and how late the client fired (ms). */
async function schedule<T>(at: number[], fire: (i: number) => Promise<T>): Promise<{ results: T[]; lateP99: number }> {
  const t0 = performance.now() + 20;
  const late: number[] = [];
  const runs: Promise<T>[] = new Array(at.length);
  if (at.every((x) => x === 0)) {
    for (let i = 0; i < at.length; i++) runs[i] = fire(i);
    return { results: await Promise.all(runs), lateP99: 0 };
  }
  await new Promise<void>((done) => {
    let next = 0;
    const tick = () => {
      // Fire everything due, then sleep until the next arrival (setTimeout's ms granularity: ≤ 1 ms late).
      while (next < at.length && performance.now() >= t0 + at[next]!) {
        late.push(performance.now() - (t0 + at[next]!));
        runs[next] = fire(next);
        next++;
      }
      if (next < at.length) setTimeout(tick, Math.max(0, t0 + at[next]! - performance.now()));
      else done();
    };
    setTimeout(tick, 20);
  });
  return { results: await Promise.all(runs), lateP99: p99(late) };
}

interface Row {
  holdP50: number;
  holdP99: number;
  confirmP50: number;
  confirmP99: number;
  echoP50: number;
  echoP99: number;
  echoConfirmP99: number;
  won: number;
  full: number;
  other: number;
  left: number;
  lateP99: number;
  /** The server process's CPU time (user + system) over the rush per request (holds and confirms). */
  cpuPerRequestMs: number;
  /** Of it, the event loop's thread (what requests wait for; the rest is libuv's pool and V8's helpers, on the other core). */
  mainCpuPerRequestMs: number;
  echoCpuPerRequestMs: number;
}

/**
 * What a citizen's page did before the hold, on the citizen's own connection:
 * loaded the slot list (step 3, where the day shows open and the slot is
 * chosen: `GET booking-slots?service=`, the page's request) and fetched and
 * solved its challenge. Returns the solved challenge.
 */
async function solvedOn(url: string, agent: Agent | false): Promise<string> {
  const list = await timedRequest(url, 'GET', `${SLOTS}?service=ktp-el`, undefined, agent);
  if (list.status !== 200) throw new Error(`slots: ${list.status} ${list.text}`);
  const r = await timedRequest(url, 'POST', CHALLENGE, '{}', agent);
  if (r.status !== 200) throw new Error(`challenge: ${r.status} ${r.text}`);
  const c = JSON.parse(r.text) as { algorithm: string; challenge: string; salt: string; signature: string; maxnumber: number };
  const s = await solveChallenge(c.challenge, c.salt, c.algorithm, c.maxnumber).promise;
  if (!s) throw new Error('challenge not solved');
  return Buffer.from(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: s.number, salt: c.salt, signature: c.signature })).toString('base64');
}

/** Citizen i's hold for `slot` (the page's flow asks to confirm in the same request). */
const holdBody = (slot: string, i: number, altcha: string, flow: Flow) => JSON.stringify({ service: 'ktp-el', subcase: 'baru', slot, answers: ANSWERS, nik: nikOf(i), name: `Warga ${i}`, altcha, ...(flow === 'page' ? { confirm: true } : {}) });

type Answer = Awaited<ReturnType<typeof timedRequest>>;
/** One citizen books: the hold, and in two steps its confirm once held. */
async function book(url: string, body: string, agent: Agent | false, flow: Flow): Promise<{ hold: Answer; confirm: Answer | null }> {
  const hold = await timedRequest(url, 'POST', HOLD, body, agent);
  if (hold.status !== 201 || flow === 'page') return { hold, confirm: null };
  const b = JSON.parse(hold.text) as { booking: { code: string }; manageKey: string };
  return { hold, confirm: await timedRequest(url, 'POST', `${HOLD}/${b.booking.code}/confirm`, JSON.stringify({ k: b.manageKey }), agent) };
}

/**
 * The rush the server served before this one (a server in service has
 * compiled its hold and confirm code: what is timed is its steady work, not
 * V8 compiling it): `warmCitizens` citizens race for another day's slot on
 * the same schedule, on their own connections (closed after).
 */
async function warmRush(url: string, conn: Conn, mode: Mode, flow: Flow, seed: number): Promise<void> {
  const agents = agentsFor(conn, warmCitizens);
  try {
    const pows = await Promise.all(agents.map((a) => solvedOn(url, a)));
    const bodies = pows.map((altcha, i) => holdBody(WED_8, 50_000 + i, altcha, flow));
    await schedule(arrivals(mode, seed + 7).slice(0, warmCitizens), (i) => book(url, bodies[i]!, agents[i]!, flow));
  } finally {
    closeAll(agents);
  }
}

async function giliranRun(mode: Mode, conn: Conn, flow: Flow, seed: number): Promise<{ row: Omit<Row, 'echoP50' | 'echoP99' | 'echoConfirmP99' | 'echoCpuPerRequestMs'>; winners: boolean[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-bench-rush-'));
  let srv: Child | null = null;
  const agents = agentsFor(conn);
  try {
    srv = await spawnBookingServer(dir, { places, label: `rush-${mode}-${conn}-${flow}` });
    const url = srv.url;
    if (warmCitizens > 0) await warmRush(url, conn, mode, flow, seed);
    const pows: string[] = [];
    for (let i = 0; i < citizens; i += 100) pows.push(...(await Promise.all(Array.from({ length: Math.min(100, citizens - i) }, (_, j) => solvedOn(url, agents[i + j]!)))));
    const bodies = pows.map((altcha, i) => holdBody(TUE_8, i, altcha, flow));
    const cpu0 = cpuMs(srv.pid);
    const main0 = cpuMs(srv.pid, srv.pid);
    const { results, lateP99 } = await schedule(arrivals(mode, seed), (i) => book(url, bodies[i]!, agents[i]!, flow));
    const serverCpuMs = cpuMs(srv.pid) - cpu0;
    const mainCpuMs = cpuMs(srv.pid, srv.pid) - main0;
    const confirms = results.flatMap((r) => (r.confirm ? [r.confirm] : []));
    const confirmedIn = (r: Answer, status: number) => r.status === status && (JSON.parse(r.text) as { booking: { state: string } }).booking.state === 'confirmed';
    const won = flow === 'page' ? results.filter((r) => confirmedIn(r.hold, 201)).length : confirms.filter((c) => confirmedIn(c, 200)).length;
    const held = flow === 'page' ? won : confirms.length;
    const full = results.filter((r) => r.hold.status !== 201 && r.hold.text.includes('"booking_slot_full"')).length;
    const slots = JSON.parse((await timedRequest(url, 'GET', '/api/v1/offices/kupang/booking-slots?service=ktp-el&from=2026-11-24&to=2026-11-24')).text) as { days: Array<{ slots: Array<{ start: string; left: number }> }> };
    const left = slots.days[0]!.slots.find((s) => s.start === TUE_8)!.left;
    const hold = results.map((r) => r.hold.ms);
    const confirm = confirms.map((c) => c.ms);
    return {
      row: { holdP50: quantile(hold, 0.5), holdP99: p99(hold), confirmP50: quantile(confirm, 0.5), confirmP99: p99(confirm), won, full, other: citizens - held - full, left, lateP99, cpuPerRequestMs: serverCpuMs / (citizens + confirms.length), mainCpuPerRequestMs: mainCpuMs / (citizens + confirms.length) },
      // The citizens whose hold was followed by a confirm (the echo sends them a confirm too).
      winners: results.map((r) => r.confirm !== null),
    };
  } finally {
    closeAll(agents);
    await srv?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same schedule against the bare echo: the hold body, then (the same citizens as won) a confirm-sized body. */
async function echoRun(mode: Mode, conn: Conn, flow: Flow, seed: number, winners: boolean[]): Promise<{ hold: number[]; confirm: number[]; cpuPerRequestMs: number }> {
  const echo = await spawnHttpEcho();
  const agents = agentsFor(conn);
  try {
    // The same connections as the app's run: each citizen's first requests (its list, its challenge) opened it.
    for (let i = 0; i < citizens; i += 100) await Promise.all(Array.from({ length: Math.min(100, citizens - i) }, async (_, j) => {
      await timedRequest(echo.url, 'GET', SLOTS, undefined, agents[i + j]!);
      await timedRequest(echo.url, 'POST', CHALLENGE, '{}', agents[i + j]!);
    }));
    const body = JSON.stringify({ service: 'ktp-el', subcase: 'baru', slot: TUE_8, answers: ANSWERS, nik: nikOf(0), name: 'Warga 0', altcha: 'x'.repeat(300) });
    if (warmCitizens > 0) {
      // The same earlier rush (a hold, then a confirm for the first as many as places), on connections of its own.
      const warm = agentsFor(conn, warmCitizens);
      await Promise.all(warm.map((a) => timedRequest(echo.url, 'POST', CHALLENGE, '{}', a)));
      await schedule(arrivals(mode, seed + 7).slice(0, warmCitizens), async (i) => {
        await timedRequest(echo.url, 'POST', HOLD, body, warm[i]!);
        if (flow === 'steps' && i < places) await timedRequest(echo.url, 'POST', `${HOLD}/ABCDEFGH/confirm`, JSON.stringify({ k: 'x'.repeat(16) }), warm[i]!);
      });
      closeAll(warm);
    }
    const cpu0 = cpuMs(echo.pid);
    const { results } = await schedule(arrivals(mode, seed), async (i) => {
      const h = await timedRequest(echo.url, 'POST', HOLD, body, agents[i]!);
      const c = winners[i] ? await timedRequest(echo.url, 'POST', `${HOLD}/ABCDEFGH/confirm`, JSON.stringify({ k: 'x'.repeat(16) }), agents[i]!) : null;
      return { h: h.ms, c: c?.ms ?? null };
    });
    const confirm = results.flatMap((r) => (r.c === null ? [] : [r.c]));
    return { hold: results.map((r) => r.h), confirm, cpuPerRequestMs: (cpuMs(echo.pid) - cpu0) / (citizens + confirm.length) };
  } finally {
    closeAll(agents);
    await echo.stop();
  }
}

console.log(machineLine());
// The cases: the page's rush spread over the first second on kept connections (the goal's), the same in
// the API's two steps (hold, then confirm), the page's rush all at one instant, and spread on fresh connections.
type Case = { name: 'page' | 'steps' | 'instant' | 'fresh'; mode: Mode; conn: Conn; flow: Flow };
const connOnly = args.flags.get('conn');
const flowOnly = args.flags.get('flow');
const cases = ([
  { name: 'page', mode: 'spread', conn: 'kept', flow: 'page' },
  { name: 'steps', mode: 'spread', conn: 'kept', flow: 'steps' },
  { name: 'instant', mode: 'instant', conn: 'kept', flow: 'page' },
  { name: 'fresh', mode: 'spread', conn: 'fresh', flow: 'page' },
] as Case[]).filter((c) => (!only || c.mode === only) && (!connOnly || c.conn === connOnly) && (!flowOnly || c.flow === flowOnly));
const byCase = new Map<Case['name'], Row[]>(cases.map((c) => [c.name, []]));
// The load generator's own code is compiled before anything is timed (a rush against a throwaway echo, each
// case's flow): otherwise the first round's figures, and all of --cold's, include the client warming up.
for (const c of cases) await echoRun(c.mode, c.conn, c.flow, 999, Array.from({ length: citizens }, (_, i) => c.flow === 'steps' && i < places));
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    const seed = 1000 + r;
    const g = await giliranRun(c.mode, c.conn, c.flow, seed);
    const e = await echoRun(c.mode, c.conn, c.flow, seed, g.winners);
    const row: Row = { ...g.row, echoP50: quantile(e.hold, 0.5), echoP99: p99(e.hold), echoConfirmP99: p99(e.confirm), echoCpuPerRequestMs: e.cpuPerRequestMs };
    byCase.get(c.name)!.push(row);
    console.log(
      `round ${r + 1} ${`${c.mode} ${c.conn} ${c.flow}`.padEnd(19)}: ${row.won}/${places} confirmed, ${row.full} full, ${row.other} other, ${row.left} left; ${c.flow === 'page' ? `hold+confirm p50 ${fmt(row.holdP50)} ms p99 ${fmt(row.holdP99)} ms; echo p50 ${fmt(row.echoP50)} ms p99 ${fmt(row.echoP99)} ms;` : `hold p50 ${fmt(row.holdP50)} ms p99 ${fmt(row.holdP99)} ms; confirm p50 ${fmt(row.confirmP50)} ms p99 ${fmt(row.confirmP99)} ms; echo p50 ${fmt(row.echoP50)} ms p99 ${fmt(row.echoP99)} ms (its confirms p99 ${fmt(row.echoConfirmP99)} ms);`} client late p99 ${fmt(row.lateP99)} ms; server CPU ${fmt(row.cpuPerRequestMs, 3)} ms a request (event loop ${fmt(row.mainCpuPerRequestMs, 3)}; echo ${fmt(row.echoCpuPerRequestMs, 3)})`,
    );
  }
}

function summarise(rows: Row[]) {
  const m = (k: keyof Row) => round(median(rows.map((x) => x[k])));
  return {
    hold: { p50Ms: m('holdP50'), p99Ms: m('holdP99') },
    confirm: { p50Ms: m('confirmP50'), p99Ms: m('confirmP99') },
    echo: { p50Ms: m('echoP50'), p99Ms: m('echoP99'), confirmP99Ms: m('echoConfirmP99') },
    ratios: { holdP99VsEcho: round(median(rows.map((x) => x.holdP99 / x.echoP99))), confirmP99VsEcho: round(median(rows.map((x) => x.confirmP99 / x.echoConfirmP99))) },
    won: rows.map((x) => x.won),
    exact: rows.every((x) => x.won === places && x.other === 0 && x.full === citizens - places && x.left === 0),
    clientLateP99Ms: m('lateP99'),
    serverCpuPerRequestMs: round(median(rows.map((x) => x.cpuPerRequestMs)), 3),
    serverEventLoopCpuPerRequestMs: round(median(rows.map((x) => x.mainCpuPerRequestMs)), 3),
    echoCpuPerRequestMs: round(median(rows.map((x) => x.echoCpuPerRequestMs)), 3),
  };
}
const summaryOf = (name: Case['name']) => (byCase.get(name)?.length ? summarise(byCase.get(name)!) : null);
const page = summaryOf('page');
const steps = summaryOf('steps');
const instant = summaryOf('instant');
const fresh = summaryOf('fresh');
const summary = {
  config: { citizens, places, rounds, spreadMs, warmCitizens, arrivals: 'spread: uniform random over the first spreadMs (Poisson conditioned on N); instant: one synchronous loop', flows: "page: the booking page's one request, a hold with confirm: true (book/booking-api.ts); steps: a hold, then POST …/confirm", server: 'own process (node with the FLAGS of scripts/run-server.sh, --import tsx bench/support/booking-server.ts)', client: 'node:http; kept: each citizen its own keep-alive connection, opened by its challenge request; fresh: a new connection per request' },
  machine: machine(),
  // `book`: the page's request that holds and confirms (spread, kept); `hold` and `confirm`: the two steps' (spread, kept).
  book: page?.hold ?? null,
  hold: steps?.hold ?? null,
  confirm: steps?.confirm ?? null,
  echo: { page: page?.echo ?? null, steps: steps?.echo ?? null },
  ratios: { bookP99VsEcho: page?.ratios.holdP99VsEcho ?? null, holdP99VsEcho: steps?.ratios.holdP99VsEcho ?? null, confirmP99VsEcho: steps?.ratios.confirmP99VsEcho ?? null },
  won: (page ?? steps ?? instant ?? fresh)!.won,
  page,
  steps,
  instant,
  fresh,
  goals: {
    exactlyAllPlaces: [page, steps, instant, fresh].every((x) => x === null || x.exact),
    bookP99AtMost50ms: page ? page.hold.p99Ms <= 50 : null,
    holdP99AtMost50ms: steps ? steps.hold.p99Ms <= 50 : null,
    confirmP99AtMost50ms: steps ? steps.confirm.p99Ms <= 50 : null,
  },
};
printSummary(summary);
process.exit(summary.goals.exactlyAllPlaces ? 0 : 1);
