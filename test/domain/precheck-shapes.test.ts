// The two shapes a checklist item can take beside "bring this": an item that
// applies only when the citizen answers yes to a question, and an item met by
// its own document or any one alternative. One evaluator (protocol/rules.ts)
// decides for the kiosk and again for the server; the configuration refuses
// checklists whose ids or questions are ambiguous.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Requirement, Subcase } from '../../protocol/model.ts';
import { evaluatePrecheck, precheckProblems, requirementText, type PrecheckAnswers } from '../../protocol/rules.ts';
import { demoOffices } from '../../server/seed/demo-offices.ts';
import { parseConfigData } from '../../server/store/config-schema.ts';
import { Sim, kupang } from '../helpers/domain.ts';

const t = (id: string) => ({ id, en: `${id} (en)` });
const none = (): PrecheckAnswers => ({ brought: {}, conditions: {} });

// ---------------------------------------------------------------- arbitraries

const itemArb = (i: number): fc.Arbitrary<Requirement> =>
  fc.record({
    mandatory: fc.boolean(),
    staffJudged: fc.boolean(),
    alts: fc.integer({ min: 0, max: 3 }),
    cond: fc.option(fc.constantFrom('c0', 'c1'), { nil: undefined }),
  }).map(({ mandatory, staffJudged, alts, cond }) => ({
    id: `r${i}`,
    text: t(`dok ${i}`),
    mandatory,
    staffJudged,
    ...(alts > 0 ? { alternatives: Array.from({ length: alts }, (_, a) => ({ id: `r${i}-a${a}`, text: t(`ganti ${i}.${a}`) })) } : {}),
    ...(cond ? { condition: { id: cond, question: t(`tanya ${cond}`) } } : {}),
  }));

const subcaseArb: fc.Arbitrary<Subcase> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => itemArb(i))))
  .map((requirements) => ({ id: 'sub', name: t('sub'), requirements }));

/** A full set of answers for a sub-case: each item one of its documents or none, each question yes or no. */
const answersArb = (sub: Subcase): fc.Arbitrary<PrecheckAnswers> =>
  fc.record({
    brought: fc.tuple(...sub.requirements.map((r) => fc.constantFrom<boolean | string>(true, false, ...(r.alternatives ?? []).map((a) => a.id)))),
    conditions: fc.tuple(fc.boolean(), fc.boolean()),
  }).map(({ brought, conditions: [c0, c1] }) => {
    const conds = new Set(sub.requirements.flatMap((r) => (r.condition ? [r.condition.id] : [])));
    return {
      brought: Object.fromEntries(sub.requirements.map((r, i) => [r.id, brought[i]!])),
      conditions: Object.fromEntries([...conds].map((c) => [c, c === 'c0' ? c0 : c1])),
    };
  });

const withAnswers = subcaseArb.chain((sub) => fc.tuple(fc.constant(sub), answersArb(sub)));

