// Dates, times and durations in the office's time zone, Indonesian style.
import type { Lang } from './i18n.svelte.ts';

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

const locale = (lang: Lang) => (lang === 'en' ? 'en-GB' : 'id-ID');

/** "14.05" (id) / "14:05" (en) in the office's zone. */
export function formatTime(instant: Date | string, timeZone: string, lang: Lang = 'id'): string {
  return fmt(locale(lang), { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(instant));
}

/** "Senin, 23 November 2026". */
export function formatDate(instant: Date | string, timeZone: string, lang: Lang = 'id'): string {
  return fmt(locale(lang), { timeZone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(instant));
}

/** Abbreviation of the Indonesian zone: WIB, WITA, WIT. */
export function zoneName(timeZone: string): string {
  return { 'Asia/Jakarta': 'WIB', 'Asia/Pontianak': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' }[timeZone] ?? timeZone;
}

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
