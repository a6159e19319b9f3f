// The kiosk's citizen flow as a state machine (kiosk/flow.ts): every path a
// citizen can take, without a browser, a socket or a clock — time is passed in.
import { describe, expect, it } from 'vitest';
import type { PrintResult } from '../../protocol/devices.ts';
import type { QueueSnapshot, Requirement, ServiceConfig, ServiceStats, Subcase, Ticket } from '../../protocol/model.ts';
import { initialFlow, next, type Effect, type Flow, type FlowEvent } from '../../kiosk/flow.ts';
import { availabilityMayHaveChanged, bringListText, canChoose, precheckRows, unanswered } from '../../kiosk/rules.ts';

const stats = (serviceId: string, over: Partial<ServiceStats> = {}): ServiceStats => ({
  serviceId, waiting: 0, oldestWaitingSince: null, etaMinutes: 0, countersServing: 1, issuedToday: 0, closedToday: false, ...over,
});
const snap = (services: ServiceStats[]): QueueSnapshot => ({
  officeId: 'kupang', officeDay: '2026-11-23', version: 1, serverTime: '2026-11-23T01:00:00.000Z', tickets: [], counters: [], services, recentCalls: [],
});

describe('kiosk: when to ask for availability again', () => {
  it('asks after a ticket was issued or a service closed or reopened, not after a call', () => {
    const before = snap([stats('kk', { waiting: 3, issuedToday: 5 }), stats('akta')]);
    expect(availabilityMayHaveChanged(null, before)).toBe(true);
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 2, issuedToday: 5 }), stats('akta')]))).toBe(false); // a call
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 4, issuedToday: 6 }), stats('akta')]))).toBe(true);
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 3, issuedToday: 5 }), stats('akta', { closedToday: true })]))).toBe(true);
    expect(availabilityMayHaveChanged(before, snap([stats('kk', { waiting: 3, issuedToday: 5 }), stats('akta'), stats('kia')]))).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Fixtures: a few services shaped like the demo office's

const text = (id: string) => ({ id, en: id });
const req = (id: string, over: Partial<Requirement> = {}): Requirement => ({ id, text: text(id), mandatory: true, staffJudged: false, ...over });
const sub = (id: string, requirements: Requirement[] = [], eligibility?: Subcase['eligibility']): Subcase => ({
  id, name: text(id), requirements, ...(eligibility ? { eligibility } : {}),
});
const service = (id: string, subcases: Subcase[], over: Partial<ServiceConfig> = {}): ServiceConfig => ({
  id, prefix: id[0]!.toUpperCase(), name: text(id), description: text(id), standard: text('1 jam'), fee: 0, icon: 'info',
  subcases, quota: { walkIn: null, online: null }, active: true, ...over,
});

/** Walk-in information: one case, nothing to check. */
const INFO = service('info', [sub('umum')]);
/** KTP-el: several cases, one with documents to check. */
const KTP = service('ktp-el', [
  sub('baru', [req('kk'), req('foto', { staffJudged: true }), req('surat', { mandatory: false })], { minAge: 17 }),
  sub('hilang', [req('laporan')]),
]);
/** KIA: children's identity card, age-limited, nothing to check. */
const KIA = service('kia', [sub('kia-anak', [], { maxAge: 16 })]);

const TODAY = '2026-11-23';
/** Born 15 May 2020 (a girl: day + 40): six years old today. */
const CHILD_NIK = '5371015505200001';
/** Born 15 May 1990: 36 today. */
const ADULT_NIK = '5371011505900001';

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: `${TODAY}/I001`, number: 'I001', serviceId: 'info', seq: 1, officeDay: TODAY, priority: null, source: 'kiosk', state: 'waiting',
  counterId: null, targetCounterId: null, precedence: false, bookingSlot: null, issuedAt: `${TODAY}T01:00:00.000Z`, queuedAt: `${TODAY}T01:00:00.000Z`,
  calledAt: null, startedAt: null, finishedAt: null, calls: 0, outcome: null, precheck: null, etaMinutesAtIssue: 5, aheadAtIssue: 2, transfers: 0, ...over,
});
const printed = (ticketId: string | null, state: PrintResult['state'] = 'printed'): PrintResult => ({ jobId: `job-${ticketId}`, ticketId, state, printer: null });

/** Drives the machine like the page does: events in order, the clock advanced by hand. */
class Kiosk {
  flow: Flow;
  effects: Effect[] = [];
  now = 1_000_000;

