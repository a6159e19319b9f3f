import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  KK_PROBLEM_TEXT,
  NIK_PROBLEM_TEXT,
  PROVINCE_CODES,
  ageOn,
  maskNik,
  parseKk,
  parseNik,
  type NikProblem,
} from '../../protocol/nik.ts';

const TODAY = '2026-11-23';

/** Builds a NIK from its parts; `day` is the real day of the month. */
function nik(p: { prov?: string; reg?: string; dist?: string; day: number; month: number; yy: number; female?: boolean; serial?: number }): string {
  const dd = p.day + (p.female ? 40 : 0);
  return [
    p.prov ?? '53',
    p.reg ?? '71',
    p.dist ?? '01',
    String(dd).padStart(2, '0'),
    String(p.month).padStart(2, '0'),
    String(p.yy).padStart(2, '0'),
    String(p.serial ?? 1).padStart(4, '0'),
  ].join('');
}

function problemOf(input: string, today = TODAY): NikProblem | null {
  const r = parseNik(input, today);
  return r.ok ? null : r.problem;
}

describe('parseNik: valid numbers', () => {
  it('parses a male NIK from Kota Kupang', () => {
    const r = parseNik('5371011205900001', TODAY);
    expect(r).toEqual({
      ok: true,
      info: { provinceCode: '53', regencyCode: '71', districtCode: '01', birthDate: '1990-05-12', sex: 'male' },
    });
  });

  it('parses a female NIK from Kota Kupang (40 added to the day)', () => {
    const r = parseNik('5371045205900002', TODAY);
    expect(r).toEqual({
      ok: true,
      info: { provinceCode: '53', regencyCode: '71', districtCode: '04', birthDate: '1990-05-12', sex: 'female' },
    });
  });

  it('reads the female day range 41–71 and male 01–31 at both ends', () => {
    const f1 = parseNik(nik({ day: 1, month: 1, yy: 80, female: true }), TODAY);
    const f31 = parseNik(nik({ day: 31, month: 1, yy: 80, female: true }), TODAY);
    const m1 = parseNik(nik({ day: 1, month: 1, yy: 80 }), TODAY);
    const m31 = parseNik(nik({ day: 31, month: 12, yy: 80 }), TODAY);
    expect(f1.ok && f1.info).toMatchObject({ birthDate: '1980-01-01', sex: 'female' });
    expect(f31.ok && f31.info).toMatchObject({ birthDate: '1980-01-31', sex: 'female' });
    expect(m1.ok && m1.info).toMatchObject({ birthDate: '1980-01-01', sex: 'male' });
    expect(m31.ok && m31.info).toMatchObject({ birthDate: '1980-12-31', sex: 'male' });
  });

  it('strips spaces (including several and at the ends) before checking', () => {
    const r = parseNik('  5371 0112 0590 0001 ', TODAY);
    expect(r.ok && r.info.birthDate).toBe('1990-05-12');
    expect(parseNik('5371\u00a00112\t0590 0001', TODAY).ok).toBe(true);
  });

  it('accepts every listed province code and the last serial', () => {
    for (const prov of ['11', '19', '21', '31', '36', '51', '53', '61', '65', '71', '76', '81', '82', '91', '96']) {
      expect(parseNik(nik({ prov, day: 5, month: 6, yy: 70, serial: 9999 }), TODAY).ok, prov).toBe(true);
    }
  });
});

