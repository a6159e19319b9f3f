// Which services a kiosk may offer right now, and if not, why and from when
// again. The same rule as the issue command (issueRefusal in protocol/rules.ts:
// inactive, closed by staff, walk-in quota, opening hours when enforced), so
// the kiosk never offers a ticket the server would refuse. Pure: the instant
// and the day's counts are passed in.
import type { Bilingual, ClosedDay, OfficeConfig, OpeningHours, Weekday } from '../../protocol/model.ts';
import { calendarDate, formatClock, monthName, weekdayName, zoneName } from '../../protocol/format.ts';
import { issueRefusal } from '../../protocol/rules.ts';
import type { DayState } from './state.ts';
import { localParts } from './time.ts';

export type OfficeHoursState = 'open' | 'before_opening' | 'break' | 'after_closing' | 'closed_today';

export type UnavailableReason = 'inactive' | 'closed_by_staff' | 'quota_full' | 'office_closed_today' | 'before_opening' | 'break' | 'after_closing';

/** A local opening moment in the office's zone. */
export interface OpeningMoment {
  /** Office-local date, YYYY-MM-DD. */
  date: string;
  /** Office-local time, HH:MM. */
  time: string;
  /** The same moment as an instant (ISO, UTC). */
  at: string;
  /** "Senin, 25 November 2026 pukul 08.00 WITA" / "Monday 25 November 2026 at 08:00 WITA". */
  text: Bilingual;
}

export interface ServiceAvailability {
  serviceId: string;
  /** The kiosk may issue a ticket for it now (the server would accept one). */
  available: boolean;
  /** Closed for the whole of today: inactive, closed by staff, or the office has no hours today. */
  closedToday: boolean;
  /** The walk-in quota of today is used up. */
  fullToday: boolean;
  /** Walk-in tickets left today; null = no cap. */
  remainingToday: number | null;
  reason: UnavailableReason | null;
  /** Why it is unavailable, and from when it is open / has room again (one sentence each language). */
  message: Bilingual | null;
  /** The reason staff typed when closing the service (one language, as typed). */
  staffNote: string | null;
  /** When it is open again / has room again, when known. */
  next: OpeningMoment | null;
}

export interface OfficeAvailability {
  officeId: string;
  officeDay: string;
  /** The instant this was computed for. */
  at: string;
  hours: {
    state: OfficeHoursState;
    openNow: boolean;
    /** Whether tickets are refused outside opening hours (rules.enforceHours). */
    enforced: boolean;
    today: Array<[string, string]>;
    /** The next opening when not open now. */
    next: OpeningMoment | null;
  };
  services: ServiceAvailability[];
}

/** What the day's state says about each service. */
export interface DayCounts {
  /** Walk-in (non-booking) tickets issued today, per service id. */
  walkInIssued: Record<string, number>;
  /** Services closed today by staff, with the reason typed. */
  closed: Record<string, string>;
}

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** How far ahead the next opening is looked for. */
const SEARCH_DAYS = 21;

/** Recent answers: a hold asks for the same few (today ± the window, the slot's week) many times. */
const addDaysMemo = new Map<string, string>();

export function addDays(date: string, days: number): string {
  const key = `${date}|${days}`;
  const hit = addDaysMemo.get(key);
  if (hit !== undefined) return hit;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const out = new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  if (addDaysMemo.size >= 4096) addDaysMemo.clear();
  addDaysMemo.set(key, out);
  return out;
}

export function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
}