  constructor() {
    this.flow = initialFlow(this.now);
  }

  send(e: FlowEvent): this {
    const before = structuredClone(this.flow);
    const t = next(this.flow, e, this.now);
    // Pure: the state passed in is never changed.
    expect(this.flow).toEqual(before);
    this.flow = t.flow;
    this.effects.push(...t.effects);
    return this;
  }

  /** Effects since the last call. */
  take(): Effect[] {
    return this.effects.splice(0);
  }

  wait(seconds: number, idleSeconds = 30): this {
    this.now += seconds * 1000;
    return this.send({ type: 'tick', idleSeconds });
  }

  type(digits: string): this {
    for (const d of digits) this.send({ type: 'digit', digit: d });
    return this;
  }

  answer(answers: Record<string, boolean | string>): this {
    for (const [requirement, has] of Object.entries(answers)) this.send({ type: 'answer', requirement, has });
    return this;
  }

  issue(priority: Ticket['priority'] = null, key = 'key-1', online = true): this {
    return this.send({ type: 'issue', priority, online, key });
  }

  /** The server answers the issue request of the current visit. */
  answerIssue(answer: Extract<FlowEvent, { type: 'issue_answer' }>['answer'], visit = this.flow.visit): this {
    return this.send({ type: 'issue_answer', visit, answer, countersFor: (id) => (id === 'info' ? ['Loket 1', 'Loket 2'] : []) });
  }
}

const issueEffect = (effects: Effect[]) => {
  const e = effects.find((x) => x.type === 'issue');
  if (!e || e.type !== 'issue') throw new Error(`no issue effect in ${JSON.stringify(effects)}`);
  return e;
};

describe('kiosk flow: a walk-in ticket', () => {
  it('takes two taps for a service with nothing to check: the service, then "not a priority"', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO });
    expect(k.flow.step).toBe('priority');
    expect(k.take()).toEqual([]);

    k.issue(null);
    expect(k.flow.step).toBe('issuing');
    const e = issueEffect(k.take());
    expect(e.body).toEqual({ service: 'info', priority: null, idempotencyKey: 'key-1' });
    expect(e.visit).toBe(k.flow.visit);

    k.answerIssue({ ok: true, ticket: ticket() });
    expect(k.flow.step).toBe('ticket');
    expect(k.flow.ticket?.number).toBe('I001');
    expect(k.flow.counters).toEqual(['Loket 1', 'Loket 2']);
    expect(k.flow.history).toEqual([]);
    expect(k.take()).toEqual([{ type: 'refresh_availability', delayMs: 300 }]);
  });

  it('sends the chosen priority group', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue('elderly');
    expect(issueEffect(k.take()).body.priority).toBe('elderly');
    expect(k.flow.priority).toBe('elderly');
  });

  it('ignores a second tap while the ticket is being issued', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue(null, 'key-1');
    k.take();
    k.issue('pregnant', 'key-2');
    expect(k.take()).toEqual([]);
    expect(k.flow.priority).toBeNull();
  });

  it('shows a ticket print outcome whether it arrives before or after the answer', () => {
    const early = new Kiosk().send({ type: 'choose_service', service: INFO }).issue();
    early.send({ type: 'print_result', result: printed(ticket().id) });
    expect(early.flow.printResult).toBeNull(); // no ticket yet
    early.answerIssue({ ok: true, ticket: ticket() });
    expect(early.flow.printResult?.state).toBe('printed');

    const late = new Kiosk().send({ type: 'choose_service', service: INFO }).issue().answerIssue({ ok: true, ticket: ticket() });
    expect(late.flow.printResult).toBeNull();
    late.now += 5000;
    late.send({ type: 'print_result', result: printed('another ticket', 'failed') });
    expect(late.flow.printResult).toBeNull();
    late.send({ type: 'print_result', result: printed(ticket().id, 'failed') });
    expect(late.flow.printResult?.state).toBe('failed');
    expect(late.flow.lastActivity).toBe(late.now); // the citizen gets the full time to read the warning
  });

  it('keeps at most 20 print outcomes, the newest', () => {
    const k = new Kiosk();
    for (let i = 0; i < 25; i++) k.send({ type: 'print_result', result: printed(`t${i}`) });
    expect(k.flow.prints.map(([id]) => id)).toEqual(Array.from({ length: 20 }, (_, i) => `t${i + 5}`));
    k.send({ type: 'print_result', result: printed(null) }); // a slip's outcome: not kept
    expect(k.flow.prints).toHaveLength(20);
  });
});

