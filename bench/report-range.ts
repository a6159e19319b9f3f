// How long a report takes over a month and over a year of a busy office
// (3,000 tickets a day, through the real domain), on the embedded store in a
// temp folder. Three figures, each the median of rounds:
//   cold month: 30 journals, no aggregates yet (the first report computes and keeps them);
//   month / year: aggregates kept (closed days, and each closed month's roll-up).
// Goals: cold and warm month ≤ 2 s; year / month ≤ 3× (the same-run baseline is the month).
//
//   tsx bench/report-range.ts [--quick] [--rounds 5] [--tickets 3000] [--repeat 9]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { aggregateDay, daysBetween, lastEventAt, standardsOf, type DayAggregate } from '../server/domain/report.ts';
import { REPORT_BREACH_LIMIT } from '../protocol/reports.ts';
import { ReportService } from '../server/report-service.ts';
import { openLowdbStore } from '../server/store/lowdb-store.ts';
import type { ConfigData } from '../server/store/types.ts';
import { demoOffices } from '../server/seed/demo-offices.ts';
import { busyReportDay, journalText } from '../test/helpers/report-day.ts';
import { fmt, machine, machineLine, median, numFlag, parseArgs, printSummary, round, table } from './support/lib.ts';

const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 2 : 5);
const TICKETS = numFlag(args, 'tickets', args.quick ? 600 : 3000);
const REPEAT = numFlag(args, 'repeat', args.quick ? 3 : 9);
const MONTH = ['2026-11-01', '2026-11-30'] as const; // 30 days
const YEAR = ['2025-12-01', '2026-11-30'] as const; // 12 months, 365 days
const NOW = new Date('2026-12-01T04:00:00.000Z'); // noon in Kupang the day after
const log = pino({ level: 'silent' });
/** As GET …/reports answers: the latest REPORT_BREACH_LIMIT breaches listed (exports list all). */
const AS_API = { breachLimit: REPORT_BREACH_LIMIT };

const office = demoOffices()[0]!;
const seed = async (): Promise<ConfigData> => ({ schemaVersion: 1, offices: [office], users: [], devices: [] });

/** The template day's journal and aggregate, re-dated for any day by text replacement (the same shape every day). */
function template(): { day: string; journal: string; aggregate: string; computeMs: number } {
  const day = '2026-10-15';
  const sim = busyReportDay(structuredClone(office), day, TICKETS);
  const t0 = performance.now();
  const agg = aggregateDay({ officeId: office.id, officeDay: day, commits: sim.commits, standards: standardsOf(office), utcOffsetMinutes: 480, end: lastEventAt(sim.commits, `${day}T12:00:00.000Z`), closed: true });
  const computeMs = performance.now() - t0;
  return { day, journal: journalText(sim.commits), aggregate: JSON.stringify(agg), computeMs };
}

const redate = (text: string, from: string, to: string) => text.replaceAll(from, to);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  console.log(`report-range: ${TICKETS} tickets a day; ${ROUNDS} rounds; ${machineLine()}`);
  const tpl = template();
  console.log(`one day: ${TICKETS} tickets, journal ${round(tpl.journal.length / 1e6, 1)} MB, aggregate ${round(tpl.aggregate.length / 1024, 0)} KB, computed in ${fmt(tpl.computeMs, 0)} ms`);
  const cold: number[] = [];
  const month: number[] = [];
  const year: number[] = [];
  const ratios: number[] = [];
  let issuedYear = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const dir = await mkdtemp(path.join(tmpdir(), 'giliran-bench-report-'));
    try {
      const days = path.join(dir, 'offices', office.id, 'days');
      await mkdir(days, { recursive: true });
      for (const d of daysBetween(...MONTH)) await writeFile(path.join(days, `${d}.jsonl`), redate(tpl.journal, tpl.day, d));
      const { store } = await openLowdbStore({ dataDir: dir, seed });
      // The other eleven months: their days' aggregates, as closing each day would have kept them.
      for (const d of daysBetween(YEAR[0], '2026-10-31')) await store.aggregates.put(JSON.parse(redate(tpl.aggregate, tpl.day, d)) as DayAggregate);
      const reports = new ReportService(store, () => NOW, log);
      cold.push(await timed(() => reports.report(office, ...MONTH, AS_API)));
      // The first year report rolls the eleven months up (kept from then on).
      const y1 = await timed(async () => {
        const rep = await reports.report(office, ...YEAR, AS_API);
        issuedYear = Number(rep.tables.find((t) => t.id === 'summary')!.rows[0]![1]);
      });
      // Steady state, everything kept: month and year alternately, REPEAT times each; the round's figure is each one's median.
      const ms: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        ms.push(await timed(() => reports.report(office, ...MONTH, AS_API)));
        ys.push(await timed(() => reports.report(office, ...YEAR, AS_API)));
      }
      const m1 = median(ms);
      const y2 = median(ys);
      month.push(m1);
      year.push(y2);
      ratios.push(y2 / m1);
      console.log(`round ${r + 1}: cold month ${fmt(cold[r]!, 0)} ms; year first ${fmt(y1, 0)} ms; kept: month ${fmt(m1, 1)} ms, year ${fmt(y2, 1)} ms (medians of ${REPEAT})`);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const s = {
    bench: 'report-range',
    config: { ticketsPerDay: TICKETS, rounds: ROUNDS, repeat: REPEAT, monthDays: 30, yearDays: 365 },
    dayComputeMs: round(tpl.computeMs, 0),
    coldMonthMs: round(median(cold), 0),
    monthMs: round(median(month), 1),
    yearMs: round(median(year), 1),
    issuedYear,
    ratios: { yearVsMonth: round(median(ratios), 2) },
    goals: { coldMonthAtMost2s: median(cold) <= 2000, monthAtMost2s: median(month) <= 2000, yearAtMost3xMonth: median(ratios) <= 3 },
    machine: machine(),
  };
  console.log(
    table([
      { figure: 'cold month (30 journals)', ms: s.coldMonthMs },
      { figure: 'month (kept)', ms: s.monthMs },
      { figure: 'year (kept)', ms: s.yearMs },
      { figure: 'year / month', ms: s.ratios.yearVsMonth },
    ]),
  );
  printSummary(s);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
