// A kiosk's pre-check is stored only when it fits the service's checklist
// (issue 15, finding 13): a known sub-case, only its items, and no "passed"
// while a mandatory item the kiosk judges is missing.
import { describe, expect, it } from 'vitest';
import { precheckProblems } from '../../protocol/rules.ts';
import { Sim, kupang } from '../helpers/domain.ts';

describe('pre-check records', () => {
  it('refuses a ticket whose pre-check names an unknown sub-case or item, or passes with a mandatory item missing; nothing changes', () => {
    const s = new Sim(kupang());
    for (const precheck of [
      { subcase: 'nope', passed: true, missing: [] },
      { subcase: 'hilang', passed: true, missing: ['buku-nikah'] },
      { subcase: 'hilang', passed: true, missing: ['kk'] },
    ]) {
      const before = s.state.version;
      expect(s.err({ type: 'issue', service: 'ktp-el', source: 'kiosk', precheck }), JSON.stringify(precheck)).toBe('bad_request');
      expect(s.state.version).toBe(before);
      expect(s.state.tickets.size).toBe(0);
    }
  });

  it('keeps pre-checks that fit: passed with only staff-judged items missing, or not passed', () => {
    const s = new Sim(kupang());
    expect(s.issue('ktp-el', { precheck: { subcase: 'baru', passed: true, missing: ['usia-17-atau-menikah'] } }).precheck).toEqual({ subcase: 'baru', passed: true, missing: ['usia-17-atau-menikah'] });
    expect(s.issue('ktp-el', { precheck: { subcase: 'hilang', passed: false, missing: ['kk'] } }).number).toBe('A002');
    expect(s.issue('ktp-el', { precheck: { subcase: 'hilang', passed: true, missing: [] } }).number).toBe('A003');
  });

  it('says what does not fit, for a slip as for a ticket', () => {
    const ktp = kupang().services.find((x) => x.id === 'ktp-el')!;
    expect(precheckProblems(ktp, { subcase: 'x', missing: [] })).toEqual([{ path: 'subcase', message: 'unknown subcase of this service' }]);
    expect(precheckProblems(ktp, { subcase: 'hilang', missing: ['kk', 'zzz'] })).toEqual([{ path: 'missing', message: 'not a requirement of this subcase: zzz' }]);
    expect(precheckProblems(ktp, { subcase: 'hilang', missing: ['kk'] })).toEqual([]);
    expect(precheckProblems(ktp, { subcase: 'hilang', passed: true, missing: ['kk'] })).toHaveLength(1);
  });
});
