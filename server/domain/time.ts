// Office-local calendar arithmetic. Instants are passed in; nothing here reads
// a clock.
import type { OpeningHours, Weekday } from '../../protocol/model.ts';

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

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    weekday: (parts.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday,
  };
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

export function isOpenAt(hours: OpeningHours, timeZone: string, instant: Date): boolean {
  const { weekday, time } = localParts(instant, timeZone);
  return (hours[weekday] ?? []).some(([from, to]) => time >= from && time < to);
}
