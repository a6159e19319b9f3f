// One citizen's way through the kiosk's screens as a pure state machine:
// service → sub-case → pre-check (or "what to bring") → NIK age check →
// priority → ticket, the idle reset and the language. `next(flow, event, now)`
// returns the new state and the effects the page must carry out (send a
// request, print); it does no I/O, reads no clock and starts no timer.
import type { IssueBody } from '../protocol/commands.ts';
import type { PrintResult } from '../protocol/devices.ts';
import type { ApiError } from '../protocol/errors.ts';
import type { PriorityGroup, ServiceConfig, Subcase, Ticket } from '../protocol/model.ts';
import { ageOn, parseNik, NIK_LENGTH, type NikProblem } from '../protocol/nik.ts';
import type { Lang } from '../ui/i18n.svelte.ts';
import { fitsAge, needsAgeCheck, precheckOutcome, unanswered, type Answers, type PrecheckOutcome } from './rules.ts';

export type Step = 'start' | 'subcase' | 'precheck' | 'bring' | 'nik' | 'age' | 'priority' | 'issuing' | 'failed' | 'ticket';
export type Slip = 'idle' | 'printing' | 'printed' | 'failed';

export interface Flow {
  step: Step;
  /** The steps behind this one, for "Kembali". */
  history: Step[];
  lang: Lang;
  service: ServiceConfig | null;
  subcase: Subcase | null;
  answers: Answers;
  precheckTried: boolean;
  outcome: PrecheckOutcome | null;
  /** The digits typed on the keypad: never sent, forgotten first on reset. */
  nik: string;
  nikProblem: NikProblem | null;
  age: number | null;
  priority: PriorityGroup | null;
  /** The request being tried and its idempotency key: a retry of the same request keeps it. */
  attempt: { key: string; body: string } | null;
  ticket: Ticket | null;
  counters: string[];
  issueError: ApiError | 'no_answer' | null;
  printResult: PrintResult | null;
  /** The "what to bring" slip. */
  slip: Slip;
  scanNotFound: boolean;
  /** Bumped on every reset, so late answers for an abandoned visit are ignored. */
  visit: number;
  lastActivity: number;
  /** Seconds left before the idle reset, while the warning shows. */
  idleLeft: number | null;
  /** Print outcomes by ticket (the last 20): one may arrive before the ticket's answer. */
  prints: Array<[string, PrintResult]>;
}

/** What the server said to an issue request; 'no_answer' when it did not say anything in time. */
export type IssueAnswer = 'no_answer' | { ok: false; error: ApiError } | { ok: true; ticket: Ticket | null | undefined };

export type FlowEvent =
  | { type: 'reset' }
  /** A button pressed inside the flow: the idle clock starts again, the warning goes. */
  | { type: 'touch' }
  /** Any touch or key anywhere: only the clock (a screen changed under a finger would send its click elsewhere). */
  | { type: 'activity' }
  /** Once a second; `idleSeconds` is the office's setting. */
  | { type: 'tick'; idleSeconds: number }
  | { type: 'toggle_language' }
  | { type: 'scan_not_found' }
  | { type: 'dismiss_scan' }
  | { type: 'choose_service'; service: ServiceConfig }
  | { type: 'choose_subcase'; subcase: Subcase | null }
  /** true = its own document, an alternative's id = that one instead, false = none of them. */
  | { type: 'answer'; requirement: string; has: boolean | string }
  /** The yes/no answer to a conditional question ("Apakah Anda pindah dari kabupaten/kota lain?"). */
  | { type: 'answer_condition'; condition: string; yes: boolean }
  | { type: 'submit_precheck' }
  | { type: 'print_slip' }
  | { type: 'slip_printed'; visit: number; printed: boolean }
  | { type: 'digit'; digit: string }
  | { type: 'delete_digit' }
  | { type: 'clear_nik' }
  /** `today` is the office day (YYYY-MM-DD) the age is counted on. */
  | { type: 'check_nik'; today: string }
  | { type: 'skip_nik' }
  | { type: 'continue_anyway' }
  | { type: 'switch_to'; service: ServiceConfig; subcase: Subcase }
  | { type: 'back' }
  /** `key` is a fresh idempotency key, used only when the request differs from the last one tried. */
  | { type: 'issue'; priority: PriorityGroup | null; online: boolean; key: string }
  | { type: 'retry'; online: boolean; key: string }
  /** `countersFor` names the counters that serve a service today. */
  | { type: 'issue_answer'; visit: number; answer: IssueAnswer; countersFor(serviceId: string): string[] }
  | { type: 'print_result'; result: PrintResult };

