// The shell of the reports: which day aggregates a period needs, from the
// store when kept and current, computed from the commits when not (and kept
// once the day has closed); today is computed live and never kept.
import type { OfficeConfig } from '../protocol/model.ts';
import type { Report } from '../protocol/reports.ts';
import { buildReport } from './domain/report-tables.ts';
import { aggregateDay, aggregateIsCurrent, daysBetween, lastDayOf, lastEventAt, mergeDays, monthRollup, splitMonths, standardsOf, utcOffsetMinutes, type Breach, type DayAggregate, type RangeAggregate } from './domain/report.ts';
import { officeDayOf } from './domain/time.ts';
import type { Logger } from './log.ts';
import type { QueueService } from './queue-service.ts';
import type { Store } from './store/types.ts';

/** How many past days are computed at once when aggregates are missing (bounds memory on a first year report). */
const COMPUTE_PARALLEL = 4;

export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  /** Keeps the aggregate of the day that just ended when an office rolls over at local midnight. */
  listen(queue: QueueService): void {
    queue.listen({
      delta: () => undefined,
      reset: (officeId, snapshot) => {
        const office = queue.office(officeId);
        if (!office) return;
        const yesterday = new Date(Date.parse(`${snapshot.officeDay}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        void this.day(office, yesterday).catch((err: unknown) => this.log.error({ err, office: officeId }, 'closing the day report failed'));
      },
    });
  }

  /** One office day's aggregate: kept, computed and kept (a closed day), or live (today). */
  async day(office: OfficeConfig, officeDay: string, kept?: DayAggregate | null): Promise<DayAggregate> {
    const now = this.now();
    const today = officeDayOf(now, office.timeZone);
    const standards = standardsOf(office);
    if (officeDay < today) {
      const stored = kept === undefined ? await this.store.aggregates.get(office.id, officeDay) : kept;
      if (aggregateIsCurrent(stored, standards)) return stored;
    }
    const commits = await this.store.queue.readCommits(office.id, officeDay);
    const closed = officeDay < today;
    const noon = new Date(`${officeDay}T04:00:00.000Z`);
    const agg = aggregateDay({
      officeId: office.id,
      officeDay,
      commits,
      standards,
      utcOffsetMinutes: utcOffsetMinutes(office.timeZone, noon),
      end: closed ? lastEventAt(commits, noon.toISOString()) : now.toISOString(),
      closed,
    });
    if (closed) await this.store.aggregates.put(agg);
    return agg;
  }

  /** The days of from..to (none after today), each kept, computed and kept, or live. */
  async #days(office: OfficeConfig, days: readonly string[], today: string): Promise<DayAggregate[]> {
    const wanted = days.filter((d) => d <= today);
    if (wanted.length === 0) return [];
    const kept = new Map((await this.store.aggregates.range(office.id, wanted[0]!, wanted[wanted.length - 1]!)).map((a) => [a.officeDay, a]));
    const out: DayAggregate[] = [];
    for (let i = 0; i < wanted.length; i += COMPUTE_PARALLEL) {
      const batch = wanted.slice(i, i + COMPUTE_PARALLEL);
      out.push(...(await Promise.all(batch.map((d) => this.day(office, d, kept.get(d) ?? null)))));
    }
    return out;
  }

  /** A closed month's roll-up: kept, or merged from its days and kept. */
  async month(office: OfficeConfig, month: string, today: string): Promise<DayAggregate> {
    const standards = standardsOf(office);
    const kept = await this.store.aggregates.get(office.id, month);
    if (aggregateIsCurrent(kept, standards)) return kept;
    const days = await this.#days(office, daysBetween(`${month}-01`, lastDayOf(month)), today);
    const rollup = monthRollup(office.id, month, standards, days);
    await this.store.aggregates.put(rollup);
    return rollup;
  }

  /** The merged aggregates of from..to: whole closed months by their roll-up, the other days one by one (none after today). */
  async range(office: OfficeConfig, from: string, to: string, breachLimit = Infinity): Promise<{ range: RangeAggregate; live: boolean }> {
    const today = officeDayOf(this.now(), office.timeZone);
    const { months, days } = splitMonths(from, to, today);
    const monthParts = await Promise.all(months.map((m) => this.month(office, m, today)));
    const dayParts = await this.#days(office, days, today);
    const range = mergeDays(from, to, [...monthParts, ...dayParts]);
    // Roll-ups list no breaches: the latest come from their days, newest month first, until the limit is met.
    const listed: Breach[][] = [];
    let n = range.breaches.length;
    for (const m of [...months].reverse()) {
      if (n >= breachLimit) break;
      const ds = await this.#days(office, daysBetween(`${m}-01`, lastDayOf(m)), today);
      const list = ds.sort((a, b) => a.officeDay.localeCompare(b.officeDay)).flatMap((d) => d.breaches);
      listed.unshift(list);
      n += list.length;
    }
    const all = [...listed.flat(), ...range.breaches].sort((a, b) => a.officeDay.localeCompare(b.officeDay) || a.at.localeCompare(b.at));
    range.breaches = all.length > breachLimit ? all.slice(-breachLimit) : all;
    return { range, live: from <= today && today <= to };
  }

  async report(office: OfficeConfig, from: string, to: string, opts: { breachLimit?: number } = {}): Promise<Report> {
    const { range, live } = await this.range(office, from, to, opts.breachLimit);
    const now = this.now();
    return buildReport({ office, range, standards: standardsOf(office), live, now, utcOffsetMinutes: utcOffsetMinutes(office.timeZone, now) });
  }
}