describe('kiosk flow: a lost or refused answer', () => {
  it('retries a lost answer with the same idempotency key, so no second ticket can come of it', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue(null, 'key-1');
    const first = issueEffect(k.take());
    k.answerIssue('no_answer');
    expect(k.flow.step).toBe('failed');
    expect(k.flow.issueError).toBe('no_answer');

    k.send({ type: 'retry', online: true, key: 'key-2' });
    expect(k.flow.step).toBe('issuing');
    expect(issueEffect(k.take()).body).toEqual(first.body);
    k.answerIssue({ ok: true, ticket: ticket() });
    expect(k.flow.step).toBe('ticket');
  });

  it('treats an acknowledgement without a ticket as no answer', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue().answerIssue({ ok: true, ticket: undefined });
    expect(k.flow.step).toBe('failed');
    expect(k.flow.issueError).toBe('no_answer');
  });

  it('gives a new key to a different request', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue(null, 'key-1').answerIssue('no_answer');
    k.send({ type: 'back' }); // back to the priority screen
    expect(k.flow.step).toBe('priority');
    k.take();
    k.issue('disabled', 'key-2');
    expect(issueEffect(k.take()).body.idempotencyKey).toBe('key-2');
  });

  it('does not send while offline: says so, and retries once back', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue(null, 'key-1', false);
    expect(k.flow.step).toBe('failed');
    expect(k.flow.issueError).toBe('no_answer');
    expect(k.take()).toEqual([]);
    k.send({ type: 'retry', online: true, key: 'key-2' });
    expect(issueEffect(k.take()).body.idempotencyKey).toBe('key-1');
  });

  it('shows a refusal, asks for availability again, and offers no retry', () => {
    const error = { code: 'quota_full', message: { id: 'Kuota penuh.', en: 'Quota full.' } } as const;
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue();
    k.take();
    k.answerIssue({ ok: false, error });
    expect(k.flow.step).toBe('failed');
    expect(k.flow.issueError).toEqual(error);
    expect(k.take()).toEqual([{ type: 'refresh_availability', delayMs: 0 }]);
    k.send({ type: 'retry', online: true, key: 'key-2' });
    expect(k.flow.step).toBe('failed');
    expect(k.take()).toEqual([]);
  });

  it('ignores a late answer for a visit that was abandoned', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue();
    const visit = k.flow.visit;
    k.send({ type: 'reset' });
    k.answerIssue({ ok: true, ticket: ticket() }, visit);
    expect(k.flow.step).toBe('start');
    expect(k.flow.ticket).toBeNull();
  });
});

describe('kiosk flow: sub-cases and the pre-check', () => {
  it('asks for the sub-case when a service has several, then its documents', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KTP });
    expect(k.flow.step).toBe('subcase');
    k.send({ type: 'choose_subcase', subcase: KTP.subcases[1]! });
    expect(k.flow.step).toBe('precheck');
    expect(k.flow.subcase?.id).toBe('hilang');
  });

  it('keeps asking until every line is answered', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KTP }).send({ type: 'choose_subcase', subcase: KTP.subcases[1]! });
    k.send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('precheck');
    expect(k.flow.precheckTried).toBe(true);
    expect(k.take()).toEqual([]);
  });

  it('ends in "what to bring", with no ticket, when a mandatory document is missing; the failure is recorded', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KTP }).send({ type: 'choose_subcase', subcase: KTP.subcases[1]! });
    k.answer({ laporan: false }).send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('bring');
    expect(k.flow.outcome?.blocking.map((r) => r.id)).toEqual(['laporan']);
    expect(k.take()).toEqual([{ type: 'record_precheck', body: { service: 'ktp-el', subcase: 'hilang', missing: ['laporan'], answers: { brought: { laporan: false }, conditions: {} } } }]);

    // "Change my answers" goes back with the answers kept.
    k.send({ type: 'back' });
    expect(k.flow.step).toBe('precheck');
    expect(k.flow.answers).toEqual({ brought: { laporan: false }, conditions: {} });
    k.answer({ laporan: true }).send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('priority');
    k.issue();
    expect(issueEffect(k.take()).body.precheck).toEqual({ subcase: 'hilang', passed: true, missing: [], answers: { brought: { laporan: true }, conditions: {} } });
  });

  it('lets a missing optional or staff-judged document through, and tells the counter what is missing', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KTP }).send({ type: 'choose_subcase', subcase: KTP.subcases[0]! });
    k.answer({ kk: true, foto: false, surat: false }).send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('nik'); // KTP-el baru is for 17 and older: the age check comes next
    k.send({ type: 'skip_nik' }).issue();
    expect(issueEffect(k.take()).body.precheck).toMatchObject({ subcase: 'baru', passed: true, missing: ['foto', 'surat'] });
  });

  it('prints the "what to bring" slip once at a time, and ignores an outcome for an earlier visit', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KTP }).send({ type: 'choose_subcase', subcase: KTP.subcases[1]! });
    k.answer({ laporan: false }).send({ type: 'submit_precheck' });
    k.take();
    k.send({ type: 'print_slip' });
    expect(k.flow.slip).toBe('printing');
    expect(k.take()).toEqual([{ type: 'print_slip', visit: k.flow.visit, body: { service: 'ktp-el', subcase: 'hilang', missing: ['laporan'] } }]);
    k.send({ type: 'print_slip' });
    expect(k.take()).toEqual([]);
    k.send({ type: 'slip_printed', visit: k.flow.visit - 1, printed: true });
    expect(k.flow.slip).toBe('printing');
    k.send({ type: 'slip_printed', visit: k.flow.visit, printed: false });
    expect(k.flow.slip).toBe('failed');
    k.send({ type: 'print_slip' }); // try again
    expect(k.flow.slip).toBe('printing');
  });

  it('goes back step by step to the start', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KTP }).send({ type: 'choose_subcase', subcase: KTP.subcases[1]! });
    k.send({ type: 'back' });
    expect(k.flow.step).toBe('subcase');
    const visit = k.flow.visit;
    k.send({ type: 'back' });
    expect(k.flow.step).toBe('start');
    expect(k.flow.service).toBeNull();
    expect(k.flow.visit).toBe(visit + 1);
  });
});

