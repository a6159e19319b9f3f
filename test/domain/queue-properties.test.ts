// Queue invariants under random command sequences (fast-check): whatever the
// counters press, in whatever order, the queue stays consistent.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { Command } from '../../protocol/commands.ts';
import { FINISH_OUTCOMES, PAUSE_REASONS, HELD_STATES, PRIORITY_GROUPS, TICKET_STATES, type CounterState, type OfficeConfig, type Ticket } from '../../protocol/model.ts';
import { counterOf, olderFirst, type Commit, type DayState } from '../../server/domain/state.ts';
import { pickNext } from '../../server/domain/routing.ts';
import { deltaOf, snapshotOf } from '../../server/domain/views.ts';
import { callableTickets } from '../../counter/queue-view.ts';
import { DAY, Sim, kupang, replay, withCounters } from '../helpers/domain.ts';

const START = '2026-11-23T00:00:00.000Z'; // 08:00 WITA
const LATEST = Date.parse('2026-11-23T15:00:00.000Z'); // 23:00 WITA: stay inside the office day
const RUNS = 200;

/**
 * expect(a).toEqual(b), with the cheap strict comparison first: the matcher
 * (and its message) only runs when they differ. Checked after every step of
 * every run, the matcher's overhead was most of this file's time.
 */
function same<T>(actual: T, expected: T): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
}

// ---------------------------------------------------------------- generators

const SERVICES = ['ktp-el', 'kk', 'kia', 'akta', 'informasi'] as const;
const PREFIXES = ['A', 'B', 'C', 'D', 'G'] as const;
const KEYS = Array.from({ length: 12 }, (_, i) => `key-${String(i).padStart(5, '0')}`);

const counterArb = fc.constantFrom('1', '2', '3', '4');
const serviceArb = fc.constantFrom(...SERVICES);
const ticketArb = fc
  .tuple(fc.constantFrom(...PREFIXES), fc.integer({ min: 1, max: 6 }))
  .map(([p, n]) => `${p}${String(n).padStart(3, '0')}`);
const slotArb = fc.integer({ min: -30, max: 240 }).map((m) => new Date(Date.parse(START) + m * 60_000).toISOString());

const issueArb: fc.Arbitrary<Command> = fc
  .tuple(serviceArb, fc.option(fc.constantFrom(...PRIORITY_GROUPS), { nil: null, freq: 2 }), fc.constantFrom('kiosk', 'counter', 'api', 'booking'), slotArb)
  .map(([service, priority, source, slot]) =>
    source === 'booking' ? { type: 'issue', service, priority, source, bookingSlot: slot } : { type: 'issue', service, priority, source },
  );

const transferArb: fc.Arbitrary<Command> = fc
  .tuple(counterArb, fc.option(serviceArb, { nil: undefined }), fc.option(counterArb, { nil: undefined }), fc.boolean())
  .map(([counterId, toService, toCounter, precedence]) => {
    const cmd: Command = { type: 'transfer', counterId, precedence };
    if (toService !== undefined) cmd.toService = toService;
    if (toCounter !== undefined) cmd.toCounter = toCounter;
    return cmd;
  });

const moveArb: fc.Arbitrary<Command> = fc
  .tuple(ticketArb, fc.option(serviceArb, { nil: undefined }), fc.option(counterArb, { nil: undefined }), fc.boolean())
  .map(([ticket, toService, toCounter, precedence]) => {
    const cmd: Command = { type: 'move_ticket', ticket, precedence };
    if (toService !== undefined) cmd.toService = toService;
    if (toCounter !== undefined) cmd.toCounter = toCounter;
    return cmd;
  });

const bareCommandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: issueArb },
  { weight: 8, arbitrary: counterArb.map((counterId): Command => ({ type: 'call_next', counterId })) },
  { weight: 2, arbitrary: fc.tuple(counterArb, ticketArb).map(([counterId, ticket]): Command => ({ type: 'call_ticket', counterId, ticket, reason: 'lansia' })) },
  { weight: 2, arbitrary: counterArb.map((counterId): Command => ({ type: 'recall', counterId })) },
  { weight: 4, arbitrary: counterArb.map((counterId): Command => ({ type: 'start', counterId })) },
  { weight: 5, arbitrary: fc.tuple(counterArb, fc.constantFrom(...FINISH_OUTCOMES)).map(([counterId, outcome]): Command => ({ type: 'finish', counterId, outcome })) },
  { weight: 2, arbitrary: counterArb.map((counterId): Command => ({ type: 'no_show', counterId })) },
  { weight: 2, arbitrary: ticketArb.map((ticket): Command => ({ type: 'reinstate', ticket })) },
  { weight: 2, arbitrary: transferArb },
  { weight: 1, arbitrary: moveArb },
  { weight: 2, arbitrary: counterArb.map((counterId): Command => ({ type: 'park', counterId })) },
  { weight: 2, arbitrary: fc.tuple(counterArb, ticketArb).map(([counterId, ticket]): Command => ({ type: 'return', counterId, ticket })) },
  { weight: 1, arbitrary: ticketArb.map((ticket): Command => ({ type: 'cancel', ticket, reason: 'batal' })) },
  { weight: 1, arbitrary: fc.tuple(counterArb, fc.constantFrom(...PAUSE_REASONS)).map(([counterId, reason]): Command => ({ type: 'pause', counterId, reason })) },
  { weight: 2, arbitrary: counterArb.map((counterId): Command => ({ type: 'resume', counterId })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(counterArb, fc.uniqueArray(serviceArb, { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([counterId, services, autoCallNext]): Command => ({ type: 'configure_counter', counterId, services, autoCallNext })),
  },
  { weight: 1, arbitrary: counterArb.map((counterId): Command => ({ type: 'sign_in', counterId })) },
  { weight: 1, arbitrary: counterArb.map((counterId): Command => ({ type: 'sign_out', counterId })) },
  { weight: 1, arbitrary: serviceArb.map((service): Command => ({ type: 'close_service', service, reason: 'blangko habis' })) },
  { weight: 1, arbitrary: serviceArb.map((service): Command => ({ type: 'reopen_service', service })) },
);

const commandArb: fc.Arbitrary<Command> = fc
  .tuple(bareCommandArb, fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) }))
  .map(([cmd, key]) => (key === undefined ? cmd : { ...cmd, key }));

/**
 * `aimed`: the command goes to the index-th counter it makes sense for (a
 * counter holding a ticket for start/finish/…, a paused one for resume, an idle
 * one for call next, the one that parked a ticket for return); `known`: its
 * ticket is the index-th ticket issued so far. Both are resolved when the
 * action runs, so random sequences reach deep states instead of bouncing off
 * "counter idle" and "ticket not found".
 */
type Action =
  | { kind: 'command'; cmd: Command }
  | { kind: 'aimed'; index: number; cmd: Command }
  | { kind: 'known'; index: number; cmd: Command }
  | { kind: 'advance'; seconds: number }
  | { kind: 'repeat'; index: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: issueArb.map((cmd): Action => ({ kind: 'command', cmd })) },
  { weight: 12, arbitrary: commandArb.map((cmd): Action => ({ kind: 'command', cmd })) },
  {
    weight: 14,
    arbitrary: fc
      .tuple(fc.nat(), commandArb)
      .filter(([, cmd]) => 'counterId' in cmd)
      .map(([index, cmd]): Action => ({ kind: 'aimed', index, cmd })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.nat(), commandArb)
      .filter(([, cmd]) => 'ticket' in cmd)
      .map(([index, cmd]): Action => ({ kind: 'known', index, cmd })),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 600, max: 2400 })).map((seconds): Action => ({ kind: 'advance', seconds })),
  },
  { weight: 2, arbitrary: fc.nat().map((index): Action => ({ kind: 'repeat', index })) },
);

interface OfficeParams {
  ratio: number;
  ktpQuota: number | null;
  counter1: string[] | null;
}

const officeArb: fc.Arbitrary<OfficeParams> = fc.record({
  ratio: fc.constantFrom(0, 1, 2, 3),
  ktpQuota: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
  counter1: fc.option(fc.constantFrom(['ktp-el'], ['kia', 'ktp-el'], ['informasi']), { nil: null }),
});

function officeOf(p: OfficeParams): OfficeConfig {
  const office = kupang({ priorityPerRegular: p.ratio, reinstateWindowMinutes: 30 });
  const ktp = office.services.find((s) => s.id === 'ktp-el');
  if (ktp) ktp.quota = { walkIn: p.ktpQuota, online: p.ktpQuota === null ? null : 1 };
  if (p.counter1) withCounters(office, { '1': p.counter1 });
  return office;
}

// ---------------------------------------------------------------- checks

