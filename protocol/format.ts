// Dates, times and zones of an office, Indonesian style: the one formatter the
// server (receipts, the kiosk's "open again on …" texts) and the pages share.
// Browser-safe. Names come from tables, not from the runtime's locale data, so
// a receipt, a kiosk and a TV print the same words whatever ICU they carry;
// only the clock of a zone comes from Intl (en-US numbers, always present).

export type FormatLang = 'id' | 'en';

const ZONE_NAMES: Record<string, string> = { 'Asia/Jakarta': 'WIB', 'Asia/Pontianak': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };

/** Abbreviation of the Indonesian zone: WIB, WITA, WIT (another zone is named as given). */
export function zoneName(timeZone: string): string {
  return ZONE_NAMES[timeZone] ?? timeZone;
}

const WEEKDAYS: Record<FormatLang, readonly string[]> = {
  id: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};
const MONTHS: Record<FormatLang, readonly string[]> = {
  id: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** A local calendar date; `weekday` 0 = Sunday, `month` 1–12. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
  weekday: number;
}

/** A local calendar date and clock: `hour` and `minute` two digits each. */
export interface OfficeClock extends CalendarDate {
  hour: string;
  minute: string;
}

export function weekdayName(weekday: number, lang: FormatLang = 'id'): string {
  return WEEKDAYS[lang][weekday] ?? '';
}

export function monthName(month: number, lang: FormatLang = 'id'): string {
  return MONTHS[lang][month - 1] ?? '';
}

/** The calendar date of an office-local "YYYY-MM-DD". */
export function calendarDate(date: string): CalendarDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

const clocks = new Map<string, Intl.DateTimeFormat>();
const SHORT_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** What the office's wall clock and calendar show at an instant. */
export function officeClock(instant: Date | string | number, timeZone: string): OfficeClock {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clocks.set(timeZone, f);
  }
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const p of f.formatToParts(new Date(instant))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: SHORT_WEEKDAYS.indexOf(parts.weekday ?? ''),
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
  };
}

/** The office-local date of an instant, "YYYY-MM-DD" (the office day). */
export function officeDate(instant: Date | string | number, timeZone: string): string {
  const c = officeClock(instant, timeZone);
  return `${c.year}-${String(c.month).padStart(2, '0')}-${String(c.day).padStart(2, '0')}`;
}

/** A local "HH:MM" as written: "08.00" in Indonesian (PUEBI writes the time with a dot), "08:00" in English. */
export function formatClock(hhmm: string, lang: FormatLang = 'id'): string {
  return lang === 'en' ? hhmm : hhmm.replace(':', '.');
}

/** "14.05" (id) / "14:05" (en) in the office's zone. */
export function formatTime(instant: Date | string | number, timeZone: string, lang: FormatLang = 'id'): string {
  const c = officeClock(instant, timeZone);
  return formatClock(`${c.hour}:${c.minute}`, lang);
}

/** "Senin, 23 November 2026" / "Monday, 23 November 2026" in the office's zone. */
export function formatDate(instant: Date | string, timeZone: string, lang: FormatLang = 'id'): string {
  const c = officeClock(instant, timeZone);
  return `${weekdayName(c.weekday, lang)}, ${c.day} ${monthName(c.month, lang)} ${c.year}`;
}

/** "Senin, 23 November 2026 10.15 WITA": the date, time and zone a receipt prints. */
export function formatDateTime(instant: Date | string, timeZone: string, lang: FormatLang = 'id'): string {
  return `${formatDate(instant, timeZone, lang)} ${formatTime(instant, timeZone, lang)} ${zoneName(timeZone)}`;
}

/**
 * An estimated wait range (server/domain/eta.ts), as the phone, the kiosk and
 * the receipt all say it: "sekitar 15–25 menit" / "about 15–25 minutes";
 * hours once the top is 90 minutes or more.
 */
export function waitRange(range: { low: number; high: number }, lang: FormatLang): string {
  const low = Math.max(0, Math.round(range.low));
  const high = Math.max(low, Math.round(range.high));
  if (high <= 1) return lang === 'en' ? 'less than a minute' : 'kurang dari 1 menit';
  const about = lang === 'en' ? 'about' : 'sekitar';
  if (high < 90) {
    const unit = lang === 'en' ? 'minutes' : 'menit';
    return low === high ? `${about} ${high} ${unit}` : `${about} ${low}–${high} ${unit}`;
  }
  const span = (m: number) => {
    const h = Math.floor(m / 60);
    const r = m % 60;
    const mins = `${r} ${lang === 'en' ? 'min' : 'menit'}`;
    if (h === 0) return mins;
    const hs = lang === 'en' ? `${h} h` : `${h} jam`;
    return r === 0 ? hs : `${hs} ${mins}`;
  };
  return low === high ? `${about} ${span(high)}` : `${about} ${span(low)} – ${span(high)}`;
}
