// Every refusal COMMAND_REFUSALS lists is one the domain really gives: one
// scenario per (command, code), typed so a code added to the list without a
// scenario (or a scenario for a code not listed) fails the type check.
import { describe, expect, it } from 'vitest';
import type { Command, CommandType } from '../../protocol/commands.ts';
import type { Actor } from '../../protocol/model.ts';
import { COMMAND_REFUSALS, COMMON_REFUSALS, type RefusalOf } from '../../server/domain/refusals.ts';
import { Sim, kupang } from '../helpers/domain.ts';

type Scenario = () => [Sim, Command];
type Scenarios = { [T in CommandType]: Record<RefusalOf<T>, Scenario> };

const fresh = (): Sim => new Sim(kupang());
/** A sim where counter 1 holds A001 in `called` (more tickets may wait). */
function called(waiting = 0): Sim {
  const s = fresh();
  s.issue('ktp-el');
  for (let i = 0; i < waiting; i++) s.issue('ktp-el');
  s.callNext('1');
  return s;
}
function serving(): Sim {
  const s = called();
  s.ok({ type: 'start', counterId: '1' });
  return s;
}
function paused(): Sim {
  const s = fresh();
  s.ok({ type: 'pause', counterId: '1', reason: 'break' });
  return s;
}
/** Counter 1 parked A001; B… none waiting. */
function parked(): Sim {
  const s = called(1);
  s.ok({ type: 'park', counterId: '1' });
  return s;
}
const SCORES = [4, 3, 3, 4, 3, 4, 4, 3, 3];
const on = (s: Sim, cmd: Command): [Sim, Command] => [s, cmd];
const OTHER_CLERK: Actor = { kind: 'user', id: 'u-petugas2', name: 'Petugas 2', role: 'clerk' };
/** Counter 1 is signed in by the sim's clerk (after `setup`); the command then comes from another clerk. */
function taken(setup: (s: Sim) => void = () => undefined): Sim {
  const s = fresh();
  s.ok({ type: 'sign_in', counterId: '1' });
  setup(s);
  s.actor = OTHER_CLERK;
  return s;
}
const holding = (s: Sim) => {
  s.issue('ktp-el');
  s.callNext('1');
};