/** Key order and absent-vs-undefined do not make two commands different. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function withoutKey(cmd: Command): string {
  const { key: _key, ...rest } = cmd;
  return canonical(rest);
}

function fail(message: string): never {
  throw new Error(message);
}

const HELD = new Set<string>(HELD_STATES);

/** (1) one counter per ticket, (2) gapless numbers, (3) one state per ticket. */
function checkInvariants(state: DayState, office: OfficeConfig): void {
  const holders = new Map<string, string>();
  for (const c of state.counters.values()) {
    if (c.ticketId === null) continue;
    const other = holders.get(c.ticketId);
    if (other !== undefined) fail(`ticket ${c.ticketId} held by counters ${other} and ${c.id}`);
    holders.set(c.ticketId, c.id);
    const t = state.tickets.get(c.ticketId) ?? fail(`counter ${c.id} holds unknown ticket ${c.ticketId}`);
    if (t.state !== 'called' && t.state !== 'serving') fail(`counter ${c.id} holds ${t.number} in state ${t.state}`);
    if (t.counterId !== c.id) fail(`counter ${c.id} holds ${t.number} whose counterId is ${t.counterId}`);
    if (!office.counters.some((x) => x.id === c.id)) fail(`state knows unconfigured counter ${c.id}`);
  }

  const byPrefix = new Map<string, Ticket[]>();
  for (const [id, t] of state.tickets) {
    if (id !== t.id || t.id !== `${DAY}/${t.number}` || t.officeDay !== DAY) fail(`ticket id ${id} / ${t.id} / ${t.number}`);
    if (!(TICKET_STATES as readonly string[]).includes(t.state)) fail(`ticket ${t.number} in unknown state ${t.state}`);
    const held = t.state === 'called' || t.state === 'serving';
    if (held && holders.get(t.id) !== t.counterId) fail(`${t.number} is ${t.state} at ${t.counterId} but held by ${holders.get(t.id)}`);
    if (t.state === 'parked') {
      if (t.counterId === null) fail(`${t.number} parked by no counter`);
      if (holders.has(t.id)) fail(`${t.number} parked yet held by counter ${holders.get(t.id)}`);
    }
    if (!held && t.state !== 'parked' && t.counterId !== null) fail(`${t.number} is ${t.state} but names counter ${t.counterId}`);
    if (HELD.has(t.state) && (t.precedence || t.targetCounterId !== null)) fail(`${t.number} is ${t.state} with routing flags left over`);
    const prefix = t.number.slice(0, 1);
    if (t.number !== `${prefix}${String(t.seq).padStart(3, '0')}`) fail(`${t.number} has seq ${t.seq}`);
    const list = byPrefix.get(prefix) ?? [];
    list.push(t);
    byPrefix.set(prefix, list);
  }
  for (const [prefix, list] of byPrefix) {
    const seqs = list.map((t) => t.seq).sort((a, b) => a - b);
    seqs.forEach((s, i) => s === i + 1 || fail(`prefix ${prefix} numbers ${seqs.join(',')} are not 1..${seqs.length}`));
    if (state.lastSeq.get(prefix) !== seqs.length) fail(`lastSeq ${prefix} = ${state.lastSeq.get(prefix)}, ${seqs.length} tickets`);
  }
  for (const prefix of state.lastSeq.keys()) if (!byPrefix.has(prefix)) fail(`lastSeq for ${prefix} without tickets`);

  const waitingByState = [...state.tickets.values()].filter((t) => t.state === 'waiting').map((t) => t.id).sort();
  same([...state.waiting].sort(), waitingByState);
  // The per-service index holds the same tickets, oldest first.
  const indexed = [...state.waitingByService.values()].flat();
  same(indexed.map((t) => t.id).sort(), waitingByState);
  for (const [serviceId, list] of state.waitingByService) {
    for (const [i, t] of list.entries()) {
      expect(t.serviceId).toBe(serviceId);
      expect(t).toBe(state.tickets.get(t.id));
      if (i > 0) expect(olderFirst(list[i - 1]!, t)).toBeLessThan(0);
    }
  }
}

const CLASS = { precedence: 0, booking: 1, priority: 2, regular: 3 } as const;

function classAt(t: Ticket, nowMs: number): number {
  if (t.precedence) return CLASS.precedence;
  if (t.source === 'booking' && t.bookingSlot !== null && Date.parse(t.bookingSlot) <= nowMs) return CLASS.booking;
  return t.priority ? CLASS.priority : CLASS.regular;
}

