// server/domain/eta-accuracy.ts: the first call only, tickets without a range,
// services without calls, and the same score report.ts folds.
import { describe, expect, it } from 'vitest';
import { etaAccuracy, figuresOf, scoreEta } from '../../server/domain/eta-accuracy.ts';
import { Sim, kupang } from '../helpers/domain.ts';

describe('eta accuracy (pure)', () => {
  it('scores a wait against the range middle and the point estimate; inside by whole minutes', () => {
    const t = { issuedAt: '2026-11-23T01:00:00.000Z', etaMinutesAtIssue: 10, waitAtIssue: { low: 4, high: 8 } };
    expect(scoreEta(t, Date.parse('2026-11-23T01:08:20.000Z'))).toEqual({ actualMin: 25 / 3, pointAbsErrMin: 10 - 25 / 3, rangeAbsErrMin: 25 / 3 - 6, inside: true });
    expect(scoreEta(t, Date.parse('2026-11-23T01:08:40.000Z')).inside).toBe(false); // 8.67 rounds to 9
    expect(scoreEta({ ...t, waitAtIssue: null }, Date.parse('2026-11-23T01:05:00.000Z'))).toMatchObject({ rangeAbsErrMin: null, inside: null });
  });

  it('counts the first call of each ticket only (a recall, a transfer called again), per service and office', () => {
    const sim = new Sim(kupang(), { step: 60 });
    sim.ok({ type: 'sign_in', counterId: '1' });
    const a = sim.issue('ktp-el');
    sim.issue('ktp-el');
    sim.advance(240);
    sim.callNext('1');
    sim.ok({ type: 'recall', counterId: '1' });
    sim.ok({ type: 'transfer', counterId: '1', toService: 'kia', precedence: true });
    sim.callNext('1'); // a again (precedence), at kia now
    sim.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    sim.callNext('1');
    const acc = etaAccuracy(sim.commits, ['ktp-el', 'kk', 'kia']);
    expect(acc.office.calls).toBe(2);
    expect(acc.services.map((s) => [s.serviceId, s.calls])).toEqual([['ktp-el', 2], ['kk', 0], ['kia', 0]]);
    expect(acc.services[1]).toMatchObject({ meanWaitMinutes: null, maeMinutes: null, maePercent: null, insideShare: null, naiveMaeMinutes: null });
    expect(sim.ticket(a.number).calledAt).not.toBeNull();
  });

  it('gives null figures for nothing measured and a percentage of the mean wait', () => {
    expect(figuresOf({ calls: 0, waitMin: 0, pointAbsErrMin: 0, ranged: 0, rangeAbsErrMin: 0, inside: 0 })).toMatchObject({ calls: 0, meanWaitMinutes: null, maePercent: null });
    expect(figuresOf({ calls: 4, waitMin: 40, pointAbsErrMin: 8, ranged: 4, rangeAbsErrMin: 10, inside: 3 })).toEqual({ calls: 4, ranged: 4, meanWaitMinutes: 10, maeMinutes: 2.5, maePercent: 25, insideShare: 0.75, naiveMaeMinutes: 2 });
  });
});