describe('parseNik: each problem', () => {
  it('empty', () => {
    expect(problemOf('')).toBe('empty');
    expect(problemOf('   ')).toBe('empty');
  });

  it('not_digits: letters, hyphens, dots, non-ASCII digits', () => {
    expect(problemOf('53710112O5900001')).toBe('not_digits');
    expect(problemOf('5371-0112-0590-0001')).toBe('not_digits');
    expect(problemOf('5371.0112.0590.0001')).toBe('not_digits');
    expect(problemOf('٥٣٧١٠١١٢٠٥٩٠٠٠٠١')).toBe('not_digits');
    expect(problemOf('abc')).toBe('not_digits');
  });

  it('wrong_length', () => {
    expect(problemOf('537101120590001')).toBe('wrong_length');
    expect(problemOf('53710112059000011')).toBe('wrong_length');
    expect(problemOf('5')).toBe('wrong_length');
  });

  it('bad_province', () => {
    for (const prov of ['00', '10', '20', '22', '30', '37', '50', '54', '60', '66', '70', '77', '80', '83', '90', '97', '99']) {
      expect(problemOf(nik({ prov, day: 12, month: 5, yy: 90 })), prov).toBe('bad_province');
    }
  });

  it('bad_day: 00, 32–40, 72 and above', () => {
    for (const dd of ['00', '32', '35', '40', '72', '99']) {
      expect(problemOf(`537101${dd}0590` + '0001'), dd).toBe('bad_day');
    }
  });

  it('bad_month: 00 and 13 and above', () => {
    for (const mm of ['00', '13', '99']) {
      expect(problemOf(`53710112${mm}90` + '0001'), mm).toBe('bad_month');
    }
  });

  it('bad_date: a day the month does not have', () => {
    expect(problemOf(nik({ day: 31, month: 4, yy: 90 }))).toBe('bad_date');
    expect(problemOf(nik({ day: 31, month: 4, yy: 90, female: true }))).toBe('bad_date');
    expect(problemOf(nik({ day: 30, month: 2, yy: 0 }))).toBe('bad_date');
    expect(problemOf(nik({ day: 31, month: 11, yy: 90 }))).toBe('bad_date');
  });

  it('no future_date: a birth date that would be after today is a century earlier (DOMAIN.md)', () => {
    // Changed on purpose: these were `future_date` before.
    const later = parseNik(nik({ day: 24, month: 11, yy: 26 }), TODAY);
    expect(later.ok && later.info.birthDate).toBe('1926-11-24');
    const f = parseNik(nik({ day: 1, month: 12, yy: 26, female: true }), TODAY);
    expect(f.ok && f.info).toMatchObject({ birthDate: '1926-12-01', sex: 'female' });
    // Today itself is not in the future.
    const r = parseNik(nik({ day: 23, month: 11, yy: 26 }), TODAY);
    expect(r.ok && r.info.birthDate).toBe('2026-11-23');
  });

  it('bad_serial: 0000', () => {
    expect(problemOf(nik({ day: 12, month: 5, yy: 90, serial: 0 }))).toBe('bad_serial');
  });

  it('reports the first problem in reading order', () => {
    // Bad province and bad day: the province is reported.
    expect(problemOf('1071003205900000')).toBe('bad_province');
    // Bad day and serial 0000: the day is reported.
    expect(problemOf('5371013205900000')).toBe('bad_day');
  });

  it('refuses a malformed "today" (a programming error)', () => {
    expect(() => parseNik('5371011205900001', '23-11-2026')).toThrow(RangeError);
    expect(() => parseNik('5371011205900001', '2026-02-30')).toThrow(RangeError);
  });
});

describe('parseNik: 29 February', () => {
  it('exists in leap years', () => {
    const y2000 = parseNik(nik({ day: 29, month: 2, yy: 0 }), TODAY);
    const y1996 = parseNik(nik({ day: 29, month: 2, yy: 96 }), TODAY);
    const y2004f = parseNik(nik({ day: 29, month: 2, yy: 4, female: true }), TODAY);
    expect(y2000.ok && y2000.info.birthDate).toBe('2000-02-29');
    expect(y1996.ok && y1996.info.birthDate).toBe('1996-02-29');
    expect(y2004f.ok && y2004f.info).toMatchObject({ birthDate: '2004-02-29', sex: 'female' });
  });

  it('does not exist in other years', () => {
    expect(problemOf(nik({ day: 29, month: 2, yy: 1 }))).toBe('bad_date');
    expect(problemOf(nik({ day: 29, month: 2, yy: 99 }))).toBe('bad_date');
    expect(problemOf(nik({ day: 29, month: 2, yy: 23, female: true }))).toBe('bad_date');
  });

  it('does not exist in 1900 (century rule), though it does in 2000', () => {
    expect(problemOf(nik({ day: 29, month: 2, yy: 0 }), '1999-06-01')).toBe('bad_date');
    expect(problemOf(nik({ day: 29, month: 2, yy: 0 }), '2000-03-01')).toBeNull();
  });

  it('is a century earlier on 28 February of that year (1924 was a leap year too), this century on the day', () => {
    // Changed on purpose: the first was `future_date` before.
    const before = parseNik(nik({ day: 29, month: 2, yy: 24 }), '2024-02-28');
    expect(before.ok && before.info.birthDate).toBe('1924-02-29');
    const onTheDay = parseNik(nik({ day: 29, month: 2, yy: 24 }), '2024-02-29');
    expect(onTheDay.ok && onTheDay.info.birthDate).toBe('2024-02-29');
  });

  it('does not exist when the century it falls back to has no 29 February (1900)', () => {
    expect(problemOf(nik({ day: 29, month: 2, yy: 0 }), '2000-02-28')).toBe('bad_date');
  });
});