describe('the pre-check evaluator', () => {
  it('takes an item with alternatives as met iff one of its documents is brought', () => {
    fc.assert(
      fc.property(withAnswers, ([sub, answers]) => {
        const ev = evaluatePrecheck(sub, answers);
        for (const r of sub.requirements) {
          if (r.condition && answers.conditions[r.condition.id] === false) continue;
          const b = answers.brought[r.id];
          const met = b === true || (typeof b === 'string' && (r.alternatives ?? []).some((a) => a.id === b));
          expect(ev.missing.includes(r), r.id).toBe(!met);
          expect(ev.result.alternatives?.[r.id]).toBe(typeof b === 'string' ? b : undefined);
        }
        expect(ev.problems).toEqual([]);
        expect(ev.open).toEqual([]);
      }),
    );
  });

  it('never blocks on a conditional item whose question was answered no, whatever was answered for it', () => {
    fc.assert(
      fc.property(withAnswers, fc.constantFrom('c0', 'c1'), ([sub, answers], no) => {
        if (!sub.requirements.some((r) => r.condition?.id === no)) return;
        const ev = evaluatePrecheck(sub, { ...answers, conditions: { ...answers.conditions, [no]: false } });
        for (const r of sub.requirements.filter((x) => x.condition?.id === no)) {
          expect(ev.skipped).toContain(r);
          expect(ev.missing).not.toContain(r);
          expect(ev.blocking).not.toContain(r);
          expect(ev.result.missing).not.toContain(r.id);
        }
        // Passing is decided by the items that apply alone.
        expect(ev.passed).toBe(ev.blocking.length === 0);
        expect(ev.result.conditions?.[no]).toBe(false);
      }),
    );
  });

  it('passes exactly when nothing mandatory the kiosk judges is missing', () => {
    fc.assert(
      fc.property(withAnswers, ([sub, answers]) => {
        const ev = evaluatePrecheck(sub, answers);
        expect(ev.passed).toBe(ev.missing.every((r) => !r.mandatory || r.staffJudged));
        expect(ev.result.passed).toBe(ev.passed);
        expect(ev.result.missing).toEqual(ev.missing.map((r) => r.id));
      }),
    );
  });

  it('refuses answers for ids the sub-case does not have, and never passes them', () => {
    fc.assert(
      fc.property(withAnswers, fc.constantFrom('brought', 'alternative', 'conditions'), fc.stringMatching(/^x[a-z]{1,6}$/), ([sub, answers], where, bad) => {
        const forged: PrecheckAnswers = structuredClone(answers);
        if (where === 'brought') forged.brought[bad] = true;
        else if (where === 'conditions') forged.conditions[bad] = true;
        else forged.brought[sub.requirements[0]!.id] = bad;
        const ev = evaluatePrecheck(sub, forged);
        expect(ev.problems).toHaveLength(1);
        expect(ev.problems[0]!.message).toContain(bad);
        expect(ev.passed).toBe(false);
      }),
    );
  });

  it('asks a question before the items it guards, and counts what is still open', () => {
    const sub: Subcase = {
      id: 'baru', name: t('baru'),
      requirements: [
        { id: 'buku-nikah', text: t('Buku nikah'), mandatory: true, staffJudged: false },
        { id: 'surat-pindah', text: t('Surat pindah'), mandatory: true, staffJudged: false, condition: { id: 'pindah', question: t('Pindah?') } },
      ],
    };
    expect(evaluatePrecheck(sub, none()).open).toEqual(['pindah', 'buku-nikah']);
    expect(evaluatePrecheck(sub, none()).passed).toBe(false);
    expect(evaluatePrecheck(sub, { brought: { 'buku-nikah': true }, conditions: { pindah: true } }).open).toEqual(['surat-pindah']);
    const no = evaluatePrecheck(sub, { brought: { 'buku-nikah': true }, conditions: { pindah: false } });
    expect(no).toMatchObject({ open: [], passed: true, result: { subcase: 'baru', passed: true, missing: [], conditions: { pindah: false } } });
    expect(no.skipped.map((r) => r.id)).toEqual(['surat-pindah']);
  });

  it('names an item with its alternatives: "A atau B", "A, B atau C"', () => {
    const kk = demoOffices()[0]!.services.find((s) => s.id === 'kk')!;
    const lost = kk.subcases.find((s) => s.id === 'hilang-rusak')!.requirements[0]!;
    expect(requirementText(lost)).toEqual({
      id: 'Surat keterangan kehilangan dari kepolisian atau KK yang rusak',
      en: 'Police report of loss or the damaged family card (KK)',
    });
    const three = { text: t('A'), alternatives: [{ id: 'b', text: t('Buku') }, { id: 'c', text: t('C') }] };
    expect(requirementText(three).id).toBe('A, buku atau C');
    expect(requirementText({ text: t('A') })).toEqual(t('A'));
  });
});

// ---------------------------------------------------------------- the issue command