describe('kiosk flow: the NIK age check', () => {
  const toNik = () => new Kiosk().send({ type: 'choose_service', service: KIA });

  it('asks for the NIK of a child for KIA and takes at most 16 digits from the keypad', () => {
    const k = toNik();
    expect(k.flow.step).toBe('nik');
    k.type(`${CHILD_NIK}99`);
    expect(k.flow.nik).toBe(CHILD_NIK);
    k.send({ type: 'delete_digit' });
    expect(k.flow.nik).toBe(CHILD_NIK.slice(0, 15));
    k.send({ type: 'clear_nik' });
    expect(k.flow.nik).toBe('');
  });

  it('says what is wrong with a NIK that cannot be one, and forgets the problem on the next key', () => {
    const k = toNik().type('12345').send({ type: 'check_nik', today: TODAY });
    expect(k.flow.step).toBe('nik');
    expect(k.flow.nikProblem).toBe('wrong_length');
    k.type('6');
    expect(k.flow.nikProblem).toBeNull();
  });

  it('goes on to priority when the age fits, keeping only the age', () => {
    const k = toNik().type(CHILD_NIK).send({ type: 'check_nik', today: TODAY });
    expect(k.flow.step).toBe('priority');
    expect(k.flow.age).toBe(6);
    expect(k.flow.nik).toBe('');
    expect(JSON.stringify(k.flow)).not.toContain(CHILD_NIK);
    k.issue().answerIssue({ ok: true, ticket: ticket({ serviceId: 'kia' }) });
    expect(k.flow.age).toBeNull();
  });

  it('says when the age does not fit; the citizen may go on anyway or switch to a service that fits', () => {
    const k = toNik().type(ADULT_NIK).send({ type: 'check_nik', today: TODAY });
    expect(k.flow.step).toBe('age');
    expect(k.flow.age).toBe(36);
    k.send({ type: 'continue_anyway' });
    expect(k.flow.step).toBe('priority');

    // Back to the age screen, then the suggested KTP-el: its age rule is known to fit, so no second NIK.
    k.send({ type: 'back' });
    expect(k.flow.step).toBe('age');
    k.send({ type: 'switch_to', service: KTP, subcase: KTP.subcases[0]! });
    expect(k.flow.step).toBe('precheck');
    k.answer({ kk: true, foto: true, surat: true }).send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('priority');
    expect(k.flow.age).toBe(36);
    // Back from here goes to the pre-check, not to the KIA screens.
    k.send({ type: 'back' });
    expect(k.flow.step).toBe('precheck');
  });

  it('can be skipped: staff decide', () => {
    const k = toNik().type('53710').send({ type: 'skip_nik' });
    expect(k.flow.step).toBe('priority');
    expect(k.flow.nik).toBe('');
    expect(k.flow.age).toBeNull();
  });

  it('forgets typed digits when going back, and takes digits only on the NIK screen', () => {
    const k = toNik().type('5371');
    k.send({ type: 'back' });
    expect(k.flow.step).toBe('start');
    expect(k.flow.nik).toBe('');
    k.type('12');
    expect(k.flow.nik).toBe('');
    k.send({ type: 'check_nik', today: TODAY });
    expect(k.flow.step).toBe('start');
  });
});