/** (5) The ticket call next chose is the best one by the rules, checked against the state before. */
function checkPick(pre: DayState, office: OfficeConfig, counterId: string, picked: Ticket, nowIso: string): void {
  const counter: CounterState = counterOf(pre, office, counterId) ?? fail(`no counter ${counterId}`);
  const nowMs = Date.parse(nowIso);
  const eligible = [...pre.waiting]
    .map((id) => pre.tickets.get(id) ?? fail(`waiting ${id} unknown`))
    .filter((t) => (t.targetCounterId !== null ? t.targetCounterId === counter.id : counter.services.includes(t.serviceId)));
  const p = eligible.find((t) => t.id === picked.id) ?? fail(`${picked.number} was not eligible for counter ${counterId}`);
  const rank = (t: Ticket): number => (t.targetCounterId === counter.id ? -1 : counter.services.indexOf(t.serviceId));
  const cls = (t: Ticket): number => classAt(t, nowMs);

  for (const u of eligible) {
    if (u.id === p.id || cls(u) !== cls(p)) continue;
    if (rank(u) === rank(p) && Date.parse(u.queuedAt) < Date.parse(p.queuedAt)) {
      fail(`FIFO: counter ${counterId} called ${p.number} (queued ${p.queuedAt}) before ${u.number} (queued ${u.queuedAt}) of the same class and rank`);
    }
    if (rank(u) < rank(p)) fail(`counter ${counterId} called ${p.number} (rank ${rank(p)}) before ${u.number} (rank ${rank(u)})`);
  }

  const classes = new Set(eligible.map(cls));
  const top = Math.min(...classes);
  if (top <= CLASS.booking) {
    if (cls(p) !== top) fail(`counter ${counterId} called class ${cls(p)} while class ${top} waited`);
    return;
  }
  if (!(classes.has(CLASS.priority) && classes.has(CLASS.regular))) {
    if (cls(p) !== top) fail(`counter ${counterId} called class ${cls(p)}; only class ${top} waited`);
    return;
  }
  // At ratio 0 the pick is the best priority or the best regular ticket (checked
  // above); which of the two is the it.fails case in queue-rules.test.ts.
  const ratio = office.rules.priorityPerRegular;
  if (ratio > 0) {
    const want = counter.priorityStreak < ratio ? CLASS.priority : CLASS.regular;
    if (cls(p) !== want) fail(`ratio ${ratio}, streak ${counter.priorityStreak}: called class ${cls(p)}, expected ${want}`);
  }
}

/** (7) A delta names every ticket and counter the commit changed. */
function checkDelta(pre: DayState, post: DayState, office: OfficeConfig, commit: Commit): void {
  const delta = deltaOf(post, office, commit);
  const inDelta = new Set(delta.tickets.map((t) => t.id));
  for (const [id, t] of post.tickets) {
    const before = pre.tickets.get(id);
    if (before === undefined || canonical(before) !== canonical(t)) {
      if (!inDelta.has(id)) fail(`delta v${commit.version} (${commit.events.map((e) => e.type).join(',')}) misses changed ticket ${t.number}`);
    }
  }
  const countersInDelta = new Set(delta.counters.map((c) => c.id));
  for (const cfg of office.counters) {
    const a = counterOf(pre, office, cfg.id);
    const b = counterOf(post, office, cfg.id);
    if (canonical(a) !== canonical(b) && !countersInDelta.has(cfg.id)) {
      fail(`delta v${commit.version} (${commit.events.map((e) => e.type).join(',')}) misses changed counter ${cfg.id}`);
    }
  }
}

interface Remembered {
  fingerprint: string;
  ticketId: string | null;
  version: number;
}

function aim(sim: Sim, index: number, cmd: Command): Command {
  if (!('counterId' in cmd)) return cmd;
  const counters = sim.office.counters.map((c) => counterOf(sim.state, sim.office, c.id) ?? fail(`no counter ${c.id}`));
  const pick = <T>(list: T[]): T | undefined => list[index % Math.max(1, list.length)];
  switch (cmd.type) {
    case 'resume': {
      const c = pick(counters.filter((x) => x.paused !== null));
      return c ? { ...cmd, counterId: c.id } : cmd;
    }
    case 'call_next':
    case 'call_ticket': {
      const c = pick(counters.filter((x) => x.paused === null && x.ticketId === null));
      return c ? { ...cmd, counterId: c.id } : cmd;
    }
    case 'return': {
      const t = pick([...sim.state.tickets.values()].filter((x) => x.state === 'parked'));
      return t?.counterId ? { ...cmd, counterId: t.counterId, ticket: t.number } : cmd;
    }
    case 'pause':
    case 'configure_counter':
      return cmd;
    default: {
      const c = pick(counters.filter((x) => x.ticketId !== null));
      return c ? { ...cmd, counterId: c.id } : cmd;
    }
  }
}

