// The queue rules: a command against the current day's state decides the
// events to record, or a typed error. Pure: time and actor come in `ctx`;
// nothing here mutates the state (the reducer does, after the store commits).
import type { Command } from '../../protocol/commands.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { Actor, OfficeConfig, PrecheckResult, QueueEvent, ServiceConfig, Ticket } from '../../protocol/model.ts';
import { bindingRefusal, callTicketRefusal, evaluatePrecheck, inReinstateWindow, ISSUE_BLOCK_CODE, issueRefusal, precheckProblems, refusalFor, signInRefusal } from '../../protocol/rules.ts';
import { refuse, refuseAny, refuseCounterState, type Refused } from './refusals.ts';
import { rangeForNewTicket } from './eta.ts';
import { surveyRefusal } from './ikm.ts';
import { etaForNewTicket, pickNext } from './routing.ts';
import { counterOf, type Commit, type DayState } from './state.ts';
import { isOpenAt, officeDayOf } from './time.ts';

export interface CommandContext {
  now: Date;
  actor: Actor;
}

export type Decision =
  | { ok: true; replayed: false; commit: Commit }
  | { ok: true; replayed: true; ticketId: string | null; version: number }
  | { ok: false; code: ErrorCode };

/** A refusal comes only from `refuse`, which holds it to the command's list in refusals.ts. */
type Outcome = { events: QueueEvent[]; ticketId: string | null } | Refused;

export function resolveService(office: OfficeConfig, ref: string): ServiceConfig | undefined {
  return office.services.find((s) => s.id === ref) ?? office.services.find((s) => s.prefix === ref);
}