const SCENARIOS: Scenarios = {
  issue: {
    service_not_found: () => on(fresh(), { type: 'issue', service: 'paspor', source: 'kiosk' }),
    service_closed: () => {
      const s = fresh();
      s.ok({ type: 'close_service', service: 'ktp-el', reason: 'blangko habis' });
      return on(s, { type: 'issue', service: 'ktp-el', source: 'kiosk' });
    },
    // 23:00 WITA: after closing time.
    office_closed: () => on(new Sim(kupang({ enforceHours: true }), { start: '2026-11-23T15:00:00.000Z' }), { type: 'issue', service: 'ktp-el', source: 'kiosk' }),
    quota_full: () => {
      const office = kupang();
      const ktp = office.services.find((x) => x.id === 'ktp-el');
      if (ktp) ktp.quota.walkIn = 0;
      return on(new Sim(office), { type: 'issue', service: 'ktp-el', source: 'kiosk' });
    },
    bad_request: () => on(fresh(), { type: 'issue', service: 'ktp-el', source: 'kiosk', precheck: { subcase: 'tidak-ada', passed: true, missing: [] } }),
  },
  call_next: {
    counter_not_found: () => on(fresh(), { type: 'call_next', counterId: '99' }),
    counter_paused: () => on(paused(), { type: 'call_next', counterId: '1' }),
    counter_busy: () => on(called(1), { type: 'call_next', counterId: '1' }),
    queue_empty: () => on(fresh(), { type: 'call_next', counterId: '1' }),
    counter_taken: () => on(taken(), { type: 'call_next', counterId: '1' }),
  },
  call_ticket: {
    counter_not_found: () => on(fresh(), { type: 'call_ticket', counterId: '99', ticket: 'A001', reason: 'x' }),
    counter_taken: () => on(taken((s) => s.issue('ktp-el')), { type: 'call_ticket', counterId: '1', ticket: 'A001', reason: 'x' }),
    counter_paused: () => on(paused(), { type: 'call_ticket', counterId: '1', ticket: 'A001', reason: 'x' }),
    counter_busy: () => on(called(1), { type: 'call_ticket', counterId: '1', ticket: 'A002', reason: 'x' }),
    ticket_not_found: () => on(fresh(), { type: 'call_ticket', counterId: '1', ticket: 'A999', reason: 'x' }),
    ticket_not_waiting: () => on(called(), { type: 'call_ticket', counterId: '4', ticket: 'A001', reason: 'x' }),
    service_not_served: () => {
      const s = fresh();
      s.issue('ktp-el');
      s.ok({ type: 'move_ticket', ticket: 'A001', toCounter: '1', precedence: false });
      return on(s, { type: 'call_ticket', counterId: '4', ticket: 'A001', reason: 'x' });
    },
  },
  recall: {
    counter_not_found: () => on(fresh(), { type: 'recall', counterId: '99' }),
    counter_taken: () => on(taken(holding), { type: 'recall', counterId: '1' }),
    counter_idle: () => on(fresh(), { type: 'recall', counterId: '1' }),
    invalid_state: () => on(serving(), { type: 'recall', counterId: '1' }),
  },
  start: {
    counter_not_found: () => on(fresh(), { type: 'start', counterId: '99' }),
    counter_taken: () => on(taken(holding), { type: 'start', counterId: '1' }),
    counter_idle: () => on(fresh(), { type: 'start', counterId: '1' }),
    invalid_state: () => on(serving(), { type: 'start', counterId: '1' }),
  },
  finish: {
    counter_not_found: () => on(fresh(), { type: 'finish', counterId: '99', outcome: 'done' }),
    counter_taken: () => on(taken(holding), { type: 'finish', counterId: '1', outcome: 'done' }),
    counter_idle: () => on(fresh(), { type: 'finish', counterId: '1', outcome: 'done' }),
  },
  no_show: {
    counter_not_found: () => on(fresh(), { type: 'no_show', counterId: '99' }),
    counter_taken: () => on(taken(holding), { type: 'no_show', counterId: '1' }),
    counter_idle: () => on(fresh(), { type: 'no_show', counterId: '1' }),
    invalid_state: () => on(serving(), { type: 'no_show', counterId: '1' }),
  },
  reinstate: {
    ticket_not_found: () => on(fresh(), { type: 'reinstate', ticket: 'A999' }),
    invalid_state: () => on(called(1), { type: 'reinstate', ticket: 'A002' }),
    reinstate_window_passed: () => {
      const s = new Sim(kupang({ reinstateWindowMinutes: 0 }));
      s.issue('ktp-el');
      s.callNext('1');
      s.ok({ type: 'no_show', counterId: '1' });
      return on(s, { type: 'reinstate', ticket: 'A001' });
    },
  },
  transfer: {
    counter_not_found: () => on(fresh(), { type: 'transfer', counterId: '99', toService: 'kk', precedence: false }),
    counter_taken: () => on(taken(holding), { type: 'transfer', counterId: '1', toService: 'kk', precedence: false }),
    counter_idle: () => on(fresh(), { type: 'transfer', counterId: '1', toService: 'kk', precedence: false }),
    bad_request: () => on(called(), { type: 'transfer', counterId: '1', precedence: false }),
    service_not_found: () => on(called(), { type: 'transfer', counterId: '1', toService: 'paspor', precedence: false }),
  },
  park: {
    counter_not_found: () => on(fresh(), { type: 'park', counterId: '99' }),
    counter_taken: () => on(taken(holding), { type: 'park', counterId: '1' }),
    counter_idle: () => on(fresh(), { type: 'park', counterId: '1' }),
  },
  return: {
    counter_not_found: () => on(fresh(), { type: 'return', counterId: '99', ticket: 'A001' }),
    counter_taken: () => on(taken((s) => { holding(s); s.ok({ type: 'park', counterId: '1' }); }), { type: 'return', counterId: '1', ticket: 'A001' }),
    counter_paused: () => {
      const s = parked();
      s.ok({ type: 'pause', counterId: '1', reason: 'prayer' });
      return on(s, { type: 'return', counterId: '1', ticket: 'A001' });
    },
    counter_busy: () => {
      const s = parked();
      s.callNext('1');
      return on(s, { type: 'return', counterId: '1', ticket: 'A001' });
    },
    ticket_not_found: () => on(fresh(), { type: 'return', counterId: '1', ticket: 'A999' }),
    invalid_state: () => on(parked(), { type: 'return', counterId: '1', ticket: 'A002' }),
  },
  cancel: {
    ticket_not_found: () => on(fresh(), { type: 'cancel', ticket: 'A999', reason: 'x' }),
    counter_taken: () => on(taken(holding), { type: 'cancel', ticket: 'A001', reason: 'x' }),
    invalid_state: () => {
      const s = called();
      s.ok({ type: 'cancel', ticket: 'A001', reason: 'pergi' });
      return on(s, { type: 'cancel', ticket: 'A001', reason: 'lagi' });
    },
    // The holder, from a phone, once the ticket has been called (server/http/track.ts).
    cancel_too_late: () => {
      const s = called();
      s.actor = { kind: 'citizen', id: 'ticket-holder' };
      return on(s, { type: 'cancel', ticket: 'A001', reason: 'batal datang' });
    },
  },
  pause: {
    counter_not_found: () => on(fresh(), { type: 'pause', counterId: '99', reason: 'break' }),
    counter_taken: () => on(taken(), { type: 'pause', counterId: '1', reason: 'break' }),
    counter_paused: () => on(paused(), { type: 'pause', counterId: '1', reason: 'break' }),
  },
  resume: {
    counter_not_found: () => on(fresh(), { type: 'resume', counterId: '99' }),
    counter_taken: () => on(taken((s) => s.ok({ type: 'pause', counterId: '1', reason: 'break' })), { type: 'resume', counterId: '1' }),
    counter_not_paused: () => on(fresh(), { type: 'resume', counterId: '1' }),
  },
  sign_in: {
    counter_not_found: () => on(fresh(), { type: 'sign_in', counterId: '99' }),
    counter_taken: () => on(taken(holding), { type: 'sign_in', counterId: '1' }),
  },
  sign_out: {
    counter_not_found: () => on(fresh(), { type: 'sign_out', counterId: '99' }),
    counter_taken: () => on(taken(), { type: 'sign_out', counterId: '1' }),
    invalid_state: () => on(fresh(), { type: 'sign_out', counterId: '1' }),
  },
  configure_counter: {
    counter_not_found: () => on(fresh(), { type: 'configure_counter', counterId: '99', services: ['ktp-el'], autoCallNext: false }),
    counter_taken: () => on(taken(), { type: 'configure_counter', counterId: '1', services: ['ktp-el'], autoCallNext: false }),
    service_not_found: () => on(fresh(), { type: 'configure_counter', counterId: '1', services: ['paspor'], autoCallNext: false }),
  },
  move_ticket: {
    ticket_not_found: () => on(fresh(), { type: 'move_ticket', ticket: 'A999', toService: 'kk', precedence: false }),
    ticket_not_waiting: () => on(called(), { type: 'move_ticket', ticket: 'A001', toService: 'kk', precedence: false }),
    bad_request: () => on(called(1), { type: 'move_ticket', ticket: 'A002', precedence: false }),
    service_not_found: () => on(called(1), { type: 'move_ticket', ticket: 'A002', toService: 'paspor', precedence: false }),
    counter_not_found: () => on(called(1), { type: 'move_ticket', ticket: 'A002', toCounter: '99', precedence: false }),
  },
  record_precheck: {
    service_not_found: () => on(fresh(), { type: 'record_precheck', service: 'paspor', subcase: 'baru', missing: ['kk'] }),
    bad_request: () => on(fresh(), { type: 'record_precheck', service: 'ktp-el', subcase: 'tidak-ada', missing: ['kk'] }),
  },
  close_service: {
    service_not_found: () => on(fresh(), { type: 'close_service', service: 'paspor', reason: 'x' }),
    service_closed: () => {
      const s = fresh();
      s.ok({ type: 'close_service', service: 'kk', reason: 'x' });
      return on(s, { type: 'close_service', service: 'kk', reason: 'lagi' });
    },
  },
  reopen_service: {
    service_not_found: () => on(fresh(), { type: 'reopen_service', service: 'paspor' }),
    invalid_state: () => on(fresh(), { type: 'reopen_service', service: 'kk' }),
  },
  answer_survey: {
    ticket_not_found: () => on(fresh(), { type: 'answer_survey', ticket: 'A009', scores: SCORES }),
    survey_not_open: () => on(called(), { type: 'answer_survey', ticket: 'A001', scores: SCORES }),
    survey_already_answered: () => {
      const s = called();
      s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
      s.ok({ type: 'answer_survey', ticket: 'A001', scores: SCORES });
      return on(s, { type: 'answer_survey', ticket: 'A001', scores: [1, 1, 1, 1, 1, 1, 1, 1, 1] });
    },
  },
};

describe('COMMAND_REFUSALS', () => {
  for (const [type, codes] of Object.entries(COMMAND_REFUSALS) as Array<[CommandType, readonly string[]]>) {
    it(`${type}: the domain gives each listed refusal (${codes.join(', ')})`, () => {
      const scenarios = SCENARIOS[type] as Record<string, Scenario>;
      expect(Object.keys(scenarios).sort()).toEqual([...codes].sort());
      for (const code of codes) {
        const [s, cmd] = (scenarios[code] as Scenario)();
        expect(cmd.type, code).toBe(type);
        expect(s.err(cmd), `${type} → ${code}`).toBe(code);
      }
    });
  }

  it('every command meets the common refusals: a reused key and a stale office day', () => {
    expect([...COMMON_REFUSALS].sort()).toEqual(['day_mismatch', 'idempotency_conflict']);
    const s = fresh();
    s.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk', key: 'kunci-0001' });
    expect(s.err({ type: 'issue', service: 'kk', source: 'kiosk', key: 'kunci-0001' })).toBe('idempotency_conflict');
    const yesterday = new Sim(kupang(), { day: '2026-11-22' });
    expect(yesterday.err({ type: 'call_next', counterId: '1' })).toBe('day_mismatch');
  });
});