/** Runs the actions through a Sim, checking every rule after every step. */
function runScenario(params: OfficeParams, actions: readonly Action[], history?: DayState[]): Sim {
  const office = officeOf(params);
  const sim = new Sim(office, { start: START, step: 5 });
  const sent: Command[] = [];
  const keys = new Map<string, Remembered>();

  for (const action of actions) {
    if (action.kind === 'advance') {
      sim.advance(action.seconds);
      if (sim.now.getTime() > LATEST) sim.at(new Date(LATEST).toISOString());
      continue;
    }
    let cmd: Command;
    if (action.kind === 'repeat') {
      if (sent.length === 0) continue;
      cmd = sent[action.index % sent.length] ?? fail('repeat out of range');
    } else if (action.kind === 'aimed') {
      cmd = aim(sim, action.index, action.cmd);
    } else if (action.kind === 'known') {
      const wanted: Partial<Record<Command['type'], string>> = { reinstate: 'no_show', return: 'parked', move_ticket: 'waiting', call_ticket: 'waiting' };
      const state = wanted[action.cmd.type];
      const all = [...sim.state.tickets.values()].filter((t) => state === undefined || t.state === state);
      const t = all[action.index % Math.max(1, all.length)];
      cmd = t && 'ticket' in action.cmd ? { ...action.cmd, ticket: t.number } : action.cmd;
    } else {
      cmd = action.cmd;
    }
    sent.push(cmd);

    const pre = structuredClone(sim.state);
    const nowIso = sim.now.toISOString();
    const commitsBefore = sim.commits.length;
    const d = sim.run(cmd);
    if (sim.now.getTime() > LATEST) sim.at(new Date(LATEST).toISOString());

    // (6) idempotency: a known key answers with the first result or a conflict.
    const seen = cmd.key === undefined ? undefined : keys.get(cmd.key);
    if (seen) {
      if (seen.fingerprint === withoutKey(cmd)) expect(d).toEqual({ ok: true, replayed: true, ticketId: seen.ticketId, version: seen.version });
      else expect(d).toEqual({ ok: false, code: 'idempotency_conflict' });
    } else if (d.ok) {
      expect(d.replayed).toBe(false);
    }

    if (!d.ok || d.replayed) {
      // (4) a refused or repeated command changes nothing.
      same(sim.state, pre);
      expect(sim.commits.length).toBe(commitsBefore);
      if (!d.ok) expect(d.code).not.toBe('day_mismatch');
    } else {
      const commit = d.commit;
      expect(commit.version).toBe(pre.version + 1);
      expect(sim.state.version).toBe(commit.version);
      if (cmd.key !== undefined) keys.set(cmd.key, { fingerprint: withoutKey(cmd), ticketId: commit.ticketId, version: commit.version });
      for (const e of commit.events) {
        if (e.type === 'ticket_called' && (e.mode === 'next' || e.mode === 'auto')) {
          checkPick(pre, office, e.counterId, pre.tickets.get(e.ticketId) ?? fail(`called unknown ${e.ticketId}`), nowIso);
        }
      }
      checkDelta(pre, sim.state, office, commit);
      history?.push(structuredClone(sim.state));
    }
    checkInvariants(sim.state, office);
  }
  expect(sim.commits.map((c) => c.version)).toEqual(sim.commits.map((_, i) => i + 1));
  return sim;
}

// ---------------------------------------------------------------- properties

