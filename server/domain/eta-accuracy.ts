// How good the estimated wait was (issue 11; docs/eta.md). Pure: a day's
// commits (or tickets) in, figures out; no clock, no I/O, no personal data.
//
// For every ticket's first call: the real wait is the call time less the issue
// time; it is compared with what the ticket was promised at issue, the range
// `waitAtIssue` (its error: the distance of the real wait to the range's
// middle; inside: the real wait, rounded to a whole minute, within [low, high])
// and the point estimate `etaMinutesAtIssue` (the naive people ahead × mean
// service time ÷ counters). server/domain/report.ts folds the same score
// (scoreEta) into its aggregates.
import type { QueueEvent, Ticket } from '../../protocol/model.ts';
import type { Commit } from './state.ts';

/** One first call scored against what was promised at issue. */
export interface EtaScore {
  /** Real wait, minutes (first call − issue). */
  actualMin: number;
  /** |real − etaMinutesAtIssue|, minutes. */
  pointAbsErrMin: number;
  /** |real − middle of waitAtIssue|, minutes; null when the ticket carries no range (older journals). */
  rangeAbsErrMin: number | null;
  /** The real wait in whole minutes fell inside waitAtIssue; null without a range. */
  inside: boolean | null;
}

export function scoreEta(t: Pick<Ticket, 'issuedAt' | 'etaMinutesAtIssue' | 'waitAtIssue'>, calledAtMs: number): EtaScore {
  const actualMin = (calledAtMs - Date.parse(t.issuedAt)) / 60_000;
  const r = t.waitAtIssue ?? null;
  // The range is in whole minutes: a wait inside it rounds to a minute within [low, high].
  const m = Math.round(actualMin);
  return {
    actualMin,
    pointAbsErrMin: Math.abs(actualMin - t.etaMinutesAtIssue),
    rangeAbsErrMin: r ? Math.abs(actualMin - (r.low + r.high) / 2) : null,
    inside: r ? m >= r.low && m <= r.high : null,
  };
}

/** Running sums of scores (mergeable: add the fields). */
export interface EtaTally {
  calls: number;
  waitMin: number;
  pointAbsErrMin: number;
  ranged: number;
  rangeAbsErrMin: number;
  inside: number;
}

export const emptyTally = (): EtaTally => ({ calls: 0, waitMin: 0, pointAbsErrMin: 0, ranged: 0, rangeAbsErrMin: 0, inside: 0 });

export function addScore(into: EtaTally, s: EtaScore): void {
  into.calls += 1;
  into.waitMin += s.actualMin;
  into.pointAbsErrMin += s.pointAbsErrMin;
  if (s.rangeAbsErrMin !== null) {
    into.ranged += 1;
    into.rangeAbsErrMin += s.rangeAbsErrMin;
    if (s.inside) into.inside += 1;
  }
}

/** The published figures of one slice (null: nothing measured). */
export interface EtaFigures {
  /** First calls counted. */
  calls: number;
  /** Of them, tickets that carried a promised range. */
  ranged: number;
  meanWaitMinutes: number | null;
  /** Mean absolute error of the range (its middle), minutes. */
  maeMinutes: number | null;
  /** The same as a share of the mean real wait, %. */
  maePercent: number | null;
  /** Share (0..1) of the ranged calls whose real wait fell inside the range. */
  insideShare: number | null;
  /** Mean absolute error of the naive point estimate (etaMinutesAtIssue), minutes. */
  naiveMaeMinutes: number | null;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function figuresOf(t: EtaTally): EtaFigures {
  const meanWait = t.calls ? t.waitMin / t.calls : null;
  // The range's error over the ranged calls, as a share of their mean wait (all calls when every one is ranged).
  const mae = t.ranged ? t.rangeAbsErrMin / t.ranged : null;
  return {
    calls: t.calls,
    ranged: t.ranged,
    meanWaitMinutes: meanWait === null ? null : r1(meanWait),
    maeMinutes: mae === null ? null : r1(mae),
    maePercent: mae === null || !meanWait ? null : r1((100 * mae) / meanWait),
    insideShare: t.ranged ? r3(t.inside / t.ranged) : null,
    naiveMaeMinutes: t.calls ? r1(t.pointAbsErrMin / t.calls) : null,
  };
}

export interface EtaAccuracy {
  office: EtaFigures;
  services: Array<{ serviceId: string } & EtaFigures>;
}

/** A day's first calls scored, as tallies (mergeable over days): the whole office and per service. */
export function etaTallies(commits: readonly Pick<Commit, 'events'>[], serviceIds: readonly string[] = []): { total: EtaTally; services: Map<string, EtaTally> } {
  const issued = new Map<string, Ticket>();
  const counted = new Set<string>();
  const total = emptyTally();
  const per = new Map<string, EtaTally>(serviceIds.map((id) => [id, emptyTally()]));
  for (const c of commits) {
    for (const e of c.events as QueueEvent[]) {
      if (e.type === 'ticket_issued') issued.set(e.ticket.id, e.ticket);
      else if (e.type === 'ticket_called') {
        const t = issued.get(e.ticketId);
        if (!t || counted.has(t.id)) continue; // a recall or a second stay in a queue: the promise was for the first call
        counted.add(t.id);
        const s = scoreEta(t, Date.parse(e.at));
        addScore(total, s);
        let p = per.get(t.serviceId);
        if (!p) per.set(t.serviceId, (p = emptyTally()));
        addScore(p, s);
      }
    }
  }
  return { total, services: per };
}

export function mergeTally(into: EtaTally, from: EtaTally): void {
  for (const k of Object.keys(from) as Array<keyof EtaTally>) into[k] += from[k];
}

/**
 * A day's first calls scored. `serviceIds` (the office's services, in its
 * order) lists services even without calls; others seen in the day follow.
 */
export function etaAccuracy(commits: readonly Pick<Commit, 'events'>[], serviceIds: readonly string[] = []): EtaAccuracy {
  const { total, services } = etaTallies(commits, serviceIds);
  return { office: figuresOf(total), services: [...services].map(([serviceId, t]) => ({ serviceId, ...figuresOf(t) })) };
}
