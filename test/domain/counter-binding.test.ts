// A counter belongs to the person signed in there (issue 15, finding 9): other
// clerks are refused, supervisors may still act, and the counter changes hands
// only when that is safe (protocol/rules.ts signInRefusal).
import { describe, expect, it } from 'vitest';
import type { Command } from '../../protocol/commands.ts';
import type { Actor } from '../../protocol/model.ts';
import { refusalFor, signInRefusal } from '../../protocol/rules.ts';
import { CLERK, DAY, Sim, kupang, replay } from '../helpers/domain.ts';

const CLERK2: Actor = { kind: 'user', id: 'petugas2', name: 'Petugas 2', role: 'clerk' };
const SUPERVISOR: Actor = { kind: 'user', id: 'supervisor', name: 'Supervisor', role: 'supervisor' };
const AGENT: Actor = { kind: 'device', id: 'agent-1', name: 'Keypad', role: 'agent' };

function signedIn(): Sim {
  const s = new Sim(kupang());
  s.ok({ type: 'sign_in', counterId: '1' });
  return s;
}

describe('a counter bound to the clerk signed in there', () => {
  it('records who signed in, with its own event, and leaves the services as they were', () => {
    const s = new Sim(kupang());
    const before = [...s.counter('1').services];
    const c = s.ok({ type: 'sign_in', counterId: '1' });
    expect(c.events).toEqual([expect.objectContaining({ type: 'counter_signed_in', counterId: '1', actor: CLERK })]);
    expect(s.counter('1').staff).toEqual(CLERK);
    expect(s.counter('1').services).toEqual(before);
  });

  it('refuses another clerk every command at that counter, and changes nothing', () => {
    const s = signedIn();
    s.issue('ktp-el');
    s.issue('ktp-el');
    s.callNext('1');
    const version = s.state.version;
    for (const cmd of [
      { type: 'pause', counterId: '1', reason: 'break' },
      { type: 'finish', counterId: '1', outcome: 'done' },
      { type: 'recall', counterId: '1' },
      { type: 'start', counterId: '1' },
      { type: 'no_show', counterId: '1' },
      { type: 'park', counterId: '1' },
      { type: 'transfer', counterId: '1', toService: 'kk', precedence: false },
      { type: 'configure_counter', counterId: '1', services: ['kk'], autoCallNext: false },
      { type: 'sign_out', counterId: '1' },
      { type: 'cancel', ticket: 'A001', reason: 'batal' },
    ] satisfies Command[]) {
      const d = s.run(cmd, CLERK2);
      expect(d, cmd.type).toEqual({ ok: false, code: 'counter_taken' });
    }
    expect(s.state.version).toBe(version);
    expect(s.ticket('A001')).toMatchObject({ state: 'called', counterId: '1' });
    // The holder still works it.
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
  });

  it('lets a supervisor, a keypad through the agent and the system act at a clerk\'s counter', () => {
    const s = signedIn();
    s.issue('ktp-el');
    s.issue('ktp-el');
    expect(s.run({ type: 'call_next', counterId: '1' }, AGENT).ok).toBe(true);
    expect(s.run({ type: 'finish', counterId: '1', outcome: 'done' }, SUPERVISOR).ok).toBe(true);
    expect(s.run({ type: 'configure_counter', counterId: '1', services: ['ktp-el'], autoCallNext: false }, SUPERVISOR).ok).toBe(true);
    // A supervisor changing the settings does not take the counter from the clerk.
    expect(s.counter('1').staff?.id).toBe('petugas1');
    expect(s.run({ type: 'pause', counterId: '1', reason: 'break' }, SUPERVISOR).ok).toBe(true);
  });

  it('lets any clerk work a counter nobody signed in to', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    expect(s.run({ type: 'call_next', counterId: '1' }, CLERK2).ok).toBe(true);
  });

  it('hands a free counter over to the next clerk, but not one with a ticket in hand or a pause', () => {
    const s = signedIn();
    s.issue('ktp-el');
    s.callNext('1');
    expect(s.run({ type: 'sign_in', counterId: '1' }, CLERK2)).toEqual({ ok: false, code: 'counter_taken' });
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    s.ok({ type: 'pause', counterId: '1', reason: 'prayer' });
    expect(s.run({ type: 'sign_in', counterId: '1' }, CLERK2)).toEqual({ ok: false, code: 'counter_taken' });
    s.ok({ type: 'resume', counterId: '1' });
    // Free now: the first clerk left without signing out; the next one may take it.
    expect(s.run({ type: 'sign_in', counterId: '1' }, CLERK2).ok).toBe(true);
    expect(s.counter('1').staff?.id).toBe('petugas2');
    expect(s.run({ type: 'call_next', counterId: '1' })).toEqual({ ok: false, code: 'counter_taken' });
  });

  it('frees the counter when its clerk signs out, or when a supervisor releases it', () => {
    const s = signedIn();
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'sign_out', counterId: '1' });
    expect(s.counter('1').staff).toBeNull();
    expect(s.run({ type: 'sign_in', counterId: '1' }, CLERK2).ok).toBe(true);
    // Held by petugas2 with a ticket in hand: only a supervisor can release it.
    expect(s.run({ type: 'sign_in', counterId: '1' })).toEqual({ ok: false, code: 'counter_taken' });
    expect(s.run({ type: 'sign_out', counterId: '1' }, SUPERVISOR).ok).toBe(true);
    expect(s.run({ type: 'sign_in', counterId: '1' }).ok).toBe(true);
    expect(s.run({ type: 'finish', counterId: '1', outcome: 'done' }).ok).toBe(true);
    expect(s.run({ type: 'sign_out', counterId: '2' })).toEqual({ ok: false, code: 'invalid_state' });
  });

  it('refuses another clerk at a counter its clerk set up with their services (which signs them in too)', () => {
    const s = new Sim(kupang());
    s.ok({ type: 'configure_counter', counterId: '3', services: ['akta'], autoCallNext: false });
    expect(s.run({ type: 'pause', counterId: '3', reason: 'break' }, CLERK2)).toEqual({ ok: false, code: 'counter_taken' });
    expect(s.counter('3').paused).toBeNull();
  });

  it('rebuilds who is signed in where from the journal', () => {
    const s = signedIn();
    s.ok({ type: 'sign_in', counterId: '2' });
    s.ok({ type: 'sign_out', counterId: '2' });
    s.run({ type: 'sign_in', counterId: '3' }, CLERK2);
    const again = replay(s.office, DAY, s.commits);
    expect(again.counters.get('1')?.staff?.id).toBe('petugas1');
    expect(again.counters.get('2')?.staff).toBeNull();
    expect(again.counters.get('3')?.staff?.id).toBe('petugas2');
    expect(again).toEqual(s.state);
  });

  it('gives the page the same answer as the domain (refusalFor)', () => {
    const s = signedIn();
    const c = s.counter('1');
    expect(refusalFor('pause', c, null, CLERK2)).toBe('counter_taken');
    expect(refusalFor('pause', c, null, CLERK)).toBeNull();
    expect(refusalFor('pause', c, null, SUPERVISOR)).toBeNull();
    expect(refusalFor('recall', c, null, CLERK)).toBe('counter_idle');
    expect(refusalFor('sign_in', c, null, CLERK2)).toBeNull();
    expect(signInRefusal(c, CLERK2)).toBeNull(); // free: may be handed over
  });
});