export function formatNumber(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(3, '0')}`;
}

export function ticketIdOf(officeDay: string, number: string): string {
  return `${officeDay}/${number}`;
}

function findTicket(state: DayState, ref: string): Ticket | undefined {
  return state.tickets.get(ref.includes('/') ? ref : ticketIdOf(state.officeDay, ref));
}

/** What makes two commands "the same" for an idempotency key. */
export function fingerprintOf(cmd: Command): string {
  const { key: _key, ...rest } = cmd;
  return stableJson(rest);
}

/** JSON with object keys sorted at every depth, so equal commands give equal text. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Decide a command. A repeated idempotency key returns the first result and no events. */
export function decide(state: DayState, office: OfficeConfig, cmd: Command, ctx: CommandContext): Decision {
  if (cmd.key !== undefined) {
    const seen = state.idempotency.get(cmd.key);
    if (seen) {
      if (seen.fingerprint !== fingerprintOf(cmd)) return { ok: false, code: refuseAny('idempotency_conflict') };
      return { ok: true, replayed: true, ticketId: seen.ticketId, version: seen.version };
    }
  }
  if (officeDayOf(ctx.now, office.timeZone) !== state.officeDay) return { ok: false, code: refuseAny('day_mismatch') };
  const out = decideFresh(state, office, cmd, ctx);
  if (typeof out === 'string') return { ok: false, code: out };
  const commit: Commit = { version: state.version + 1, ticketId: out.ticketId, events: out.events };
  if (cmd.key !== undefined) {
    commit.key = cmd.key;
    commit.fingerprint = fingerprintOf(cmd);
  }
  return { ok: true, replayed: false, commit };
}

function decideFresh(state: DayState, office: OfficeConfig, cmd: Command, ctx: CommandContext): Outcome {
  const at = ctx.now.toISOString();
  const base = { at, actor: ctx.actor };

  if (cmd.type === 'issue') return issue(state, office, cmd, ctx);
  if (cmd.type === 'reinstate') {
    const t = findTicket(state, cmd.ticket);
    if (!t) return refuse(cmd, 'ticket_not_found');
    if (t.state !== 'no_show') return refuse(cmd, 'invalid_state');
    if (!inReinstateWindow(t, office.rules.reinstateWindowMinutes, ctx.now.getTime())) return refuse(cmd, 'reinstate_window_passed');
    return { events: [{ ...base, type: 'ticket_reinstated', ticketId: t.id }], ticketId: t.id };
  }
  if (cmd.type === 'cancel') {
    const t = findTicket(state, cmd.ticket);
    if (!t) return refuse(cmd, 'ticket_not_found');
    // The holder withdraws from a phone only while waiting: once called, it is for the counter to settle.
    if (ctx.actor.kind === 'citizen' && t.state !== 'waiting') return refuse(cmd, 'cancel_too_late');
    if (t.state === 'done' || t.state === 'cancelled') return refuse(cmd, 'invalid_state');
    // Another clerk's ticket in hand (or set aside) is theirs to cancel.
    const holder = t.counterId && t.state !== 'waiting' ? counterOf(state, office, t.counterId) : undefined;
    if (holder && bindingRefusal(holder, ctx.actor)) return refuse(cmd, 'counter_taken');
    const heldBy = t.state === 'called' || t.state === 'serving' ? t.counterId : null;
    return { events: [{ ...base, type: 'ticket_cancelled', ticketId: t.id, counterId: heldBy, reason: cmd.reason }], ticketId: t.id };
  }
  if (cmd.type === 'move_ticket') {
    const t = findTicket(state, cmd.ticket);
    if (!t) return refuse(cmd, 'ticket_not_found');
    if (t.state !== 'waiting') return refuse(cmd, 'ticket_not_waiting');
    const target = transferTarget(office, t.serviceId, cmd.toService, cmd.toCounter);
    if (typeof target === 'string') return refuse(cmd, target);
    return {
      events: [{ ...base, type: 'ticket_transferred', ticketId: t.id, fromCounterId: null, ...target, precedence: cmd.precedence }],
      ticketId: t.id,
    };
  }
  if (cmd.type === 'record_precheck') {
    const s = resolveService(office, cmd.service);
    if (!s) return refuse(cmd, 'service_not_found');
    // With the kiosk's answers, they must give this failure (passed = false, the same missing items).
    if (precheckProblems(s, cmd.answers ? { ...cmd, passed: false } : cmd).length > 0) return refuse(cmd, 'bad_request');
    return { events: [{ ...base, type: 'precheck_failed', serviceId: s.id, subcase: cmd.subcase, missing: [...cmd.missing] }], ticketId: null };
  }
  if (cmd.type === 'answer_survey') {
    const t = findTicket(state, cmd.ticket);
    const refused = surveyRefusal(t, t ? state.surveyed.has(t.id) : false);
    if (refused || !t) return refuse(cmd, refused ?? 'ticket_not_found');
    const e: QueueEvent = {
      ...base,
      type: 'survey_answered',
      ticketId: t.id,
      serviceId: t.serviceId,
      counterId: state.finishedBy.get(t.id) ?? null,
      scores: [...cmd.scores],
      respondent: cmd.respondent && Object.keys(cmd.respondent).length > 0 ? { ...cmd.respondent } : null,
      comment: cmd.comment ?? null,
    };
    return { events: [e], ticketId: t.id };
  }
  if (cmd.type === 'close_service' || cmd.type === 'reopen_service') {
    const s = resolveService(office, cmd.service);
    if (!s) return refuse(cmd, 'service_not_found');
    if (cmd.type === 'close_service') {
      if (state.closedServices.has(s.id)) return refuse(cmd, 'service_closed');
      return { events: [{ ...base, type: 'service_closed', serviceId: s.id, reason: cmd.reason }], ticketId: null };
    }
    if (!state.closedServices.has(s.id)) return refuse(cmd, 'invalid_state');
    return { events: [{ ...base, type: 'service_reopened', serviceId: s.id }], ticketId: null };
  }

  const counter = counterOf(state, office, cmd.counterId);
  if (!counter) return refuse(cmd, 'counter_not_found');
  const held = counter.ticketId ? state.tickets.get(counter.ticketId) : undefined;
  // Who may work the counter, and what its state allows (protocol/rules.ts, shared with the counter page).
  const refused = cmd.type === 'sign_in' ? signInRefusal(counter, ctx.actor) : refusalFor(cmd.type, counter, held, ctx.actor);
  if (refused) return refuseCounterState(cmd, refused);

  switch (cmd.type) {
    case 'call_next': {
      const next = pickNext(state, office, counter, at);
      if (!next) return refuse(cmd, 'queue_empty');
      return { events: [{ ...base, type: 'ticket_called', ticketId: next.id, counterId: counter.id, mode: 'next' }], ticketId: next.id };
    }
    case 'call_ticket': {
      const t = findTicket(state, cmd.ticket);
      if (!t) return refuse(cmd, 'ticket_not_found');
      const wrong = callTicketRefusal(t, counter);
      if (wrong) return refuse(cmd, wrong);
      return {
        events: [{ ...base, type: 'ticket_called', ticketId: t.id, counterId: counter.id, mode: 'specific', reason: cmd.reason }],
        ticketId: t.id,
      };
    }
    case 'recall': {
      if (!held) return refuse(cmd, 'counter_idle');
      return { events: [{ ...base, type: 'ticket_recalled', ticketId: held.id, counterId: counter.id }], ticketId: held.id };
    }
    case 'start': {
      if (!held) return refuse(cmd, 'counter_idle');
      return { events: [{ ...base, type: 'service_started', ticketId: held.id, counterId: counter.id }], ticketId: held.id };
    }
    case 'finish': {
      if (!held) return refuse(cmd, 'counter_idle');
      const events: QueueEvent[] = [{ ...base, type: 'ticket_finished', ticketId: held.id, counterId: counter.id, outcome: cmd.outcome }];
      if (counter.autoCallNext && !counter.paused) {
        const next = pickNext(state, office, { ...counter, ticketId: null }, at);
        if (next) events.push({ ...base, type: 'ticket_called', ticketId: next.id, counterId: counter.id, mode: 'auto' });
      }
      return { events, ticketId: held.id };
    }
    case 'no_show': {
      if (!held) return refuse(cmd, 'counter_idle');
      return { events: [{ ...base, type: 'ticket_no_show', ticketId: held.id, counterId: counter.id }], ticketId: held.id };
    }
    case 'transfer': {
      if (!held) return refuse(cmd, 'counter_idle');
      const target = transferTarget(office, held.serviceId, cmd.toService, cmd.toCounter);
      if (typeof target === 'string') return refuse(cmd, target);
      return {
        events: [{ ...base, type: 'ticket_transferred', ticketId: held.id, fromCounterId: counter.id, ...target, precedence: cmd.precedence }],
        ticketId: held.id,
      };
    }
    case 'park': {
      if (!held) return refuse(cmd, 'counter_idle');
      const e: QueueEvent = { ...base, type: 'ticket_parked', ticketId: held.id, counterId: counter.id };
      if (cmd.reason !== undefined) e.reason = cmd.reason;
      return { events: [e], ticketId: held.id };
    }
    case 'return': {
      const t = findTicket(state, cmd.ticket);
      if (!t) return refuse(cmd, 'ticket_not_found');
      if (t.state !== 'parked' || t.counterId !== counter.id) return refuse(cmd, 'invalid_state');
      return { events: [{ ...base, type: 'ticket_called', ticketId: t.id, counterId: counter.id, mode: 'return' }], ticketId: t.id };
    }
    case 'pause': {
      return { events: [{ ...base, type: 'counter_paused', counterId: counter.id, reason: cmd.reason, note: cmd.note ?? null }], ticketId: null };
    }
    case 'resume':
      return { events: [{ ...base, type: 'counter_resumed', counterId: counter.id }], ticketId: null };
    case 'sign_in':
      return { events: [{ ...base, type: 'counter_signed_in', counterId: counter.id }], ticketId: null };
    case 'sign_out':
      return { events: [{ ...base, type: 'counter_signed_out', counterId: counter.id }], ticketId: null };
    case 'configure_counter': {
      const ids: string[] = [];
      for (const ref of cmd.services) {
        const s = resolveService(office, ref);
        if (!s) return refuse(cmd, 'service_not_found');
        if (!ids.includes(s.id)) ids.push(s.id);
      }
      return {
        events: [{ ...base, type: 'counter_configured', counterId: counter.id, services: ids, autoCallNext: cmd.autoCallNext }],
        ticketId: null,
      };
    }
  }
}

/** Where a transfer or move sends a ticket: another service, a named counter, or both. */
function transferTarget(
  office: OfficeConfig,
  currentServiceId: string,
  toService: string | undefined,
  toCounter: string | undefined,
): { toServiceId: string; toCounterId: string | null } | 'bad_request' | 'service_not_found' | 'counter_not_found' {
  if (toService === undefined && toCounter === undefined) return 'bad_request';
  let toServiceId = currentServiceId;
  if (toService !== undefined) {
    const s = resolveService(office, toService);
    if (!s) return 'service_not_found';
    toServiceId = s.id;
  }
  if (toCounter !== undefined && !office.counters.some((c) => c.id === toCounter)) return 'counter_not_found';
  return { toServiceId, toCounterId: toCounter ?? null };
}

/**
 * What the ticket keeps of a pre-check that fits (precheckProblems): with the
 * kiosk's answers, the evaluation's record (which alternatives were brought,
 * how the questions were answered, for the counter); the answers themselves
 * are not kept.
 */
function precheckRecord(service: ServiceConfig, p: NonNullable<Extract<Command, { type: 'issue' }>['precheck']>): PrecheckResult {
  const sub = service.subcases.find((s) => s.id === p.subcase);
  if (p.answers && sub) return evaluatePrecheck(sub, p.answers).result;
  return { subcase: p.subcase, passed: p.passed, missing: [...p.missing] };
}

function issue(state: DayState, office: OfficeConfig, cmd: Extract<Command, { type: 'issue' }>, ctx: CommandContext): Outcome {
  const service = resolveService(office, cmd.service);
  if (!service) return refuse(cmd, 'service_not_found');
  const source = cmd.source ?? 'api';
  const blocked = issueRefusal(service, {
    closed: state.closedServices.has(service.id),
    issued: state.issued.get(service.id) ?? { walkIn: 0, online: 0 },
    source,
    enforceHours: office.rules.enforceHours,
    openNow: !office.rules.enforceHours || isOpenAt(office.hours, office.timeZone, ctx.now, office.closedDays),
  });
  if (blocked) return refuse(cmd, ISSUE_BLOCK_CODE[blocked]);
  if (cmd.precheck && precheckProblems(service, cmd.precheck).length > 0) return refuse(cmd, 'bad_request');
  const ticket = newTicket(state, office, service, { source, priority: cmd.priority ?? null, precheck: cmd.precheck ? precheckRecord(service, cmd.precheck) : null, bookingSlot: source === 'booking' ? (cmd.bookingSlot ?? null) : null }, ctx.now);
  const at = ctx.now.toISOString();
  return { events: [{ at, actor: ctx.actor, type: 'ticket_issued', ticket }], ticketId: ticket.id };
}

export interface NewTicket {
  source: Ticket['source'];
  priority: Ticket['priority'];
  precheck: PrecheckResult | null;
  /** Booking tickets only: the slot start. */
  bookingSlot: string | null;
}

/** The next ticket of `service` today, as issue (and a booking's check-in) records it. */
export function newTicket(state: DayState, office: OfficeConfig, service: ServiceConfig, t: NewTicket, now: Date): Ticket {
  const online = t.source === 'booking';
  const prefix = service.prefix;
  const seq = (state.lastSeq.get(prefix) ?? 0) + 1;
  const number = formatNumber(prefix, seq);
  const at = now.toISOString();
  const slot = online && t.bookingSlot ? t.bookingSlot : null;
  return {
    id: ticketIdOf(state.officeDay, number),
    number,
    serviceId: service.id,
    seq,
    officeDay: state.officeDay,
    priority: t.priority,
    source: t.source,
    state: 'waiting',
    counterId: null,
    targetCounterId: null,
    precedence: false,
    // One spelling of instants everywhere, so ISO strings compare in time order.
    bookingSlot: slot ? new Date(slot).toISOString() : null,
    issuedAt: at,
    queuedAt: at,
    calledAt: null,
    startedAt: null,
    finishedAt: null,
    calls: 0,
    outcome: null,
    precheck: t.precheck,
    etaMinutesAtIssue: etaForNewTicket(state, office, service.id),
    waitAtIssue: rangeForNewTicket(state, office, service.id, now.getTime(), {
      priority: t.priority != null,
      bookingSlot: slot ? Date.parse(slot) : null,
    }).wait,
    aheadAtIssue: state.waitingByService.get(service.id)?.length ?? 0,
    transfers: 0,
  };
}

/**
 * Called tickets nobody came for: `noShowAfterMinutes` after the last call,
 * or one minute after the last of `noShowAfterRecalls` recalls. The server
 * marks them no-show as the system.
 */
export function dueNoShows(state: DayState, office: OfficeConfig, now: Date): Ticket[] {
  const { noShowAfterMinutes, noShowAfterRecalls } = office.rules;
  const due: Ticket[] = [];
  for (const c of state.counters.values()) {
    const t = c.ticketId ? state.tickets.get(c.ticketId) : undefined;
    if (t?.state !== 'called') continue;
    const last = state.lastCallAt.get(t.id) ?? t.calledAt;
    if (!last) continue;
    const since = now.getTime() - Date.parse(last);
    const byTime = noShowAfterMinutes > 0 && since >= noShowAfterMinutes * 60_000;
    const byRecalls = noShowAfterRecalls > 0 && t.calls > noShowAfterRecalls && since >= 60_000;
    if (byTime || byRecalls) due.push(t);
  }
  return due;
}
