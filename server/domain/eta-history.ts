// The past days the wait estimate learns the shape of the day from (issue 11,
// docs/eta.md "Past days"): a store reads the journals of the office's last
// working days when it opens a day and hangs the profile on the day state.
import type { OfficeConfig } from '../../protocol/model.ts';
import { addDays } from './availability.ts';
import { arrivalProfileOf, type ArrivalProfile, type PastDay } from './eta.ts';
import { applyCommit, emptyDay, type Commit, type DayState } from './state.ts';
import { officeDayOf } from './time.ts';

/** Days with tickets the profile averages, and how far back it looks for them. */
export const PAST_DAYS = 10;
export const PAST_DAYS_LOOKBACK = 21;

/**
 * The profile of up to PAST_DAYS days with tickets among the PAST_DAYS_LOOKBACK
 * calendar days before `officeDay`, each replayed from its commits; null when
 * there are none (the estimate then uses today's arrivals only).
 */
export async function pastDaysProfile(office: OfficeConfig, officeDay: string, readCommits: (day: string) => Promise<readonly Commit[]>): Promise<ArrivalProfile | null> {
  const days: PastDay[] = [];
  for (let back = 1; back <= PAST_DAYS_LOOKBACK && days.length < PAST_DAYS; back++) {
    const day = addDays(officeDay, -back);
    const commits = await readCommits(day);
    if (commits.length === 0) continue;
    const state = emptyDay(office.id, day);
    try {
      for (const c of commits) applyCommit(state, office, c);
    } catch {
      continue; // a day the office's present configuration cannot replay (a service since removed): left out
    }
    if (state.tickets.size === 0) continue;
    days.push({ tickets: [...state.tickets.values()], events: commits.flatMap((c) => c.events) });
  }
  return days.length ? arrivalProfileOf(days, office.timeZone) : null;
}

/**
 * What both stores do when they open a day: today's day gets the profile of
 * the last working days (a failed read leaves the estimate on today's
 * arrivals only). Other days need none.
 */
export async function attachPastDays(state: DayState, office: OfficeConfig, readCommits: (day: string) => Promise<readonly Commit[]>, now = new Date()): Promise<void> {
  if (state.officeDay !== officeDayOf(now, office.timeZone)) return;
  // Past days are closed: one profile per office configuration and day, however often the day is
  // read again (a central re-reads a day after every batch an office box ships).
  let days = profiles.get(office);
  if (!days) profiles.set(office, (days = new Map()));
  let profile = days.get(state.officeDay);
  if (profile === undefined) {
    profile = pastDaysProfile(office, state.officeDay, readCommits).catch(() => null);
    days.clear();
    days.set(state.officeDay, profile);
  }
  const p = await profile;
  if (p) state.arrivalProfile = p;
}

const profiles = new WeakMap<OfficeConfig, Map<string, Promise<ArrivalProfile | null>>>();
