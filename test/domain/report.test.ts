// The report aggregation on a hand-made day whose figures are worked out by
// hand below (times UTC; Kupang is UTC+8, so 01:xx is 09:xx local).
import { describe, expect, it } from 'vitest';
import type { Actor, QueueEvent, Ticket, TicketSource, PriorityGroup, WaitRangeView } from '../../protocol/model.ts';
import { queueEventSchema } from '../../protocol/schemas.ts';
import {
  HISTOGRAM_ERROR,
  addSample,
  aggregateDay,
  aggregateIsCurrent,
  daysBetween,
  emptyDist,
  monthRollup,
  splitMonths,
  figuresOf,
  mergeDays,
  missingTotals,
  precheckRows,
  quantile,
  standardRows,
  utcOffsetMinutes,
  type DayAggregate,
  type Standards,
} from '../../server/domain/report.ts';
import type { Commit } from '../../server/domain/state.ts';

const DAY = '2026-11-23';
const P1: Actor = { kind: 'user', id: 'petugas1', name: 'Petugas Satu', role: 'clerk' };
const P2: Actor = { kind: 'user', id: 'petugas2', name: 'Petugas Dua', role: 'clerk' };
const KIOSK: Actor = { kind: 'device', id: 'kiosk-1', role: 'kiosk' };
const at = (hhmm: string) => `${DAY}T${hhmm}:00.000Z`;

function ticket(number: string, serviceId: string, issued: string, opts: { source?: TicketSource; priority?: PriorityGroup; eta: number; range: WaitRangeView | null; precheck?: Ticket['precheck'] }): Ticket {
  return {
    id: `${DAY}/${number}`,
    number,
    serviceId,
    seq: Number(number.slice(1)),
    officeDay: DAY,
    priority: opts.priority ?? null,
    source: opts.source ?? 'kiosk',
    state: 'waiting',
    counterId: null,
    targetCounterId: null,
    precedence: false,
    bookingSlot: null,
    issuedAt: at(issued),
    queuedAt: at(issued),
    calledAt: null,
    startedAt: null,
    finishedAt: null,
    calls: 0,
    outcome: null,
    precheck: opts.precheck ?? null,
    etaMinutesAtIssue: opts.eta,
    waitAtIssue: opts.range,
    aheadAtIssue: 0,
    transfers: 0,
  };
}

type Ev = QueueEvent;
const e = {
  issue: (t: Ticket): Ev => ({ type: 'ticket_issued', at: t.issuedAt, actor: KIOSK, ticket: t }),
  call: (hhmm: string, n: string, counterId: string, actor: Actor): Ev => ({ type: 'ticket_called', at: at(hhmm), actor, ticketId: `${DAY}/${n}`, counterId, mode: 'next' }),
  start: (hhmm: string, n: string, counterId: string, actor: Actor): Ev => ({ type: 'service_started', at: at(hhmm), actor, ticketId: `${DAY}/${n}`, counterId }),
  finish: (hhmm: string, n: string, counterId: string, actor: Actor): Ev => ({ type: 'ticket_finished', at: at(hhmm), actor, ticketId: `${DAY}/${n}`, counterId, outcome: 'done' }),
};

