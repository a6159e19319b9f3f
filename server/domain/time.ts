// Office-local calendar arithmetic. Instants are passed in; nothing here reads
// a clock.
import type { ClosedDay, OpeningHours, Weekday } from '../../protocol/model.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
  weekday: Weekday;
}

/**
 * Answers per time zone by UTC minute: every command asks for the office day
 * and opening hours of the same few instants (now, the slot of a hold), and
 * Intl's formatToParts was the largest single cost of a command. One entry
 * per zone thrashed when a hold asked for "now" and for its slot in turn; a
 * few hundred minutes per zone are kept instead (cleared when full). Offsets
 * of every zone in use since 1970 are whole minutes, so one UTC minute is one
 * local minute.
 */
const partsByZone = new Map<string, Map<number, LocalParts>>();
const PARTS_PER_ZONE = 512;

export function localParts(instant: Date, timeZone: string): LocalParts {
  const minute = Math.floor(instant.getTime() / 60_000);
  let known = partsByZone.get(timeZone);
  const hit = known?.get(minute);
  if (hit) return hit;
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  const local: LocalParts = {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    weekday: (parts.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday,
  };
  Object.freeze(local);
  if (minute >= 0) {
    if (!known) partsByZone.set(timeZone, (known = new Map()));
    if (known.size >= PARTS_PER_ZONE) known.clear();
    known.set(minute, local);
  }
  return local;
}

/** The office day (local calendar date) an instant falls on. */
export function officeDayOf(instant: Date, timeZone: string): string {
  return localParts(instant, timeZone).date;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Whether the office is open at `instant`; a date in `closedDays` (holidays) has no hours. */
export function isOpenAt(hours: OpeningHours, timeZone: string, instant: Date, closedDays: readonly ClosedDay[] = []): boolean {
  const { date, weekday, time } = localParts(instant, timeZone);
  if (closedDays.some((d) => d.date === date)) return false;
  return (hours[weekday] ?? []).some(([from, to]) => time >= from && time < to);
}