describe('parseNik: century of the two-digit year', () => {
  const year = (yy: number, today = TODAY, day = 1, month = 1): string | null => {
    const r = parseNik(nik({ day, month, yy }), today);
    return r.ok ? r.info.birthDate.slice(0, 4) : null;
  };

  it('resolves to the most recent past century', () => {
    expect(year(5)).toBe('2005');
    expect(year(30)).toBe('1930');
    expect(year(0)).toBe('2000');
    expect(year(26)).toBe('2026');
    expect(year(27)).toBe('1927');
    expect(year(99)).toBe('1999');
  });

  it('takes the previous century when this one would put the birthday after today: "25-12-26" on 1 December 2026 is 1926, aged 99', () => {
    const r = parseNik(nik({ day: 25, month: 12, yy: 26 }), '2026-12-01');
    expect(r.ok && r.info.birthDate).toBe('1926-12-25');
    expect(r.ok && ageOn(r.info.birthDate, '2026-12-01')).toBe(99);
    expect(year(26, '2026-12-01', 1, 12)).toBe('2026');
    expect(year(26, '2026-12-01', 2, 12)).toBe('1926');
  });

  it('never gives a birth date after today (property)', () => {
    const todayArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(todayArb, fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 99 }), (today, day, month, yy) => {
        const r = parseNik(nik({ day, month, yy }), today);
        if (!r.ok) expect(r.problem).toBe('bad_date');
        else {
          expect(r.info.birthDate <= today).toBe(true);
          expect(ageOn(r.info.birthDate, today)).toBeLessThanOrEqual(99);
        }
      }),
    );
  });

  it('depends on today', () => {
    expect(year(5, '2004-12-31')).toBe('1905');
    expect(year(5, '2005-01-01')).toBe('2005');
    expect(year(99, '2100-06-01')).toBe('2099');
    expect(year(0, '2100-06-01')).toBe('2100');
  });
});

describe('ageOn', () => {
  it('counts whole years, the birthday itself included', () => {
    expect(ageOn('2009-11-23', '2026-11-22')).toBe(16);
    expect(ageOn('2009-11-23', '2026-11-23')).toBe(17);
    expect(ageOn('2009-11-23', '2026-11-24')).toBe(17);
    expect(ageOn('2009-12-01', '2026-11-23')).toBe(16);
    expect(ageOn('1966-01-01', '2026-01-01')).toBe(60);
    expect(ageOn('1966-01-02', '2026-01-01')).toBe(59);
    expect(ageOn('2026-11-23', '2026-11-23')).toBe(0);
  });

  it('born on 29 February: a year older on 1 March in common years, on 29 February in leap years', () => {
    expect(ageOn('2008-02-29', '2025-02-28')).toBe(16);
    expect(ageOn('2008-02-29', '2025-03-01')).toBe(17);
    expect(ageOn('2008-02-29', '2028-02-28')).toBe(19);
    expect(ageOn('2008-02-29', '2028-02-29')).toBe(20);
  });

  it('is negative for a birth date after today', () => {
    expect(ageOn('2026-11-24', '2026-11-23')).toBe(-1);
  });

  it('agrees with the NIK for eligibility', () => {
    const r = parseNik(nik({ day: 24, month: 11, yy: 9 }), TODAY);
    expect(r.ok && ageOn(r.info.birthDate, TODAY)).toBe(16);
    const s = parseNik(nik({ day: 23, month: 11, yy: 9, female: true }), TODAY);
    expect(s.ok && ageOn(s.info.birthDate, TODAY)).toBe(17);
  });
});