describe('kiosk flow: idleness, language, scans', () => {
  it('warns in the last 10 seconds and goes back to the start after the idle time, forgetting everything', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KIA }).type('5371');
    k.wait(19);
    expect(k.flow.idleLeft).toBeNull();
    k.wait(1);
    expect(k.flow.idleLeft).toBe(10);
    k.wait(5);
    expect(k.flow.idleLeft).toBe(5);
    k.send({ type: 'touch' }); // "Ya, lanjutkan"
    expect(k.flow.idleLeft).toBeNull();
    k.wait(29);
    expect(k.flow.step).toBe('nik');
    k.wait(1);
    expect(k.flow).toEqual({ ...initialFlow(k.now, 1), prints: [] });
  });

  it('warns from half the idle time when that is shorter than 10 seconds', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO });
    k.wait(4, 12);
    expect(k.flow.idleLeft).toBeNull();
    k.wait(2, 12);
    expect(k.flow.idleLeft).toBe(6);
  });

  it('counts any touch as activity without hiding the warning at once', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).wait(25);
    expect(k.flow.idleLeft).toBe(5);
    k.send({ type: 'activity' });
    expect(k.flow.idleLeft).toBe(5);
    k.wait(1);
    expect(k.flow.idleLeft).toBeNull();
    expect(k.flow.step).toBe('priority');
  });

  it('leaves a ticket on screen without a warning, three times as long when it could not be printed', () => {
    const ok = new Kiosk().send({ type: 'choose_service', service: INFO }).issue().answerIssue({ ok: true, ticket: ticket() });
    ok.wait(29);
    expect(ok.flow.idleLeft).toBeNull();
    expect(ok.flow.step).toBe('ticket');
    ok.wait(1);
    expect(ok.flow.step).toBe('start');

    const failed = new Kiosk().send({ type: 'choose_service', service: INFO }).issue().answerIssue({ ok: true, ticket: ticket() });
    failed.send({ type: 'print_result', result: printed(ticket().id, 'failed') });
    failed.wait(89);
    expect(failed.flow.step).toBe('ticket');
    failed.wait(1);
    expect(failed.flow.step).toBe('start');
    expect(failed.flow.prints).toHaveLength(1); // a later print outcome still finds its ticket
  });

  it('never resets while a ticket is being issued', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: INFO }).issue();
    k.wait(300);
    expect(k.flow.step).toBe('issuing');
    expect(k.flow.idleLeft).toBeNull();
  });

  it('switches to English and back; an idle kiosk left in English returns to Indonesian', () => {
    const k = new Kiosk().send({ type: 'toggle_language' });
    expect(k.flow.lang).toBe('en');
    k.send({ type: 'toggle_language' });
    expect(k.flow.lang).toBe('id');
    k.send({ type: 'toggle_language' });
    k.wait(29);
    expect(k.flow.lang).toBe('en');
    expect(k.flow.idleLeft).toBeNull(); // no warning on the start screen
    k.wait(1);
    expect(k.flow.lang).toBe('id');
    // The start screen in Indonesian is already clean: nothing happens however long it waits.
    const visit = k.flow.visit;
    k.wait(600);
    expect(k.flow.visit).toBe(visit);
  });

  it('shows "booking not found" for a scan and clears it on its own after the idle time', () => {
    const k = new Kiosk().send({ type: 'scan_not_found' });
    expect(k.flow.scanNotFound).toBe(true);
    k.send({ type: 'dismiss_scan' });
    expect(k.flow.scanNotFound).toBe(false);
    k.send({ type: 'scan_not_found' }).wait(30);
    expect(k.flow.scanNotFound).toBe(false);
  });
});