describe('queue invariants under random commands', () => {
  it('keeps one counter per ticket, gapless numbers, one state per ticket, FIFO within a class, and idempotent keys', () => {
    fc.assert(
      fc.property(officeArb, fc.array(actionArb, { minLength: 1, maxLength: 80, size: 'max' }), (params, actions) => {
        runScenario(params, actions);
      }),
      { numRuns: RUNS },
    );
  });

  it('rebuilds the live state exactly by replaying the commits onto a fresh day', () => {
    fc.assert(
      fc.property(officeArb, fc.array(actionArb, { minLength: 1, maxLength: 80, size: 'max' }), fc.double({ min: 0, max: 1, noNaN: true }), (params, actions, cut) => {
        const history: DayState[] = [];
        const sim = runScenario(params, actions, history);
        same(replay(sim.office, DAY, sim.commits), sim.state);
        // Replaying a prefix gives the state as it was after that commit.
        const n = Math.floor(cut * sim.commits.length);
        if (n > 0) same(replay(sim.office, DAY, sim.commits.slice(0, n)), history[n - 1]);
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('shows first in the counter page\'s callable list the ticket call next would give (same rules, from a snapshot)', () => {
    fc.assert(
      fc.property(
        officeArb,
        fc.array(actionArb, { minLength: 1, maxLength: 80, size: 'max' }),
        fc.array(fc.integer({ min: Date.parse(START), max: LATEST }), { minLength: 1, maxLength: 3 }),
        (params, actions, instants) => {
          const sim = runScenario(params, actions);
          for (const ms of instants) {
            const now = new Date(ms);
            const nowIso = now.toISOString();
            // What the page holds: the snapshot the server sends, not the day state.
            const snap = snapshotOf(sim.state, sim.office, now);
            for (const shown of snap.counters) {
              const counter = counterOf(sim.state, sim.office, shown.id) ?? fail(`no counter ${shown.id}`);
              const page = callableTickets(snap, shown, nowIso, sim.office.rules.priorityPerRegular);
              expect(page[0]?.id ?? null, `counter ${shown.id} at ${nowIso}`).toBe(pickNext(sim.state, sim.office, counter, nowIso)?.id ?? null);
              // …and lists every waiting ticket the counter may call, once.
              const eligible = [...sim.state.waiting].filter((id) => {
                const t = sim.state.tickets.get(id)!;
                return t.targetCounterId !== null ? t.targetCounterId === counter.id : counter.services.includes(t.serviceId);
              });
              expect(page.map((t) => t.id).sort()).toEqual(eligible.sort());
            }
          }
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });

  it('calls a single-service counter’s plain tickets in issue order', () => {
    const step = fc.oneof(fc.constant<'issue'>('issue'), fc.constant<'call'>('call'));
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => {
        const sim = new Sim(withCounters(kupang(), { '1': ['ktp-el'] }), { start: START });
        const called: number[] = [];
        for (const s of steps) {
          if (s === 'issue') {
            sim.issue('ktp-el');
            continue;
          }
          const d = sim.run({ type: 'call_next', counterId: '1' });
          if (!d.ok) {
            expect(d.code === 'queue_empty' || d.code === 'counter_busy').toBe(true);
            if (d.code === 'counter_busy') sim.ok({ type: 'finish', counterId: '1', outcome: 'done' });
            continue;
          }
          if (d.replayed) throw new Error('unexpected replay');
          called.push(sim.ticket(d.commit.ticketId ?? '').seq);
        }
        expect(called).toEqual(called.map((_, i) => i + 1));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives racing counters different tickets, or queue empty to all but one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.shuffledSubarray(['1', '4'], { minLength: 2, maxLength: 2 }), (waiting, order) => {
        const sim = new Sim(kupang(), { start: START, step: 0 });
        for (let i = 0; i < waiting; i++) sim.issue('ktp-el');
        const results = order.map((counterId) => sim.run({ type: 'call_next', counterId }));
        const got = results.flatMap((d) => (d.ok && !d.replayed ? [d.commit.ticketId] : []));
        expect(new Set(got).size).toBe(got.length);
        expect(got.length).toBe(Math.min(waiting, 2));
        for (const d of results) if (!d.ok) expect(d.code).toBe('queue_empty');
      }),
      { numRuns: 50 },
    );
  });

  it('answers a repeated key with the first ticket, however often it is repeated', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<Command>({ type: 'issue', service: 'ktp-el', source: 'kiosk', key: 'kiosk-1:1' }, { type: 'issue', service: 'kk', source: 'kiosk', key: 'kiosk-1:2' }, { type: 'call_next', counterId: '4', key: 'counter-4:1' }), {
          minLength: 1,
          maxLength: 20,
        }),
        (cmds) => {
          const sim = new Sim(kupang(), { start: START });
          const first = new Map<string, string | null>();
          for (const cmd of cmds) {
            const d = sim.run(cmd);
            const key = cmd.key ?? fail('no key');
            if (!d.ok) continue;
            if (d.replayed) expect(d.ticketId).toBe(first.get(key));
            else {
              expect(first.has(key)).toBe(false);
              first.set(key, d.commit.ticketId);
            }
          }
          // Each keyed command committed at most once.
          expect(sim.commits.length).toBe(first.size);
        },
      ),
      { numRuns: 100 },
    );
  });
});