describe('maskNik', () => {
  it('shows twelve bullets and the last four digits', () => {
    expect(maskNik('5371011205900001')).toBe('••••••••••••0001');
    expect(maskNik('5371 0112 0590 1234')).toBe('••••••••••••1234');
    expect(maskNik('1234')).toBe('••••••••••••1234');
  });

  it('shows no digit when there are fewer than four', () => {
    expect(maskNik('123')).toBe('••••••••••••••••');
    expect(maskNik('')).toBe('••••••••••••••••');
  });

  it('never shows more than four digits, and only the last ones (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.stringMatching(/^[0-9]{0,30}$/), (junk, digits) => {
        for (const input of [digits, junk, junk + digits, digits + junk]) {
          const out = maskNik(input);
          const shown = out.replace(/[^0-9]/g, '');
          expect(shown.length).toBeLessThanOrEqual(4);
          expect(input.replace(/[^0-9]/g, '').endsWith(shown)).toBe(true);
          expect(out.length).toBe(16);
        }
      }),
    );
  });
});

describe('parseKk', () => {
  it('accepts a KK number without reading a date from it', () => {
    expect(parseKk('5371 0199 9999 0001')).toEqual({
      ok: true,
      info: { provinceCode: '53', regencyCode: '71', districtCode: '01' },
    });
  });

  it('reports digits, length, province and serial', () => {
    const problem = (s: string) => {
      const r = parseKk(s);
      return r.ok ? null : r.problem;
    };
    expect(problem('')).toBe('empty');
    expect(problem('5371-0101-2300-01')).toBe('not_digits');
    expect(problem('537101010123001')).toBe('wrong_length');
    expect(problem('9971010101230001')).toBe('bad_province');
    expect(problem('5371010101230000')).toBe('bad_serial');
  });
});

describe('problem texts', () => {
  it('has a distinct, non-empty message per NIK problem in both languages', () => {
    const kinds: NikProblem[] = ['empty', 'not_digits', 'wrong_length', 'bad_province', 'bad_day', 'bad_month', 'bad_date', 'bad_serial'];
    expect(Object.keys(NIK_PROBLEM_TEXT).sort()).toEqual([...kinds].sort());
    for (const lang of ['id', 'en'] as const) {
      const texts = kinds.map((k) => NIK_PROBLEM_TEXT[k][lang]);
      expect(texts.every((t) => t.trim().length > 0)).toBe(true);
      expect(new Set(texts).size).toBe(texts.length);
    }
    for (const t of Object.values(KK_PROBLEM_TEXT)) expect(t.id && t.en).toBeTruthy();
  });

  it('uses KBBI spelling', () => {
    const all = JSON.stringify([NIK_PROBLEM_TEXT, KK_PROBLEM_TEXT]).toLowerCase();
    expect(all).not.toContain('silahkan');
    expect(all).not.toContain('antrian');
  });
});

describe('parseNik round trip (property)', () => {
  const DAY_MS = 86_400_000;
  const iso = (d: Date) => d.toISOString().slice(0, 10);

  it('returns the birth date and sex the NIK was built from', () => {
    const provinces = [...PROVINCE_CODES];
    const todayArb = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });
    const arb = todayArb.chain((todayDate) => {
      const today = new Date(Date.UTC(todayDate.getUTCFullYear(), todayDate.getUTCMonth(), todayDate.getUTCDate()));
      // Births within the last 99 full years, so the century is unambiguous.
      const earliest = new Date(Date.UTC(today.getUTCFullYear() - 99, 0, 1));
      return fc.record({
        today: fc.constant(today),
        birth: fc.integer({ min: 0, max: Math.round((today.getTime() - earliest.getTime()) / DAY_MS) }).map((n) => new Date(earliest.getTime() + n * DAY_MS)),
        prov: fc.constantFrom(...provinces),
        reg: fc.integer({ min: 0, max: 99 }),
        dist: fc.integer({ min: 0, max: 99 }),
        female: fc.boolean(),
        serial: fc.integer({ min: 1, max: 9999 }),
      });
    });
    fc.assert(
      fc.property(arb, ({ today, birth, prov, reg, dist, female, serial }) => {
        const number = nik({
          prov,
          reg: String(reg).padStart(2, '0'),
          dist: String(dist).padStart(2, '0'),
          day: birth.getUTCDate(),
          month: birth.getUTCMonth() + 1,
          yy: birth.getUTCFullYear() % 100,
          female,
          serial,
        });
        const r = parseNik(number, iso(today));
        expect(r).toEqual({
          ok: true,
          info: {
            provinceCode: prov,
            regencyCode: number.slice(2, 4),
            districtCode: number.slice(4, 6),
            birthDate: iso(birth),
            sex: female ? 'female' : 'male',
          },
        });
        expect(maskNik(number)).toBe('••••••••••••' + number.slice(-4));
      }),
      { numRuns: 500 },
    );
  });
});