describe('kiosk rules: what may be chosen', () => {
  it('follows the server availability, else the figures, else whether the service is active', () => {
    const availability = { services: [{ serviceId: 'info', available: false }] } as never;
    expect(canChoose(INFO, availability, null)).toBe(false);
    expect(canChoose(INFO, null, snap([stats('info', { closedToday: true })]))).toBe(false);
    expect(canChoose(INFO, null, snap([stats('info')]))).toBe(true);
    expect(canChoose({ ...INFO, active: false }, null, null)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// The two requirement shapes: a question that guards items, and alternatives.

const PINDAH = { id: 'pindah', question: text('Apakah Anda pindah dari kabupaten/kota lain?') };
/** KK baru: the moving letter only for those moving in; KK hilang: the police report or the damaged card. */
const KK = service('kk', [
  sub('baru', [req('buku-nikah'), req('surat-pindah', { condition: PINDAH }), req('kk-asal')]),
  sub('hilang-rusak', [req('surat-kehilangan', { alternatives: [{ id: 'kk-rusak', text: text('KK yang rusak') }] }), req('ktp-el')]),
]);

describe('kiosk flow: conditional items and alternatives', () => {
  const rowsOf = (k: Kiosk) => precheckRows(k.flow.subcase!, k.flow.answers).map((r) => ('condition' in r ? `?${r.condition.id}` : r.item.id));

  it('asks a question once, before the items it guards, and shows them only on a yes', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KK }).send({ type: 'choose_subcase', subcase: KK.subcases[0]! });
    expect(rowsOf(k)).toEqual(['buku-nikah', '?pindah', 'kk-asal']);
    k.answer({ 'buku-nikah': true, 'kk-asal': true }).send({ type: 'submit_precheck' });
    // The question is still open: no ticket, no "what to bring".
    expect(k.flow.step).toBe('precheck');
    expect(unanswered(k.flow.subcase!, k.flow.answers)).toEqual(['pindah']);
    k.send({ type: 'answer_condition', condition: 'pindah', yes: true });
    expect(rowsOf(k)).toEqual(['buku-nikah', '?pindah', 'surat-pindah', 'kk-asal']);
    expect(unanswered(k.flow.subcase!, k.flow.answers)).toEqual(['surat-pindah']);
    k.answer({ 'surat-pindah': false }).send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('bring');
    expect(k.flow.outcome?.blocking.map((r) => r.id)).toEqual(['surat-pindah']);

    // Not moving: the letter no longer applies, the answer given for it is ignored.
    k.send({ type: 'back' }).send({ type: 'answer_condition', condition: 'pindah', yes: false });
    expect(rowsOf(k)).toEqual(['buku-nikah', '?pindah', 'kk-asal']);
    k.send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('priority');
    k.issue();
    expect(issueEffect(k.take()).body.precheck).toEqual({
      subcase: 'baru', passed: true, missing: [],
      answers: { brought: { 'buku-nikah': true, 'kk-asal': true, 'surat-pindah': false }, conditions: { pindah: false } },
    });
  });

  it('takes an item as met by any one of its documents, and as missing with "neither"', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KK }).send({ type: 'choose_subcase', subcase: KK.subcases[1]! });
    k.answer({ 'surat-kehilangan': false, 'ktp-el': true }).send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('bring');
    expect(k.take()).toEqual([
      { type: 'record_precheck', body: { service: 'kk', subcase: 'hilang-rusak', missing: ['surat-kehilangan'], answers: { brought: { 'surat-kehilangan': false, 'ktp-el': true }, conditions: {} } } },
    ]);
    k.send({ type: 'back' }).answer({ 'surat-kehilangan': 'kk-rusak' }).send({ type: 'submit_precheck' });
    expect(k.flow.step).toBe('priority');
    expect(k.flow.outcome?.result).toEqual({ subcase: 'hilang-rusak', passed: true, missing: [], alternatives: { 'surat-kehilangan': 'kk-rusak' } });
  });

  it('names an item with its alternatives on the "what to bring" list', () => {
    const k = new Kiosk().send({ type: 'choose_service', service: KK }).send({ type: 'choose_subcase', subcase: KK.subcases[1]! });
    k.answer({ 'surat-kehilangan': false, 'ktp-el': true }).send({ type: 'submit_precheck' });
    const list = bringListText('Dukcapil', KK, KK.subcases[1]!, k.flow.outcome!, 'id');
    expect(list).toContain('- surat-kehilangan atau KK yang rusak');
    expect(list).not.toContain('ktp-el');
    expect(bringListText('Dukcapil', KK, KK.subcases[1]!, k.flow.outcome!, 'en')).toContain('- surat-kehilangan or KK yang rusak');
  });
});