/** The day, as commits in the order they happened. */
function handDay(): Commit[] {
  const events: Ev[] = [
    { type: 'counter_signed_in', at: at('01:00'), actor: P1, counterId: 'loket-1' },
    e.issue(ticket('A001', 'ktp-el', '01:00', { eta: 5, range: { low: 5, high: 15 }, precheck: { subcase: 'baru', passed: true, missing: [] } })),
    e.issue(ticket('A002', 'ktp-el', '01:00', { source: 'booking', priority: 'elderly', eta: 20, range: { low: 15, high: 30 } })),
    e.issue(ticket('A003', 'ktp-el', '01:05', { eta: 30, range: null })),
    { type: 'precheck_failed', at: at('01:06'), actor: KIOSK, serviceId: 'ktp-el', subcase: 'baru', missing: ['kk'] },
    { type: 'precheck_failed', at: at('01:07'), actor: KIOSK, serviceId: 'ktp-el', subcase: 'hilang', missing: ['kk', 'surat-polisi'], source: 'booking' },
    e.call('01:10', 'A001', 'loket-1', P1),
    e.start('01:11', 'A001', 'loket-1', P1),
    e.issue(ticket('B001', 'kk', '01:20', { source: 'counter', eta: 10, range: { low: 5, high: 15 } })),
    e.issue(ticket('B002', 'kk', '01:20', { eta: 10, range: { low: 5, high: 15 } })),
    e.finish('01:21', 'A001', 'loket-1', P1),
    { type: 'ticket_cancelled', at: at('01:25'), actor: KIOSK, ticketId: `${DAY}/B002`, counterId: null, reason: 'citizen left' },
    e.issue(ticket('A004', 'ktp-el', '01:30', { eta: 30, range: { low: 20, high: 40 } })),
    e.call('01:30', 'B001', 'loket-2', P2),
    { type: 'ticket_no_show', at: at('01:35'), actor: P2, ticketId: `${DAY}/B001`, counterId: 'loket-2' },
    e.call('01:40', 'A002', 'loket-1', P1),
    e.finish('01:50', 'A002', 'loket-1', P1),
    e.call('01:55', 'A003', 'loket-2', P2),
    e.start('01:55', 'A003', 'loket-2', P2),
    e.call('02:00', 'A004', 'loket-1', P1),
    { type: 'ticket_transferred', at: at('02:05'), actor: P1, ticketId: `${DAY}/A004`, fromCounterId: 'loket-1', toServiceId: 'kk', toCounterId: null, precedence: false },
    { type: 'counter_paused', at: at('02:10'), actor: P1, counterId: 'loket-1', reason: 'break', note: null },
    { type: 'counter_resumed', at: at('02:20'), actor: P1, counterId: 'loket-1' },
    e.call('02:22', 'A004', 'loket-1', P1),
    e.finish('02:25', 'A003', 'loket-2', P2),
    e.finish('02:27', 'A004', 'loket-1', P1),
    { type: 'counter_signed_out', at: at('02:30'), actor: P1, counterId: 'loket-1' },
  ];
  return events.map((ev, i) => ({ version: i + 1, ticketId: null, events: [ev] }));
}

const STANDARDS: Standards = { completion: { 'ktp-el': 60 }, waitTargetMinutes: 30 };
const aggregate = (commits = handDay()): DayAggregate => aggregateDay({ officeId: 'kupang', officeDay: DAY, commits, standards: STANDARDS, utcOffsetMinutes: 480, end: at('02:30'), closed: true });

/** Within the histogram's stated error of the exact figure (minutes). */
const near = (value: number | null, exact: number) => {
  expect(value).not.toBeNull();
  expect(Math.abs(value! - exact)).toBeLessThanOrEqual(exact * HISTOGRAM_ERROR + 0.05);
};