export type Effect =
  /** A failed pre-check, for the reports (never shown). */
  | { type: 'record_precheck'; body: { service: string; subcase: string; missing: string[]; answers: Answers } }
  | { type: 'print_slip'; visit: number; body: { service: string; subcase: string; missing: string[] } }
  | { type: 'issue'; visit: number; body: IssueBody }
  /** What can be offered may have changed; `delayMs` gathers a burst into one request. */
  | { type: 'refresh_availability'; delayMs: number };

export interface Transition {
  flow: Flow;
  effects: Effect[];
}

const KEEP_PRINTS = 20;
const noAnswers = (): Answers => ({ brought: {}, conditions: {} });

export function initialFlow(now: number, visit = 0, prints: Flow['prints'] = []): Flow {
  return {
    step: 'start', history: [], lang: 'id', service: null, subcase: null, answers: noAnswers(), precheckTried: false, outcome: null,
    nik: '', nikProblem: null, age: null, priority: null, attempt: null, ticket: null, counters: [], issueError: null,
    printResult: null, slip: 'idle', scanNotFound: false, visit, lastActivity: now, idleLeft: null, prints,
  };
}

/** Seconds of no touch after which the screen goes back to the start. */
export function idleLimit(f: Flow, idleSeconds: number): number {
  // A ticket that could not be printed stays on screen longer: it is the citizen's only copy.
  return f.step === 'ticket' && f.printResult?.state === 'failed' ? idleSeconds * 3 : idleSeconds;
}

