import { describe, it, expect } from 'vitest';
import { demoOffices, demoServices } from '../../server/seed/demo-offices.ts';

const offices = demoOffices();

const EXPECTED = [
  ['A', 'ktp-el'],
  ['B', 'kk'],
  ['C', 'akta'],
  ['D', 'kia'],
  ['E', 'pindah-datang'],
  ['F', 'perubahan-data'],
  ['G', 'informasi'],
] as const;

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

describe('demo offices', () => {
  it('are Kupang (WITA) and Padang Panjang (WIB)', () => {
    expect(offices.map((o) => [o.id, o.timeZone])).toEqual([
      ['kupang', 'Asia/Makassar'],
      ['padang-panjang', 'Asia/Jakarta'],
    ]);
    expect(new Set(offices.map((o) => o.id)).size).toBe(offices.length);
  });

  it('have valid IANA time zones', () => {
    for (const o of offices) {
      expect(() => new Intl.DateTimeFormat('en', { timeZone: o.timeZone })).not.toThrow();
    }
    expect(() => new Intl.DateTimeFormat('en', { timeZone: 'Asia/Nowhere' })).toThrow();
  });

  it('open Mon–Thu 08:00–15:00 and Fri with a break', () => {
    for (const o of offices) {
      for (const d of ['mon', 'tue', 'wed', 'thu'] as const) expect(o.hours[d]).toEqual([['08:00', '15:00']]);
      expect(o.hours.fri).toEqual([
        ['08:00', '12:00'],
        ['13:00', '15:30'],
      ]);
      expect(o.hours.sat).toBeUndefined();
      expect(o.hours.sun).toBeUndefined();
    }
  });

  for (const o of offices) {
    describe(o.id, () => {
      it('has services A–G with unique prefixes and ids', () => {
        expect(o.services.map((s) => [s.prefix, s.id])).toEqual(EXPECTED.map(([p, id]) => [p, id]));
        expect(new Set(o.services.map((s) => s.prefix)).size).toBe(o.services.length);
        expect(new Set(o.services.map((s) => s.id)).size).toBe(o.services.length);
      });

      it('has free, active, unlimited services with bilingual texts', () => {
        for (const s of o.services) {
          expect(s.fee).toBe(0);
          expect(s.active).toBe(true);
          expect(s.quota).toEqual({ walkIn: null, online: null });
          for (const t of [s.name, s.description, s.standard]) {
            expect(t.id.trim()).not.toBe('');
            expect(t.en.trim()).not.toBe('');
          }
          expect(s.icon).toMatch(KEBAB);
        }
      });

      it('has four counters, "Loket 1".."Loket 4", that name only known services', () => {
        expect(o.counters.map((c) => [c.id, c.name, c.word])).toEqual([
          ['1', 'Loket 1', 'loket'],
          ['2', 'Loket 2', 'loket'],
          ['3', 'Loket 3', 'loket'],
          ['4', 'Loket 4', 'loket'],
        ]);
        const ids = new Set(o.services.map((s) => s.id));
        for (const c of o.counters) {
          expect(c.services.length).toBeGreaterThan(0);
          expect(new Set(c.services).size).toBe(c.services.length);
          for (const sid of c.services) expect(ids.has(sid), `${c.id}: ${sid}`).toBe(true);
        }
      });

      it('serves every service at one counter at least', () => {
        for (const s of o.services) {
          expect(o.counters.some((c) => c.services.includes(s.id)), s.id).toBe(true);
        }
      });

      it('has the demo rules (hours not enforced)', () => {
        expect(o.rules).toEqual({
          priorityPerRegular: 2,
          reinstateWindowMinutes: 30,
          noShowAfterRecalls: 3,
          noShowAfterMinutes: 10,
          defaultServiceMinutes: 10,
          etaSampleSize: 20,
          enforceHours: false,
        });
        expect(o.kiosk).toEqual({ idleSeconds: 30 });
      });

      it('says the service is free and where to complain', () => {
        expect(o.marquee.id).toContain('GRATIS');
        expect(o.marquee.en).toContain('FREE');
        expect(o.complaintChannel.id.trim()).not.toBe('');
        expect(o.complaintChannel.en.trim()).not.toBe('');
      });
    });
  }
});

