// The queue rules the pages need too, in one browser-safe place: ticket order
// and eligibility ("call next"), the reinstate window, what a counter may do
// now (and who may work it), whether a ticket can be issued, whether a kiosk's
// pre-check fits the checklist. The domain (server/domain) decides with these;
// the counter page shows its lists and disabled buttons with the same ones.
// Pure, no zod and no node: type imports only, so page bundles stay small.
import type { ErrorCode } from './errors.ts';
import type { Actor, Bilingual, CounterState, PrecheckResult, Requirement, ServiceConfig, Subcase, Ticket, TicketSource } from './model.ts';

// ---------------------------------------------------------------- ticket order

/** Precedence class: lower is called first. */
export const TicketClass = { TransferredWithPrecedence: 0, DueBooking: 1, Priority: 2, Regular: 3 } as const;
export type TicketClass = (typeof TicketClass)[keyof typeof TicketClass];

// Literal numbers (the TicketClass values): they minify to one character in page bundles.
export function classOf(t: Ticket, nowIso: string): TicketClass {
  if (t.precedence) return 0;
  if (t.source === 'booking' && t.bookingSlot !== null && t.bookingSlot <= nowIso) return 1;
  return t.priority ? 2 : 3;
}

/** Oldest first; ties by issue time then id, so the order is total. */
export function olderFirst(a: Ticket, b: Ticket): number {
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt ? -1 : 1;
  if (a.issuedAt !== b.issuedAt) return a.issuedAt < b.issuedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A waiting ticket this counter may take: one sent to a counter is for that counter only. */
export function isEligible(t: Ticket, counter: CounterState): boolean {
  if (t.state !== 'waiting') return false;
  if (t.targetCounterId !== null) return t.targetCounterId === counter.id;
  return counter.services.includes(t.serviceId);
}

/** Within a class: sent to this counter first, then the counter's first service before its later ones, then oldest. */
function withinClass(counter: CounterState): (a: Ticket, b: Ticket) => number {
  const rank = (t: Ticket): number => (t.targetCounterId === counter.id ? -1 : counter.services.indexOf(t.serviceId));
  return (a, b) => rank(a) - rank(b) || olderFirst(a, b);
}

/** Whether a priority-group ticket is due before a regular one at this counter (both waiting). */
function priorityDue(counter: CounterState, priorityPerRegular: number): boolean {
  return counter.priorityStreak < priorityPerRegular;
}

/**
 * The ticket "call next" gives a counter among `candidates`: transferred-in
 * with precedence, then due bookings, then priority groups (up to
 * `priorityPerRegular` in a row while regular tickets also wait; 0 = no
 * preference), then the rest; within a class see `withinClass`.
 */
export function nextFor(candidates: Iterable<Ticket>, counter: CounterState, nowIso: string, priorityPerRegular: number): Ticket | null {
  const cmp = withinClass(counter);
  const best: Array<Ticket | null> = [null, null, null, null];
  for (const t of candidates) {
    if (!isEligible(t, counter)) continue;
    const cls = classOf(t, nowIso);
    const cur = best[cls];
    if (!cur || cmp(t, cur) < 0) best[cls] = t;
  }
  const [precedence = null, booking = null, priority = null, regular = null] = best;
  if (precedence) return precedence;
  if (booking) return booking;
  if (priority && regular) {
    if (priorityPerRegular <= 0) return cmp(priority, regular) < 0 ? priority : regular; // no preference: one class
    return priorityDue(counter, priorityPerRegular) ? priority : regular;
  }
  return priority ?? regular;
}

/**
 * The tickets a counter may call, in the order "call next" weighs them; the
 * first is the one it would take now (`nextFor`). After it the classes follow
 * in order (the ratio decides the first place only: it moves with each call).
 */
export function callOrder(tickets: readonly Ticket[], counter: CounterState, nowIso: string, priorityPerRegular: number): Ticket[] {
  const cmp = withinClass(counter);
  const merge = priorityPerRegular <= 0; // no preference: priority and regular are one class
  const cls = (t: Ticket): number => Math.min(classOf(t, nowIso), merge ? 2 : 3);
  const list = tickets.filter((t) => isEligible(t, counter)).sort((a, b) => cls(a) - cls(b) || cmp(a, b));
  if (!merge && list[0] && classOf(list[0], nowIso) === 2 && !priorityDue(counter, priorityPerRegular)) {
    const i = list.findIndex((t) => classOf(t, nowIso) === 3);
    if (i > 0) list.unshift(...list.splice(i, 1));
  }
  return list;
}

// ---------------------------------------------------------------- reinstate window

/** A no-show that may still be reinstated (and that screens keep showing). */
export function inReinstateWindow(t: Ticket, windowMinutes: number, nowMs: number): boolean {
  if (t.state !== 'no_show') return false;
  return t.finishedAt === null || nowMs - Date.parse(t.finishedAt) <= windowMinutes * 60_000;
}

// ---------------------------------------------------------------- what a counter may do now

export type CounterCommandType =
  | 'call_next'
  | 'call_ticket'
  | 'recall'
  | 'start'
  | 'finish'
  | 'no_show'
  | 'transfer'
  | 'park'
  | 'return'
  | 'pause'
  | 'resume'
  | 'configure_counter'
  | 'sign_in'
  | 'sign_out';

type Who = Pick<Actor, 'kind' | 'id' | 'role'>;

const isLead = (a: Who): boolean => a.kind === 'user' && (a.role === 'supervisor' || a.role === 'admin');

/**
 * Who may work a counter (issue 15, finding 9). A counter belongs to the
 * person signed in there (`sign_in`); another clerk is refused
 * (`counter_taken`). Supervisors and admins may act at any counter, and so may
 * devices (a keypad through the agent) and the system (no-show timer). A
 * counter nobody is signed in to may be worked by any staff member.
 */
export function bindingRefusal(counter: CounterState, actor: Who): 'counter_taken' | null {
  if (actor.kind !== 'user' || isLead(actor)) return null;
  return counter.staff !== null && counter.staff.id !== actor.id ? 'counter_taken' : null;
}

/**
 * Signing in: anyone may sign in to a counter nobody holds, or that is theirs
 * already. A counter held by someone else is taken over only when it is free
 * (no ticket in hand, not paused): the other clerk left without signing out
 * and nothing of theirs is at stake. Otherwise `counter_taken`, until they
 * sign out, or a supervisor signs them out (`sign_out` releases it).
 */
export function signInRefusal(counter: CounterState, actor: Who): 'counter_taken' | null {
  if (counter.staff === null || counter.staff.id === actor.id) return null;
  return counter.ticketId !== null || counter.paused !== null ? 'counter_taken' : null;
}

type Held = Ticket | null | undefined;
const pausedOrBusy = (c: CounterState, held: Held) => (c.paused ? 'counter_paused' : held ? 'counter_busy' : null);
const calledInHand = (_c: CounterState, held: Held) => (!held ? 'counter_idle' : held.state !== 'called' ? 'invalid_state' : null);
const inHand = (_c: CounterState, held: Held) => (held ? null : 'counter_idle');
const nothing = (): null => null;

/**
 * What the counter's own state says against each command, in the order the
 * domain checks it; null = allowed (the command's own argument, a ticket or a
 * service, is checked after). Each rule's return type is its list of codes,
 * which the domain holds to the command's refusal list (server/domain/refusals.ts).
 */
const COUNTER_STATE_RULES = {
  call_next: pausedOrBusy,
  call_ticket: pausedOrBusy,
  return: pausedOrBusy,
  recall: calledInHand,
  start: calledInHand,
  no_show: calledInHand,
  finish: inHand,
  transfer: inHand,
  park: inHand,
  pause: (c: CounterState) => (c.paused ? 'counter_paused' : null),
  resume: (c: CounterState) => (c.paused ? null : 'counter_not_paused'),
  sign_out: (c: CounterState) => (c.staff === null ? 'invalid_state' : null),
  configure_counter: nothing,
  sign_in: nothing,
} satisfies Record<CounterCommandType, (c: CounterState, held: Held) => ErrorCode | null>;

/** The codes `refusalFor` may answer for command C. */
export type CounterRefusal<C extends CounterCommandType> = NonNullable<ReturnType<(typeof COUNTER_STATE_RULES)[C]>> | 'counter_taken';

/**
 * Whether the counter's state allows command C now: who may work the counter
 * first (with `actor`; for `sign_in` see signInRefusal), then COUNTER_STATE_RULES.
 */
export function refusalFor<C extends CounterCommandType>(command: C, counter: CounterState, held: Held, actor?: Who): CounterRefusal<C> | null {
  const taken = actor && command !== 'sign_in' ? bindingRefusal(counter, actor) : null;
  if (taken) return taken;
  const rule: (c: CounterState, h: Held) => ErrorCode | null = COUNTER_STATE_RULES[command];
  // The table's entry for C is typed by CounterRefusal<C>; TS cannot index a generic table's return type.
  return rule(counter, held) as CounterRefusal<C> | null;
}

/** Whether this counter may call this waiting ticket out of order. */
export function callTicketRefusal(t: Ticket, counter: CounterState): 'ticket_not_waiting' | 'service_not_served' | null {
  if (t.state !== 'waiting') return 'ticket_not_waiting';
  if (t.targetCounterId !== null && t.targetCounterId !== counter.id) return 'service_not_served';
  return null;
}

// ---------------------------------------------------------------- issuing a ticket

export type IssueBlock = 'inactive' | 'closed_by_staff' | 'quota_full' | 'outside_hours';

/** The refusal code the issue command answers for each block. */
export const ISSUE_BLOCK_CODE = {
  inactive: 'service_closed',
  closed_by_staff: 'service_closed',
  quota_full: 'quota_full',
  outside_hours: 'office_closed',
} as const satisfies Record<IssueBlock, ErrorCode>;

export interface IssueCheck {
  /** Closed for today by staff. */
  closed: boolean;
  /** Tickets of this service issued today by channel. */
  issued: { walkIn: number; online: number };
  source: TicketSource;
  /** The office refuses tickets outside opening hours (rules.enforceHours). */
  enforceHours: boolean;
  openNow: boolean;
}

/**
 * Why a ticket of this service cannot be issued now, or null. One rule for
 * the issue command and the kiosk's availability: inactive, closed by staff,
 * the channel's quota of today used up, outside opening hours when enforced
 * (tickets issued at the counter ignore the hours).
 */
export function issueRefusal(service: Pick<ServiceConfig, 'active' | 'quota'>, c: IssueCheck): IssueBlock | null {
  if (!service.active) return 'inactive';
  if (c.closed) return 'closed_by_staff';
  const online = c.source === 'booking';
  const cap = online ? service.quota.online : service.quota.walkIn;
  if (cap !== null && (online ? c.issued.online : c.issued.walkIn) >= cap) return 'quota_full';
  if (c.enforceHours && c.source !== 'counter' && !c.openNow) return 'outside_hours';
  return null;
}

// ---------------------------------------------------------------- pre-check

export interface PrecheckProblem {
  path: string;
  message: string;
}

/**
 * The citizen's answers: per item true (its own document), an alternative's
 * id (that document instead) or false (none of them); per condition the
 * yes/no answer to its question.
 */
export interface PrecheckAnswers {
  brought: Record<string, boolean | string>;
  conditions: Record<string, boolean>;
}

export interface PrecheckEvaluation {
  /** Items that apply and are not brought (not answered counts as not brought), checklist order. */
  missing: Requirement[];
  /** Of those, the ones that block a ticket: mandatory and judged by the kiosk. */
  blocking: Requirement[];
  /** Items that do not apply: their condition was answered no. */
  skipped: Requirement[];
  /** What is still to be answered: condition ids (asked before their items), then item ids. */
  open: string[];
  passed: boolean;
  /** Answers for ids the sub-case does not have: refused by the server. */
  problems: PrecheckProblem[];
  /** The record kept with the ticket. */
  result: PrecheckResult;
}

/**
 * "A atau B" / "A or B" (three: "A, B atau C"): the item named with its
 * alternatives. A later part starts lower-case unless it starts with an
 * abbreviation ("KK yang rusak", "SPTJM").
 */
export function requirementText(r: Pick<Requirement, 'text' | 'alternatives'>): Bilingual {
  const all = [r.text, ...(r.alternatives ?? []).map((a) => a.text)];
  const join = (lang: 'id' | 'en', or: string) => {
    const t = all.map((x, i) => (i > 0 && /^\p{Lu}\p{Ll}/u.test(x[lang]) ? x[lang][0]!.toLowerCase() + x[lang].slice(1) : x[lang]));
    const last = t.pop() as string;
    return t.length ? `${t.join(', ')} ${or} ${last}` : last;
  };
  return { id: join('id', 'atau'), en: join('en', 'or') };
}

/**
 * The one pre-check rule, for the kiosk and for the server's re-check: an
 * item applies unless its condition was answered no; it is met by its own
 * document or any one of its alternatives; the check passes when every
 * condition and applying item is answered and nothing mandatory the kiosk can
 * judge is missing (items only staff can judge never block).
 */
export function evaluatePrecheck(sub: Subcase, answers: PrecheckAnswers): PrecheckEvaluation {
  const problems: PrecheckProblem[] = [];
  const byId = new Map(sub.requirements.map((r) => [r.id, r]));
  for (const [k, v] of Object.entries(answers.brought)) {
    const r = byId.get(k);
    if (!r) problems.push({ path: 'brought', message: `not a requirement of this subcase: ${k}` });
    else if (typeof v === 'string' && !r.alternatives?.some((a) => a.id === v)) problems.push({ path: 'brought', message: `not an alternative of ${k}: ${v}` });
  }
  for (const k of Object.keys(answers.conditions)) {
    if (!sub.requirements.some((r) => r.condition?.id === k)) problems.push({ path: 'conditions', message: `not a condition of this subcase: ${k}` });
  }
  const missing: Requirement[] = [];
  const skipped: Requirement[] = [];
  const openConditions = new Set<string>();
  const openItems: string[] = [];
  const alternatives: Record<string, string> = {};
  const conditions: Record<string, boolean> = {};
  for (const r of sub.requirements) {
    const c = r.condition?.id;
    if (c !== undefined) {
      const yes = answers.conditions[c];
      if (yes === undefined) openConditions.add(c);
      else conditions[c] = yes;
      if (yes === false) {
        skipped.push(r);
        continue;
      }
    }
    const b = answers.brought[r.id];
    // An item behind an unanswered question is not asked yet: the question is open.
    if (b === undefined && (c === undefined || answers.conditions[c] === true)) openItems.push(r.id);
    if (typeof b === 'string') alternatives[r.id] = b;
    else if (b !== true) missing.push(r);
  }
  const blocking = missing.filter((r) => r.mandatory && !r.staffJudged);
  const open = [...openConditions, ...openItems];
  const passed = blocking.length === 0 && open.length === 0 && problems.length === 0;
  const result: PrecheckResult = { subcase: sub.id, passed, missing: missing.map((r) => r.id) };
  if (Object.keys(alternatives).length) result.alternatives = alternatives;
  if (Object.keys(conditions).length) result.conditions = conditions;
  return { missing, blocking, skipped, open, passed, problems, result };
}

/**
 * Whether a pre-check record fits the service's checklist: a known sub-case,
 * only its items in `missing`, and `passed` not claimed while an item the
 * kiosk judges and that is mandatory is missing (items only staff can judge
 * never block). `passed` absent (a "what to bring" slip) is not checked.
 * With `answers` (the kiosk sends them), the record must be what
 * evaluatePrecheck makes of them: the same `passed` and the same `missing`.
 * Empty = fits.
 */
export function precheckProblems(
  service: Pick<ServiceConfig, 'subcases'>,
  record: { subcase: string; missing: readonly string[]; passed?: boolean; answers?: PrecheckAnswers | undefined },
): PrecheckProblem[] {
  const sub = service.subcases.find((s) => s.id === record.subcase);
  if (!sub) return [{ path: 'subcase', message: 'unknown subcase of this service' }];
  const problems: PrecheckProblem[] = record.missing
    .filter((m) => !sub.requirements.some((r) => r.id === m))
    .map((m) => ({ path: 'missing', message: `not a requirement of this subcase: ${m}` }));
  if (problems.length > 0) return problems;
  if (record.passed === true) {
    for (const r of sub.requirements) {
      if (r.mandatory && !r.staffJudged && record.missing.includes(r.id)) problems.push({ path: 'passed', message: `passed while mandatory item ${r.id} is missing` });
    }
  }
  if (record.answers) {
    const ev = evaluatePrecheck(sub, record.answers);
    problems.push(...ev.problems);
    if (record.passed !== undefined && record.passed !== ev.passed) problems.push({ path: 'passed', message: `the answers give passed = ${ev.passed}` });
    const want = ev.result.missing;
    if (want.length !== record.missing.length || want.some((m) => !record.missing.includes(m))) {
      problems.push({ path: 'missing', message: `the answers give missing = [${want.join(', ')}]` });
    }
  }
  return problems;
}
