// Durations for the pages, Indonesian style; dates, times and zones come from
// protocol/format.ts (shared with the server), re-exported here for the pages.
import type { Lang } from './i18n.svelte.ts';

export { formatDate, formatTime, waitRange, zoneName } from '../protocol/format.ts';

/** "± 15 menit" / "about 15 min"; "kurang dari 1 menit" for 0. */
export function formatWait(minutes: number, lang: Lang = 'id'): string {
  if (minutes <= 0) return lang === 'en' ? 'less than a minute' : 'kurang dari 1 menit';
  if (minutes >= 90) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return lang === 'en' ? `about ${h} h ${m} min` : `± ${h} jam ${m} menit`;
  }
  return lang === 'en' ? `about ${minutes} min` : `± ${minutes} menit`;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone (an office's day), or in UTC when the zone is unknown. */
export function dateIn(instant: Date, timeZone?: string): string {
  if (timeZone) {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
    } catch {
      // An unknown zone: UTC below.
    }
  }
  return instant.toISOString().slice(0, 10);
}
