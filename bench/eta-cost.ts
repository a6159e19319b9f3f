// The cost of one wait estimate on a busy day, by the number of tickets the
// day has issued (the estimate must not walk the whole day). In-process,
// through the pure domain: a seeded day of N tickets (7 services, priority and
// booked tickets, 4 counters calling and finishing so ~20–40 wait), then
// rangeForNewTicket for a new ticket at distinct instants (each builds the
// model anew). With --old DIR (a copy of the repository, e.g. `git archive
// <commit> server protocol | tar -x -C DIR`) the same days are built and
// measured with DIR's domain too, alternating, in the same run, and every
// estimate of the two is compared (they must be equal).
//
//   npx tsx bench/eta-cost.ts [--old DIR] [--sizes 300,3000] [--estimates 400] [--rounds 5]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Actor, OfficeConfig } from '../protocol/model.ts';
import { rng } from '../server/domain/eta.ts';
import { ROOT } from './support/lib.ts';

type Domain = {
  label: string;
  decide: typeof import('../server/domain/commands.ts').decide;
  state: typeof import('../server/domain/state.ts');
  eta: typeof import('../server/domain/eta.ts');
  offices: typeof import('../server/seed/demo-offices.ts').demoOffices;
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const SIZES = (arg('sizes') ?? '300,3000').split(',').map(Number);
const ESTIMATES = Number(arg('estimates') ?? 400);
const ROUNDS = Number(arg('rounds') ?? 5);
const OLD = arg('old');

async function load(dir: string, label: string): Promise<Domain> {
  const imp = (p: string) => import(pathToFileURL(path.join(dir, p)).href);
  return {
    label,
    decide: (await imp('server/domain/commands.ts')).decide,
    state: await imp('server/domain/state.ts'),
    eta: await imp('server/domain/eta.ts'),
    offices: (await imp('server/seed/demo-offices.ts')).demoOffices,
  };
}

const DAY = '2026-11-23';
/** 08:00 WITA. */
const OPEN = Date.parse('2026-11-23T00:00:00.000Z');
const CLERK: Actor = { kind: 'user', id: 'petugas1', name: 'Petugas 1', role: 'clerk' };

/** A day of n tickets; returns the state, the office, the instant after the last command and the build time. */
function buildDay(d: Domain, n: number, seed: number) {
  const office: OfficeConfig = d.offices()[0]!;
  office.rules = { ...office.rules, enforceHours: false };
  const state = d.state.emptyDay(office.id, DAY);
  const r = rng(seed);
  const services = office.services.map((s) => s.id);
  // 7 hours: the step keeps the day within them whatever n.
  const step = Math.floor((7 * 3_600_000) / n);
  let now = OPEN;
  const run = (cmd: Parameters<Domain['decide']>[2]) => {
    const res = d.decide(state, office, cmd, { now: new Date(now), actor: CLERK });
    if (res.ok && !res.replayed) d.state.applyCommit(state, office, res.commit);
    return res;
  };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const service = services[Math.floor(r() * services.length)]!;
    const booked = r() < 0.1;
    run({
      type: 'issue',
      service,
      source: booked ? 'booking' : 'kiosk',
      priority: r() < 0.05 ? 'elderly' : null,
      bookingSlot: booked ? new Date(now + Math.floor(r() * 90) * 60_000).toISOString() : null,
    });
    now += step;
    // The counters keep the queue at ~20–40.
    if (state.waiting.size > 20 + Math.floor(r() * 20)) {
      for (const c of office.counters) {
        if (state.counters.get(c.id)?.ticketId) run({ type: 'finish', counterId: c.id, outcome: 'done' });
        run({ type: 'call_next', counterId: c.id });
      }
    }
  }
  return { state, office, now, buildMs: performance.now() - t0 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

async function main(): Promise<void> {
  const domains = [await load(ROOT, 'this tree')];
  if (OLD) domains.push(await load(path.resolve(OLD), `old (${OLD})`));
  const per: Record<string, Record<number, { estimate: number[]; build: number[] }>> = {};
  let mismatches = 0;
  let compared = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of SIZES) {
      const seed = 1000 + n;
      const results: Array<{ waits: string[]; issued: string[] }> = [];
      // Alternate which goes first.
      const order = round % 2 ? [...domains].reverse() : domains;
      for (const d of order) {
        const day = buildDay(d, n, seed);
        const services = day.office.services.map((s) => s.id);
        const times: number[] = [];
        const waits: string[] = [];
        for (let k = 0; k < ESTIMATES; k++) {
          const at = day.now + k * 1000 + 1;
          const sid = services[k % services.length]!;
          const t0 = performance.now();
          const p = d.eta.rangeForNewTicket(day.state, day.office, sid, at, k % 5 === 0 ? { bookingSlot: at + 1_800_000 } : {});
          times.push(performance.now() - t0);
          waits.push(`${p.ahead}:${p.wait.low}-${p.wait.high}`);
        }
        const slot = ((per[d.label] ??= {})[n] ??= { estimate: [], build: [] });
        slot.estimate.push(median(times));
        slot.build.push(day.buildMs);
        const issued = [...day.state.tickets.values()].map((t) => `${t.id}:${t.waitAtIssue?.low}-${t.waitAtIssue?.high}`);
        results.push({ waits, issued });
      }
      if (results.length === 2) {
        const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
        compared += a.waits.length + a.issued.length;
        a.waits.forEach((w, i) => (mismatches += w === b.waits[i] ? 0 : 1));
        if (a.issued.length !== b.issued.length) mismatches += Math.abs(a.issued.length - b.issued.length);
        a.issued.forEach((w, i) => (mismatches += w === b.issued[i] ? 0 : 1));
      }
    }
  }
  for (const [label, bySize] of Object.entries(per)) {
    for (const [n, x] of Object.entries(bySize)) {
      console.log(`${label.padEnd(28)} ${String(n).padStart(5)} tickets: estimate median ${median(x.estimate).toFixed(3)} ms (rounds: ${x.estimate.map((v) => v.toFixed(3)).join(', ')}); building the day through decide ${median(x.build).toFixed(0)} ms`);
    }
  }
  if (domains.length === 2) console.log(`compared ${compared} estimates (new-ticket ranges and every ticket's waitAtIssue): ${mismatches} differ`);
  console.log(JSON.stringify({ bench: 'eta-cost', per: Object.fromEntries(Object.entries(per).map(([l, b]) => [l, Object.fromEntries(Object.entries(b).map(([n, x]) => [n, { estimateMs: median(x.estimate), buildMs: median(x.build) }]))])), mismatches }));
  if (mismatches > 0) process.exitCode = 1;
}

await main();
