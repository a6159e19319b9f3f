// The shell of the reports: which day aggregates a period needs, from the
// store when kept and current, computed from the commits when not (and kept
// once the day has closed); today is computed live and never kept.
import type { OfficeConfig } from '../protocol/model.ts';
import type { Report } from '../protocol/reports.ts';
import { buildReport } from './domain/report-tables.ts';
import { aggregateDay, aggregateIsCurrent, daysBetween, lastEventAt, mergeDays, standardsOf, utcOffsetMinutes, type DayAggregate, type RangeAggregate } from './domain/report.ts';
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

  /** The merged aggregates of from..to (days after today have none). */
  async range(office: OfficeConfig, from: string, to: string): Promise<{ range: RangeAggregate; live: boolean }> {
    const today = officeDayOf(this.now(), office.timeZone);
    const wanted = daysBetween(from, to).filter((d) => d <= today);
    const kept = new Map((await this.store.aggregates.range(office.id, from, to < today ? to : today)).map((a) => [a.officeDay, a]));
    const out: DayAggregate[] = [];
    for (let i = 0; i < wanted.length; i += COMPUTE_PARALLEL) {
      const batch = wanted.slice(i, i + COMPUTE_PARALLEL);
      out.push(...(await Promise.all(batch.map((d) => this.day(office, d, kept.get(d) ?? null)))));
    }
    return { range: mergeDays(from, to, out), live: wanted.includes(today) };
  }

  async report(office: OfficeConfig, from: string, to: string): Promise<Report> {
    const { range, live } = await this.range(office, from, to);
    const now = this.now();
    return buildReport({ office, range, standards: standardsOf(office), live, now, utcOffsetMinutes: utcOffsetMinutes(office.timeZone, now) });
  }
}