describe('demo services: requirement checklists', () => {
  const services = demoServices();
  const byId = (id: string) => {
    const s = services.find((x) => x.id === id);
    if (!s) throw new Error(`no service ${id}`);
    return s;
  };

  it('has unique subcase ids per service and unique requirement ids per subcase', () => {
    for (const s of services) {
      expect(s.subcases.length, s.id).toBeGreaterThan(0);
      expect(new Set(s.subcases.map((c) => c.id)).size, s.id).toBe(s.subcases.length);
      for (const c of s.subcases) {
        expect(c.id).toMatch(KEBAB);
        const ids = c.requirements.map((r) => r.id);
        expect(new Set(ids).size, `${s.id}/${c.id}`).toBe(ids.length);
        for (const r of c.requirements) {
          expect(r.id).toMatch(KEBAB);
          expect(r.text.id.trim()).not.toBe('');
          expect(r.text.en.trim()).not.toBe('');
        }
      }
    }
  });

  it('KTP-el has the four sub-cases, and "baru" needs age 17 (or marriage)', () => {
    const ktp = byId('ktp-el');
    expect(ktp.subcases.map((c) => c.id)).toEqual(['baru', 'hilang', 'rusak', 'perubahan-data']);
    const baru = ktp.subcases[0]!;
    expect(baru.eligibility?.minAge).toBe(17);
    expect(baru.eligibility?.note?.id).toBeTruthy();
    expect(baru.requirements.some((r) => r.staffJudged)).toBe(true);
    expect(baru.requirements.some((r) => r.id === 'kk' && r.mandatory)).toBe(true);
  });

  it('KK, Akta, KIA and Pindah/Datang have the sub-cases of DOMAIN.md', () => {
    expect(byId('kk').subcases.map((c) => c.id)).toEqual(['baru', 'tambah-anggota', 'hilang-rusak']);
    expect(byId('akta').subcases.map((c) => c.id)).toEqual(['kelahiran', 'kematian']);
    expect(byId('pindah-datang').subcases.map((c) => c.id)).toEqual(['pindah', 'datang']);
    expect(byId('perubahan-data').subcases).toHaveLength(1);
    const kia = byId('kia').subcases;
    expect(kia.map((c) => c.eligibility)).toEqual([{ maxAge: 4 }, { minAge: 5, maxAge: 16 }]);
    // The older children's list is the younger one plus photos.
    const [under5, over5] = kia;
    const extra = over5!.requirements.filter((r) => !under5!.requirements.some((u) => u.id === r.id));
    expect(extra.map((r) => r.staffJudged)).toEqual([true]);
  });

  it('marks the witnesses for a birth certificate as optional', () => {
    const lahir = byId('akta').subcases.find((c) => c.id === 'kelahiran')!;
    expect(lahir.requirements.find((r) => r.id === 'ktp-el-dua-saksi')?.mandatory).toBe(false);
    expect(lahir.requirements.filter((r) => r.mandatory)).toHaveLength(5);
  });

  it('informasi has no mandatory requirement', () => {
    const info = byId('informasi');
    expect(info.subcases).toHaveLength(1);
    expect(info.subcases.flatMap((c) => c.requirements).filter((r) => r.mandatory)).toEqual([]);
  });

  it('uses KBBI spelling everywhere', () => {
    const all = JSON.stringify(demoOffices()).toLowerCase();
    expect(all).not.toContain('antrian');
    expect(all).not.toContain('silahkan');
  });

  it('returns fresh objects on every call', () => {
    const a = demoServices();
    a[0]!.subcases[0]!.requirements[0]!.text.id = 'changed';
    a[1]!.standard.id = 'changed';
    const b = demoServices();
    expect(b[0]!.subcases[0]!.requirements[0]!.text.id).not.toBe('changed');
    expect(b[2]!.standard.id).toBe('1 jam');
    const [k, p] = demoOffices();
    expect(k!.services).not.toBe(p!.services);
    expect(k!.counters[0]).not.toBe(p!.counters[0]);
  });
});