export function next(flow: Flow, e: FlowEvent, now: number): Transition {
  // A copy changed in place below; the flow passed in is never changed.
  let f: Flow = { ...flow };
  const effects: Effect[] = [];
  const go = (step: Step) => {
    if (f.step !== step) f.history = [...f.history, f.step];
    f.step = step;
  };
  const touch = () => {
    f.lastActivity = now;
    f.idleLeft = null;
  };
  const reset = () => {
    // Everything the citizen entered is forgotten (the NIK first); print outcomes stay for later tickets.
    f = initialFlow(now, f.visit + 1, f.prints);
  };
  const chooseSubcase = (sub: Subcase | null) => {
    f.subcase = sub;
    f.answers = noAnswers();
    f.precheckTried = false;
    f.outcome = null;
    if (sub && sub.requirements.length > 0) return go('precheck');
    afterPrecheck();
  };
  const afterPrecheck = () => {
    const sub = f.subcase;
    // An age already known to fit (after switching to a suggested service) is not asked again.
    if (needsAgeCheck(sub) && !(f.age !== null && fitsAge(sub.eligibility, f.age))) {
      f.nik = '';
      f.nikProblem = null;
      f.age = null;
      return go('nik');
    }
    go('priority');
  };
  const issue = (priority: PriorityGroup | null, online: boolean, key: string) => {
    const service = f.service;
    if (!service || f.step === 'issuing') return;
    f.priority = priority;
    const body: IssueBody = { service: service.id, priority };
    // The answers go along: the server evaluates them again and keeps what the counter needs.
    if (f.outcome && f.subcase) body.precheck = { subcase: f.subcase.id, passed: f.outcome.result.passed, missing: f.outcome.result.missing, answers: f.answers };
    const fingerprint = JSON.stringify(body);
    // The same request keeps its key, so a retry after a lost answer cannot give a second ticket.
    if (f.attempt?.body !== fingerprint) f.attempt = { key, body: fingerprint };
    body.idempotencyKey = f.attempt.key;
    f.issueError = null;
    if (!online) {
      f.issueError = 'no_answer';
      return go('failed');
    }
    go('issuing');
    effects.push({ type: 'issue', visit: f.visit, body });
  };
  const nikTyped = (nik: string) => {
    if (f.step !== 'nik') return;
    f.nik = nik;
    f.nikProblem = null;
  };

  switch (e.type) {
    case 'reset':
      reset();
      break;
    case 'touch':
      touch();
      break;
    case 'activity':
      f.lastActivity = now;
      break;
    case 'tick': {
      const dirty = f.step !== 'start' || f.lang !== 'id' || f.scanNotFound;
      if (!dirty || f.step === 'issuing') {
        f.idleLeft = null;
        break;
      }
      const limit = idleLimit(f, e.idleSeconds);
      const left = limit - (now - f.lastActivity) / 1000;
      if (left <= 0) {
        reset();
        break;
      }
      const warnFrom = Math.min(10, Math.floor(limit / 2));
      f.idleLeft = f.step !== 'ticket' && f.step !== 'start' && left <= warnFrom ? Math.ceil(left) : null;
      break;
    }
    case 'toggle_language':
      f.lang = f.lang === 'id' ? 'en' : 'id';
      break;
    case 'scan_not_found':
      f.scanNotFound = true;
      break;
    case 'dismiss_scan':
      f.scanNotFound = false;
      break;
    case 'choose_service':
      f.service = e.service;
      if (e.service.subcases.length > 1) go('subcase');
      else chooseSubcase(e.service.subcases[0] ?? null);
      break;
    case 'choose_subcase':
      chooseSubcase(e.subcase);
      break;
    case 'answer':
      f.answers = { ...f.answers, brought: { ...f.answers.brought, [e.requirement]: e.has } };
      break;
    case 'answer_condition':
      f.answers = { ...f.answers, conditions: { ...f.answers.conditions, [e.condition]: e.yes } };
      break;
    case 'submit_precheck': {
      const { subcase: sub, service } = f;
      if (!sub || !service) break;
      f.precheckTried = true;
      if (unanswered(sub, f.answers).length > 0) break;
      const outcome = precheckOutcome(sub, f.answers);
      f.outcome = outcome;
      if (outcome.result.passed) {
        afterPrecheck();
        break;
      }
      f.slip = 'idle';
      go('bring');
      effects.push({ type: 'record_precheck', body: { service: service.id, subcase: sub.id, missing: outcome.result.missing, answers: f.answers } });
      break;
    }
    case 'print_slip': {
      const { service, subcase, outcome } = f;
      if (!service || !subcase || !outcome || f.slip === 'printing') break;
      f.slip = 'printing';
      effects.push({ type: 'print_slip', visit: f.visit, body: { service: service.id, subcase: subcase.id, missing: outcome.result.missing } });
      break;
    }
    case 'slip_printed':
      if (e.visit === f.visit) f.slip = e.printed ? 'printed' : 'failed';
      break;
    case 'digit':
      if (f.nik.length < NIK_LENGTH) nikTyped(f.nik + e.digit);
      break;
    case 'delete_digit':
      nikTyped(f.nik.slice(0, -1));
      break;
    case 'clear_nik':
      nikTyped('');
      break;
    case 'check_nik': {
      const sub = f.subcase;
      if (!sub || f.step !== 'nik') break;
      const parsed = parseNik(f.nik, e.today);
      if (!parsed.ok) {
        f.nikProblem = parsed.problem;
        break;
      }
      // Only the age is kept; the number itself is dropped here.
      f.age = ageOn(parsed.info.birthDate, e.today);
      f.nik = '';
      f.nikProblem = null;
      go(fitsAge(sub.eligibility, f.age) ? 'priority' : 'age');
      break;
    }
    case 'skip_nik':
      f.nik = '';
      f.nikProblem = null;
      f.age = null;
      go('priority');
      break;
    case 'continue_anyway':
      // Staff decide although the age does not fit.
      go('priority');
      break;
    case 'switch_to':
      f.history = [];
      f.step = 'start';
      f.service = e.service;
      chooseSubcase(e.subcase);
      break;
    case 'back': {
      if (f.step === 'nik') f.nik = '';
      const history = [...f.history];
      const prev = history.pop();
      if (!prev || prev === 'start') {
        reset();
        break;
      }
      f.history = history;
      f.step = prev;
      break;
    }
    case 'issue':
      issue(e.priority, e.online, e.key);
      break;
    case 'retry':
      if (f.step !== 'failed' || f.issueError !== 'no_answer') break;
      f.history = f.history.slice(0, -1);
      f.step = 'priority';
      issue(f.priority, e.online, e.key);
      break;
    case 'issue_answer': {
      if (e.visit !== f.visit) break;
      touch();
      const a = e.answer;
      if (a !== 'no_answer' && !a.ok) {
        f.issueError = a.error;
        f.step = 'failed';
        effects.push({ type: 'refresh_availability', delayMs: 0 });
        break;
      }
      const t = a === 'no_answer' ? null : a.ticket;
      if (!t) {
        f.issueError = 'no_answer';
        f.step = 'failed';
        break;
      }
      f.ticket = t;
      f.counters = e.countersFor(t.serviceId);
      f.printResult = f.prints.find(([id]) => id === t.id)?.[1] ?? null;
      f.attempt = null;
      f.history = [];
      // The NIK-derived age and the answers are no longer needed.
      f.age = null;
      f.step = 'ticket';
      effects.push({ type: 'refresh_availability', delayMs: 300 });
      break;
    }
    case 'print_result': {
      const r = e.result;
      if (!r.ticketId) break;
      f.prints = [...f.prints.filter(([id]) => id !== r.ticketId), [r.ticketId, r] as [string, PrintResult]].slice(-KEEP_PRINTS);
      if (f.ticket?.id === r.ticketId) {
        f.printResult = r;
        touch();
      }
      break;
    }
  }
  return { flow: f, effects };
}
