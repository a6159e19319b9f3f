// The office's opening hours as the page shows them: today's first, then the week.
import type { OpeningHours } from '../protocol/model.ts';
import { formatClock, officeClock, weekdayName, type FormatLang } from '../protocol/format.ts';

const KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** "08.00–12.00, 13.00–15.00"; '' when closed. */
export function periodsText(periods: readonly (readonly [string, string])[] | undefined, lang: FormatLang): string {
  return (periods ?? []).map(([a, b]) => `${formatClock(a, lang)}–${formatClock(b, lang)}`).join(', ');
}

/** Today's opening periods at the office (its own zone and calendar). */
export function todayHours(hours: OpeningHours, at: Date | string | number, timeZone: string, lang: FormatLang): string {
  return periodsText(hours[KEYS[officeClock(at, timeZone).weekday]!], lang);
}

/** Monday to Sunday, each with its periods ('' = closed). */
export function weekHours(hours: OpeningHours, lang: FormatLang): { day: string; text: string }[] {
  return [1, 2, 3, 4, 5, 6, 0].map((d) => ({ day: weekdayName(d, lang), text: periodsText(hours[KEYS[d]!], lang) }));
}