export function periodsOn(hours: OpeningHours, date: string, closedDays: readonly ClosedDay[]): Array<[string, string]> {
  if (closedDays.some((d) => d.date === date)) return [];
  return [...(hours[weekdayOf(date)] ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The instant at which the office-local clock in `timeZone` shows `date` `time`. */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wanted = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wanted;
  // Two corrections settle any fixed or daylight-saving offset.
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const [ly, lm, ld] = p.date.split('-').map(Number) as [number, number, number];
    const [lh, lmin] = p.time.split(':').map(Number) as [number, number];
    guess += wanted - Date.UTC(ly, lm - 1, ld, lh, lmin);
  }
  return new Date(guess);
}

function momentOf(date: string, time: string, timeZone: string, today: string): OpeningMoment {
  const { year: y, day: d, month, weekday } = calendarDate(date);
  const [idDay, enDay] = [weekdayName(weekday, 'id'), weekdayName(weekday, 'en')];
  const [idMonth, enMonth] = [monthName(month, 'id'), monthName(month, 'en')];
  const zone = zoneName(timeZone);
  const idTime = `pukul ${formatClock(time, 'id')} ${zone}`;
  const enTime = `at ${formatClock(time, 'en')} ${zone}`;
  let text: Bilingual;
  if (date === today) text = { id: `hari ini ${idTime}`, en: `today ${enTime}` };
  else if (date === addDays(today, 1)) text = { id: `besok, ${idDay} ${d} ${idMonth}, ${idTime}`, en: `tomorrow, ${enDay} ${d} ${enMonth}, ${enTime}` };
  else text = { id: `${idDay}, ${d} ${idMonth} ${y}, ${idTime}`, en: `${enDay} ${d} ${enMonth} ${y}, ${enTime}` };
  return { date, time, at: zonedInstant(date, time, timeZone).toISOString(), text };
}

/** The first opening on a day after `today`, or null when the office has no hours in the next weeks. */
function firstOpeningAfter(hours: OpeningHours, timeZone: string, today: string, closedDays: readonly ClosedDay[]): OpeningMoment | null {
  for (let i = 1; i <= SEARCH_DAYS; i++) {
    const date = addDays(today, i);
    const first = periodsOn(hours, date, closedDays)[0];
    if (first) return momentOf(date, first[0], timeZone, today);
  }
  return null;
}

/** Where the office stands in its opening hours at local `time` of `today`. */
export function hoursState(hours: OpeningHours, timeZone: string, now: Date, closedDays: readonly ClosedDay[] = []): { state: OfficeHoursState; today: Array<[string, string]>; next: OpeningMoment | null } {
  const { date, time } = localParts(now, timeZone);
  const today = periodsOn(hours, date, closedDays);
  if (today.some(([from, to]) => time >= from && time < to)) return { state: 'open', today, next: null };
  const later = today.find(([from]) => from > time);
  if (later) {
    const state = today.some(([, to]) => to <= time) ? 'break' : 'before_opening';
    return { state, today, next: momentOf(date, later[0], timeZone, date) };
  }
  return { state: today.length > 0 ? 'after_closing' : 'closed_today', today, next: firstOpeningAfter(hours, timeZone, date, closedDays) };
}

function sentence(first: Bilingual, next: OpeningMoment | null, lead: Bilingual): Bilingual {
  if (!next) return first;
  return { id: `${first.id} ${lead.id} ${next.text.id}.`, en: `${first.en} ${lead.en} ${next.text.en}.` };
}

export function officeAvailability(office: Pick<OfficeConfig, 'id' | 'timeZone' | 'hours' | 'services' | 'rules' | 'closedDays'>, counts: DayCounts, now: Date): OfficeAvailability {
  const officeDay = localParts(now, office.timeZone).date;
  const closedDays = office.closedDays ?? [];
  const h = hoursState(office.hours, office.timeZone, now, closedDays);
  const holiday = closedDays.find((d) => d.date === officeDay);
  const enforced = office.rules.enforceHours;
  const nextDay = () => firstOpeningAfter(office.hours, office.timeZone, officeDay, closedDays);
  const openAgain: Bilingual = { id: 'Buka lagi', en: 'Open again' };

  const services = office.services.map((s): ServiceAvailability => {
    const cap = s.quota.walkIn;
    const issued = counts.walkInIssued[s.id] ?? 0;
    const remainingToday = cap === null ? null : Math.max(0, cap - issued);
    const staffNote = counts.closed[s.id] ?? null;
    const base = { serviceId: s.id, remainingToday, staffNote };
    const blocked = issueRefusal(s, { closed: staffNote !== null, issued: { walkIn: issued, online: 0 }, source: 'kiosk', enforceHours: enforced, openNow: h.state === 'open' });
    if (blocked === 'inactive') {
      return { ...base, available: false, closedToday: true, fullToday: false, reason: 'inactive', next: null, message: { id: 'Layanan ini sedang tidak tersedia.', en: 'This service is not available at present.' } };
    }
    if (blocked === 'closed_by_staff') {
      const next = nextDay();
      return { ...base, available: false, closedToday: true, fullToday: false, reason: 'closed_by_staff', next, message: sentence({ id: 'Layanan ini ditutup untuk hari ini.', en: 'This service is closed for today.' }, next, openAgain) };
    }
    if (blocked === 'quota_full') {
      const next = nextDay();
      return { ...base, available: false, closedToday: false, fullToday: true, reason: 'quota_full', next, message: sentence({ id: 'Kuota hari ini sudah penuh.', en: "Today's places are all taken." }, next, { id: 'Kuota tersedia lagi', en: 'Places are free again' }) };
    }
    if (blocked === 'outside_hours' && h.state !== 'open') {
      const closedToday = h.state === 'closed_today';
      const first: Record<Exclude<OfficeHoursState, 'open'>, Bilingual> = {
        closed_today: holiday ? { id: `Kantor tutup hari ini (${holiday.name.id}).`, en: `The office is closed today (${holiday.name.en}).` } : { id: 'Kantor tutup hari ini.', en: 'The office is closed today.' },
        before_opening: { id: 'Layanan belum dibuka.', en: 'Service has not opened yet.' },
        break: { id: 'Sedang jam istirahat.', en: 'It is the break now.' },
        after_closing: { id: 'Jam layanan hari ini sudah selesai.', en: "Today's service hours are over." },
      };
      const reason: UnavailableReason = h.state === 'closed_today' ? 'office_closed_today' : h.state;
      const lead = h.state === 'before_opening' ? { id: 'Dibuka', en: 'Opens' } : openAgain;
      return { ...base, available: false, closedToday, fullToday: false, reason, next: h.next, message: sentence(first[h.state], h.next, lead) };
    }
    return { ...base, available: true, closedToday: false, fullToday: false, reason: null, next: null, message: null };
  });

  return {
    officeId: office.id,
    officeDay,
    at: now.toISOString(),
    hours: { state: h.state, openNow: h.state === 'open', enforced, today: h.today, next: h.next },
    services,
  };
}

/** The day's counts availability needs, read from the day's state. */
export function dayCountsOf(state: DayState): DayCounts {
  const counts: DayCounts = { walkInIssued: {}, closed: Object.fromEntries(state.closedServices) };
  for (const [serviceId, n] of state.issued) counts.walkInIssued[serviceId] = n.walkIn;
  return counts;
}

/** What a kiosk may offer now, from the office day's state. */
export function availabilityOf(state: DayState, office: OfficeConfig, now: Date): OfficeAvailability {
  return officeAvailability(office, dayCountsOf(state), now);
}