describe('a day aggregate', () => {
  it('counts issued, served, no-show, cancelled, transferred and the sources', () => {
    const f = figuresOf(aggregate().total);
    expect(f).toMatchObject({ issued: 6, served: 4, noShow: 1, cancelled: 1, transferred: 1, kiosk: 4, booking: 1, counter: 1, api: 0 });
    expect(f.priorityShare).toBeCloseTo(1 / 6, 3);
  });

  it('gives waiting time p50/p90/max worked out by hand', () => {
    // Waits (s): A001 600, A002 2400, A003 3000, B001 600, A004 1800 then 1020 after the transfer.
    // Sorted 600 600 1020 1800 2400 3000: p50 = 3rd = 17 min, p90 = 6th = 50 min, max 50 min.
    const f = figuresOf(aggregate().total);
    near(f.waitP50, 17);
    expect(f.waitP90).toBe(50); // clamped to the exact max
    expect(f.waitMax).toBe(50);
  });

  it('gives service time p50/p90/max worked out by hand', () => {
    // A001 started 01:11 → 01:21 = 600; A002 called 01:40 (never started) → 01:50 = 600; A003 1800; A004 02:22 → 02:27 = 300.
    // Sorted 300 600 600 1800: p50 = 2nd = 10 min, p90 = 4th = 30 min.
    const f = figuresOf(aggregate().total);
    near(f.serviceP50, 10);
    near(f.serviceP90, 30); // the bucket's middle (29.8), never above the exact max
    expect(f.serviceMax).toBe(30);
  });

  it('splits by service, counter, staff member and hour', () => {
    const a = aggregate();
    expect(figuresOf(a.services['ktp-el']!)).toMatchObject({ issued: 4, served: 3, transferred: 1 });
    expect(figuresOf(a.services['kk']!)).toMatchObject({ issued: 2, served: 1, noShow: 1, cancelled: 1 });
    expect(a.staff['petugas1']!.served).toBe(3);
    expect(a.staff['petugas2']!.served).toBe(1);
    expect(a.staff['petugas2']!.noShow).toBe(1);
    expect(a.staffNames['petugas1']).toBe('Petugas Satu');
    expect(a.hours['09']!.issued).toBe(6);
    expect(a.hours['10']).toBeDefined();
  });

  it('measures pause time by reason, open and idle time per counter', () => {
    const a = aggregate();
    // loket-1: open 09:00–10:30 = 90 min; holds tickets 11 + 10 + 5 + 5 = 31 min; break 10 min; idle 49.
    expect(figuresOf(a.counters['loket-1']!)).toMatchObject({ openMinutes: 90, idleMinutes: 49, pauseMinutes: { break: 10, prayer: 0 } });
    // loket-2: open from its first call 09:30 to the day's end 10:30 = 60 min; holds 5 + 30; idle 25.
    expect(figuresOf(a.counters['loket-2']!)).toMatchObject({ openMinutes: 60, idleMinutes: 25 });
    expect(figuresOf(a.total)).toMatchObject({ openMinutes: 150, idleMinutes: 74 });
    // Counters open per hour: 09 → 60 + 30 min, 10 → 30 + 30 min.
    expect(a.hours['09']!.openSeconds).toBe(90 * 60);
    expect(a.hours['10']!.openSeconds).toBe(60 * 60);
  });

  it("measures the estimate's error: MAE and the share inside the promised range", () => {
    // First waits against the estimate: A001 10 vs 5, A002 40 vs 20, A003 50 vs 30, B001 10 vs 10, A004 30 vs 30 → MAE 45/5 = 9.
    // Ranged: A001 in [5,15], A002 not in [15,30], B001 in [5,15], A004 in [20,40] → 3/4.
    const f = figuresOf(aggregate().total);
    expect(f.etaMae).toBe(9);
    expect(f.etaInsideShare).toBe(0.75);
  });

  it('lists every breach of the standards with its ticket number, and a share per service', () => {
    const a = aggregate();
    // Completion: A003 issued 09:05, finished 10:25 = 80 min > 60. Waits over 30: A002 40, A003 50 (A004's 30 is not over).
    expect(a.breaches.map((b) => [b.kind, b.number, b.minutes])).toEqual([
      ['wait', 'A002', 40],
      ['wait', 'A003', 50],
      ['completion', 'A003', 80],
    ]);
    const rows = standardRows(mergeDays(DAY, DAY, [a]), STANDARDS, ['ktp-el', 'kk']);
    const ktp = rows.find((r) => r.serviceId === 'ktp-el')!;
    expect(ktp).toMatchObject({ standardMinutes: 60, completed: 3, completionBreaches: 1, waits: 4, waitBreaches: 2, waitBreachShare: 0.5 });
    expect(ktp.completionBreachShare).toBeCloseTo(1 / 3, 3);
    expect(ktp.completionMax).toBe(80);
    const kk = rows.find((r) => r.serviceId === 'kk')!;
    expect(kk).toMatchObject({ standardMinutes: null, completed: 1, completionBreachShare: null, waits: 2, waitBreaches: 0 });
  });

  it('counts pre-check outcomes per service and sub-case, and the documents missing most', () => {
    const r = mergeDays(DAY, DAY, [aggregate()]);
    expect(precheckRows(r)).toEqual([
      { serviceId: 'ktp-el', subcase: 'baru', failed: 1, kiosk: 1, booking: 0, passed: 1, failedShare: 0.5, missing: [{ item: 'kk', count: 1 }] },
      { serviceId: 'ktp-el', subcase: 'hilang', failed: 1, kiosk: 0, booking: 1, passed: 0, failedShare: 1, missing: [{ item: 'kk', count: 1 }, { item: 'surat-polisi', count: 1 }] },
    ]);
    expect(missingTotals(r).map((m) => [m.item, m.subcase, m.count])).toEqual([
      ['kk', 'baru', 1],
      ['kk', 'hilang', 1],
      ['surat-polisi', 'hilang', 1],
    ]);
  });

  it('reads a precheck_failed event of an old journal (no source) as the kiosk', () => {
    const old = { type: 'precheck_failed', at: at('01:00'), actor: KIOSK, serviceId: 'ktp-el', subcase: 'baru', missing: ['kk'] };
    expect(queueEventSchema.safeParse(old).success).toBe(true);
    expect(queueEventSchema.safeParse({ ...old, source: 'elsewhere' }).success).toBe(false);
  });

  it('is stale when its format or the standards change', () => {
    const a = aggregate();
    expect(aggregateIsCurrent(a, STANDARDS)).toBe(true);
    expect(aggregateIsCurrent({ ...a, format: 0 }, STANDARDS)).toBe(false);
    expect(aggregateIsCurrent(a, { ...STANDARDS, waitTargetMinutes: 20 })).toBe(false);
    expect(aggregateIsCurrent({ ...a, closed: false }, STANDARDS)).toBe(false);
  });
});