describe('the issue command re-checks the kiosk answers', () => {
  const kkOf = (answers: PrecheckAnswers, passed: boolean, missing: string[], subcase = 'hilang-rusak') => ({ subcase, passed, missing, answers });

  it('refuses a forged "passed" with a mandatory item missing, a result the answers do not give, or unknown ids; nothing changes', () => {
    const s = new Sim(kupang());
    for (const precheck of [
      kkOf({ brought: { 'surat-kehilangan-polisi': false, 'ktp-el': true }, conditions: {} }, true, []),
      kkOf({ brought: { 'surat-kehilangan-polisi': false, 'ktp-el': true }, conditions: {} }, true, ['surat-kehilangan-polisi']),
      kkOf({ brought: { 'surat-kehilangan-polisi': true, 'ktp-el': true }, conditions: {} }, false, []),
      kkOf({ brought: { 'surat-kehilangan-polisi': 'ktp-rusak', 'ktp-el': true }, conditions: {} }, true, []),
      kkOf({ brought: { 'surat-kehilangan-polisi': true, 'ktp-el': true, lain: true }, conditions: {} }, true, []),
      kkOf({ brought: { 'buku-nikah': true, 'kk-asal': true }, conditions: {} }, true, [], 'baru'),
    ]) {
      const before = s.state.version;
      expect(s.err({ type: 'issue', service: 'kk', source: 'kiosk', precheck }), JSON.stringify(precheck)).toBe('bad_request');
      expect(s.state.version).toBe(before);
    }
    expect(s.state.tickets.size).toBe(0);
  });

  it('keeps with the ticket which alternative was brought and how the question was answered, not the answers', () => {
    const s = new Sim(kupang());
    const alt = s.issue('kk', { source: 'kiosk', precheck: kkOf({ brought: { 'surat-kehilangan-polisi': 'kk-rusak', 'ktp-el': true }, conditions: {} }, true, []) });
    expect(alt.precheck).toEqual({ subcase: 'hilang-rusak', passed: true, missing: [], alternatives: { 'surat-kehilangan-polisi': 'kk-rusak' } });
    const notMoving = s.issue('kk', {
      source: 'kiosk',
      precheck: kkOf({ brought: { 'buku-nikah': true, 'kk-asal': true }, conditions: { 'pindah-dari-luar-daerah': false } }, true, [], 'baru'),
    });
    expect(notMoving.precheck).toEqual({ subcase: 'baru', passed: true, missing: [], conditions: { 'pindah-dari-luar-daerah': false } });
    // Without answers (staff, older kiosks) the record is checked as before.
    expect(s.issue('kk', { precheck: { subcase: 'hilang-rusak', passed: true, missing: [] } }).precheck).toEqual({ subcase: 'hilang-rusak', passed: true, missing: [] });
  });

  it('records a failed pre-check only when its answers give that failure', () => {
    const s = new Sim(kupang());
    const answers = { brought: { 'surat-kehilangan-polisi': false, 'ktp-el': true }, conditions: {} };
    s.ok({ type: 'record_precheck', service: 'kk', subcase: 'hilang-rusak', missing: ['surat-kehilangan-polisi'], answers });
    const before = s.state.version;
    // The answers give a pass, or other missing items: not a failure to count.
    expect(s.err({ type: 'record_precheck', service: 'kk', subcase: 'hilang-rusak', missing: ['ktp-el'], answers })).toBe('bad_request');
    const passing = { brought: { 'surat-kehilangan-polisi': 'kk-rusak', 'ktp-el': false }, conditions: {} };
    s.ok({ type: 'record_precheck', service: 'kk', subcase: 'hilang-rusak', missing: ['ktp-el'], answers: passing });
    const all = { brought: { 'surat-kehilangan-polisi': 'kk-rusak', 'ktp-el': true }, conditions: {} };
    expect(s.err({ type: 'record_precheck', service: 'kk', subcase: 'hilang-rusak', missing: ['ktp-el'], answers: all })).toBe('bad_request');
    expect(s.state.version).toBe(before + 1);
  });

  it('says what does not follow from the answers', () => {
    const kk = kupang().services.find((x) => x.id === 'kk')!;
    const answers = { brought: { 'surat-kehilangan-polisi': false, 'ktp-el': true }, conditions: {} };
    expect(precheckProblems(kk, { subcase: 'hilang-rusak', passed: false, missing: ['surat-kehilangan-polisi'], answers })).toEqual([]);
    expect(precheckProblems(kk, { subcase: 'hilang-rusak', passed: false, missing: [], answers })).toEqual([{ path: 'missing', message: 'the answers give missing = [surat-kehilangan-polisi]' }]);
  });
});

// ---------------------------------------------------------------- the configuration file

describe('checklists in the configuration file', () => {
  const config = (edit: (subs: Subcase[]) => void) => {
    const offices = demoOffices();
    edit(offices[0]!.services.find((s) => s.id === 'kk')!.subcases);
    return { schemaVersion: 1, offices, users: [], devices: [] };
  };
  const refusal = (edit: (subs: Subcase[]) => void): string => {
    try {
      parseConfigData(config(edit), 'config.json');
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('accepted');
  };

  it('loads a checklist written before the two shapes unchanged', () => {
    const plain = config((subs) => {
      for (const s of subs) for (const r of s.requirements) delete r.alternatives, delete r.condition;
    });
    const parsed = parseConfigData(structuredClone(plain), 'config.json');
    expect(parsed.offices[0]!.services.find((s) => s.id === 'kk')!.subcases).toEqual(plain.offices[0]!.services.find((s) => s.id === 'kk')!.subcases);
    expect(parsed.offices[0]!.services.find((s) => s.id === 'kk')!.subcases[0]!.requirements.every((r) => !('condition' in r) && !('alternatives' in r))).toBe(true);
  });

  it('refuses an alternative id that is also an item id in the sub-case, in both languages', () => {
    const msg = refusal((subs) => {
      subs[2]!.requirements[0]!.alternatives = [{ id: 'ktp-el', text: t('KTP-el') }];
    });
    expect(msg).toContain('offices.0.services.1.subcases.2.requirements.1.id');
    expect(msg).toContain('id ktp-el dipakai dua kali dalam sub-layanan hilang-rusak / id ktp-el is used twice in sub-case hilang-rusak');
  });

  it('refuses one condition id with two different questions, in both languages', () => {
    const msg = refusal((subs) => {
      subs[0]!.requirements[0]!.condition = { id: 'pindah-dari-luar-daerah', question: t('Pertanyaan lain?') };
    });
    expect(msg).toContain('requirements.2.condition.question');
    expect(msg).toContain('syarat pindah-dari-luar-daerah sudah memakai pertanyaan lain / condition pindah-dari-luar-daerah already has a different question');
  });

  it('accepts several items sharing one condition and its question', () => {
    const cfg = config((subs) => {
      subs[0]!.requirements[1]!.condition = structuredClone(subs[0]!.requirements[2]!.condition);
    });
    expect(() => parseConfigData(cfg, 'config.json')).not.toThrow();
  });
});