describe('a range', () => {
  it('merges days: counts add, percentiles of the union, exact max', () => {
    const one = aggregate();
    const two = { ...aggregate(), officeDay: '2026-11-24' };
    const r = mergeDays('2026-11-23', '2026-11-24', [two, one]);
    const f = figuresOf(r.total);
    expect(f).toMatchObject({ issued: 12, served: 8, noShow: 2 });
    near(f.waitP50, 17); // each wait twice: the 6th of 12 is still 1020 s
    expect(f.waitMax).toBe(50);
    expect(Object.keys(r.byDay)).toEqual(['2026-11-23', '2026-11-24']);
    expect(r.breaches).toHaveLength(6);
    expect(figuresOf(r.counters['loket-1']!).idleMinutes).toBe(98);
  });

  it('keeps every percentile within the stated error of the exact nearest-rank value', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const d = emptyDist();
      const xs: number[] = [];
      const n = 1 + Math.floor(rnd() * 500);
      for (let i = 0; i < n; i++) {
        const x = 1 + rnd() * rnd() * 7200;
        xs.push(x);
        addSample(d, x);
      }
      xs.sort((a, b) => a - b);
      for (const q of [0.5, 0.9]) {
        const exact = xs[Math.ceil(q * n) - 1]!;
        const got = quantile(d, q)!;
        expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(HISTOGRAM_ERROR + 1e-9);
      }
      expect(quantile(d, 1)).toBeLessThanOrEqual(xs[n - 1]!);
    }
  });

  it('knows the office offset (Kupang +8, Jakarta +7)', () => {
    expect(utcOffsetMinutes('Asia/Makassar', new Date(at('04:00')))).toBe(480);
    expect(utcOffsetMinutes('Asia/Jakarta', new Date(at('04:00')))).toBe(420);
  });
});

describe('months', () => {
  it('splits a range into whole closed months and the days left over', () => {
    expect(splitMonths('2026-01-15', '2026-04-10', '2026-12-01')).toEqual({ months: ['2026-02', '2026-03'], days: [...daysBetween('2026-01-15', '2026-01-31'), ...daysBetween('2026-04-01', '2026-04-10')] });
    // A month still running is read day by day.
    expect(splitMonths('2026-11-01', '2026-11-30', '2026-11-20').months).toEqual([]);
    expect(splitMonths('2024-02-01', '2024-02-29', '2026-01-01').months).toEqual(['2024-02']);
  });

  it("rolls a month's days up into one aggregate that merges like its days", () => {
    const a = aggregate();
    const b = { ...aggregate(), officeDay: '2026-11-24' };
    const rollup = monthRollup('kupang', '2026-11', STANDARDS, [a, b]);
    expect(rollup.officeDay).toBe('2026-11');
    const viaRollup = mergeDays('2026-11-01', '2026-11-30', [rollup]);
    const viaDays = mergeDays('2026-11-01', '2026-11-30', [a, b]);
    // A roll-up lists no breaches (its days do), only their count.
    expect({ ...viaRollup, breaches: [] }).toEqual({ ...viaDays, breaches: [] });
    expect(viaRollup.breaches).toEqual([]);
    expect(viaRollup.breachCount).toBe(6);
    expect(viaRollup.days).toBe(2);
    expect(aggregateIsCurrent(rollup, STANDARDS)).toBe(true);
  });
});
