// The shell around the booking rules (server/domain/booking.ts): the NIK's
// keyed hash, the proof of work, rate limits, codes and manage keys, the
// reads of other days for the NIK rules, and the sweep. Every change goes
// through QueueService.commitOn, in the journal of the slot's day.
import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createChallenge } from 'altcha-lib/v1';
import { bookingManagePath, bookingQrPayload, BOOKING_PATHS, parseBookingScan, type BookingChallenge, type BookingCreated, type BookingDay, type BookingDayResponse, type BookingSlotsResponse, type BookingStaffView, type BookingView } from '../protocol/booking.ts';
import { apiError, apiErrorWith, type ApiError, type ErrorCode } from '../protocol/errors.ts';
import { calendarDate, formatClock, monthName, weekdayName, zoneName } from '../protocol/format.ts';
import type { Actor, Booking, OfficeConfig, QueueEvent, Ticket } from '../protocol/model.ts';
import { NIK_PROBLEM_TEXT, maskNik } from '../protocol/nik.ts';
import { requirementText, type PrecheckAnswers } from '../protocol/rules.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import { addDays, zonedInstant } from './domain/availability.ts';
import {
  activeOf,
  blockOf,
  bookable,
  bookingSettings,
  checkInWindow,
  checkNik,
  codeOf,
  dayBookability,
  dayOfCode,
  decideBlock,
  decideCancel,
  decideCheckIn,
  decideConfirm,
  decideHold,
  decideUnblock,
  dueBookingSweep,
  nikActive,
  placesChangeAt,
  slotCapacity,
  slotsOn,
  slotFullNow,
  slotTime,
  takenIn,
  weekOf,
  type BookingOutcome,
  type HoldInput,
  type NikElsewhere,
} from './domain/booking.ts';
import { decide, resolveService } from './domain/commands.ts';
import { applyCommit, emptyDay, type DayState } from './domain/state.ts';
import { localParts, officeDayOf } from './domain/time.ts';
import type { Logger } from './log.ts';
import type { CommandOrigin, DayDecider, QueueService, Result } from './queue-service.ts';
import type { Secrets } from './store/secrets.ts';

export interface BookingOptions {
  /** altcha maxnumber: the work a hold costs (about half of it in hashes on average). */
  powMaxNumber: number;
  powExpiresSeconds: number;
  holdsPerAddressPerMinute: number;
  holdsPerNikPer10Minutes: number;
}

export const DEFAULT_BOOKING_OPTIONS: BookingOptions = { powMaxNumber: 50_000, powExpiresSeconds: 600, holdsPerAddressPerMinute: 20, holdsPerNikPer10Minutes: 6 };

export interface HoldRequest {
  service: string;
  subcase: string;
  slot: string;
  answers?: PrecheckAnswers | undefined;
  nik: string;
  name: string;
  phone?: { number: string; consent: true } | undefined;
  confirm: boolean;
}

/** The furthest day ahead staff may book or block (the window's maximum). */
const MAX_AHEAD_DAYS = 60;

const fail = (code: ErrorCode): { ok: false; error: ApiError } => ({ ok: false, error: apiError(code) });

/** A copy of a booking in a day's state (what an answer carries), or undefined. */
function snapshot(state: DayState, code: string): Booking | undefined {
  const b = state.booking.byCode.get(code);
  return b ? { ...b } : undefined;
}

/** What a decision returns to commitOn. */
function asDecision<T>(out: BookingOutcome, value: T): ReturnType<import('./queue-service.ts').DayDecider<T>> {
  if (!out.ok) return fail(out.code);
  return { ok: true, events: out.events, ticketId: out.ticketId, value };
}

/** A computed slots answer and what it was computed from (BookingService.slotsJson). */
interface SlotsAnswer {
  deps: Array<{ date: string; state: DayState; version: number }>;
  /** Valid from this instant (ms) until just before `until`. */
  from: number;
  until: number;
  /** The JSON text before and after the serverTime value. */
  head: string;
  tail: string;
}

export class BookingService {
  #bookingKey: KeyObject;
  #nikKey: KeyObject;
  #powKey: string;
  /** The same key prepared once for node:crypto (each HMAC would otherwise import it again). */
  #powKeyObject: KeyObject;
  /** Proof-of-work solutions already used, until their challenge expires (signature → expiry ms). */
  #usedPow = new Map<string, number>();
  #byAddress: RateLimiter;
  #byNik: RateLimiter;
  /** Holds of one NIK run one at a time in this process (the week rule reads other days). */
  #nikChain = new Map<string, Promise<unknown>>();
  /** Days with bookings written by this process (the sweep looks at them and today). */
  #touched = new Map<string, Set<string>>();
  #timer: NodeJS.Timeout | null = null;
  /** Told when bookings are cancelled by a slot block (the outbox, when it takes bookings). */
  onBlocked: ((office: OfficeConfig, bookings: Booking[]) => void) | null = null;
  /**
   * Given the phone number of a booking made with consent (`reminders`), after the booking is on
   * disk: the notify side keeps it (never the journal). The number is never logged.
   */
  onPhone: ((officeId: string, booking: Booking, number: string) => Promise<unknown>) | null = null;
  /** A change of slot: the reminders' number moves from the old booking to the new one. */
  onChanged: ((officeId: string, old: Booking, now: Booking) => Promise<unknown>) | null = null;

  constructor(
    private readonly queue: QueueService,
    secrets: Secrets,
    private readonly log: Logger,
    private readonly opts: BookingOptions = DEFAULT_BOOKING_OPTIONS,
  ) {
    const base = secrets.secret('booking');
    this.#bookingKey = createSecretKey(createHmac('sha256', base).update('manage').digest());
    this.#powKey = createHmac('sha256', base).update('pow').digest('base64url');
    this.#powKeyObject = createSecretKey(Buffer.from(this.#powKey, 'utf8'));
    this.#nikKey = createSecretKey(secrets.secret('nik-hash'));
    this.#byAddress = new RateLimiter(opts.holdsPerAddressPerMinute, 60_000);
    this.#byNik = new RateLimiter(opts.holdsPerNikPer10Minutes, 600_000);
  }

  get now(): Date {
    return this.queue.now();
  }

  // ---------------------------------------------------------------- keys

  nikHash(digits: string): string {
    return createHmac('sha256', this.#nikKey).update(digits).digest('hex');
  }

  manageKey(officeId: string, code: string): string {
    return createHmac('sha256', this.#bookingKey).update(`${officeId}/${code}`).digest('base64url').slice(0, 16);
  }

  #keyValid(officeId: string, code: string, k: string): boolean {
    const a = Buffer.from(this.manageKey(officeId, code));
    const b = Buffer.from(k);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Eight candidate codes of a day: 48 uniform draws of 0…29 from one randomBytes call (bytes ≥ 240 are skipped, so no bias). */
  /** Four candidate codes (30⁶ per day: a day of 20,000 bookings takes a second candidate once in ~36,000 holds). */
  #codes(day: string): string[] {
    const draws: number[] = [];
    while (draws.length < 24) for (const b of randomBytes(32)) if (b < 240 && draws.length < 24) draws.push(b % 30);
    return [0, 6, 12, 18].map((i) => codeOf(day, draws.slice(i, i + 6)));
  }

  // ---------------------------------------------------------------- proof of work

  async challenge(): Promise<BookingChallenge> {
    const c = await createChallenge({ hmacKey: this.#powKey, maxnumber: this.opts.powMaxNumber, algorithm: 'SHA-256', // altcha checks expiry against the real clock, whatever clock the queue runs on.
      expires: new Date(Date.now() + this.opts.powExpiresSeconds * 1000) });
    return { algorithm: 'SHA-256', challenge: c.challenge, maxnumber: c.maxnumber ?? this.opts.powMaxNumber, salt: c.salt, signature: c.signature };
  }

  /**
   * Verifies a solved challenge and spends it: a second use is pow_reused.
   * The check is altcha v1's verifySolution (challenge = SHA-256 of salt and
   * number, signature = its HMAC, `expires` in the salt), done with node:crypto
   * synchronously: altcha-lib's WebCrypto calls queue on libuv's thread pool
   * behind the journal's fsyncs, which made holds in a rush wait for the disk.
   */
  spendPow(payload: string): ErrorCode | null {
    let p: { algorithm?: unknown; challenge?: unknown; number?: unknown; salt?: unknown; signature?: unknown };
    try {
      p = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as typeof p;
    } catch {
      return 'pow_invalid';
    }
    if (p.algorithm !== 'SHA-256' || typeof p.challenge !== 'string' || typeof p.salt !== 'string' || typeof p.signature !== 'string' || typeof p.number !== 'number' || !Number.isInteger(p.number)) return 'pow_invalid';
    const nowMs = Date.now();
    for (const [sig, until] of this.#usedPow) {
      if (until > nowMs) break; // about expiry order: one behind a live one waits at most a lifetime
      this.#usedPow.delete(sig);
    }
    if (this.#usedPow.has(p.signature)) return 'pow_reused';
    const expires = Number(new URLSearchParams(p.salt.split('?')[1] ?? '').get('expires')) * 1000;
    if (!Number.isFinite(expires) || expires <= 0 || expires < nowMs) return 'pow_invalid';
    const challenge = createHash('sha256').update(p.salt + String(p.number)).digest('hex');
    const signature = createHmac('sha256', this.#powKeyObject).update(challenge).digest('hex');
    if (challenge !== p.challenge || !safeEqual(signature, p.signature)) return 'pow_invalid';
    this.#usedPow.set(p.signature, expires);
    return null;
  }

  // ---------------------------------------------------------------- reads

  #office(officeId: string): OfficeConfig | undefined {
    return this.queue.office(officeId);
  }

  #today(office: OfficeConfig): string {
    return officeDayOf(this.now, office.timeZone);
  }

  /** Places per slot of a service from `from` to `to`: counters only, flat in the number of bookings. */
  async slots(officeId: string, serviceRef: string, from?: string, to?: string): Promise<Result<BookingSlotsResponse>> {
    const r = await this.slotsJson(officeId, serviceRef, from, to);
    return r.ok ? { ok: true, data: JSON.parse(r.data) as BookingSlotsResponse } : r;
  }

  /**
   * Computed availability answers, per configuration object (a saved
   * configuration is a new object, so a new revision misses at once), by
   * service and days. See #slotsCached for what keeps an answer valid.
   */
  #slotsCache = new WeakMap<OfficeConfig, Map<string, SlotsAnswer>>();

  /**
   * The slots answer as JSON text (what the endpoint sends). An answer is
   * reused while nothing it was computed from changed: the same state object
   * and version of every day it read (a commit of any of those days, a
   * reloaded day), the same configuration object, and the clock before the
   * first instant the answer changes by time alone (a slot starts, a hold runs
   * out, a cancelled place comes back, a day opens at opensAt, the office's
   * midnight). Only `serverTime` is spliced in afresh.
   */
  async slotsJson(officeId: string, serviceRef: string, from?: string, to?: string): Promise<Result<string>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const service = resolveService(office, serviceRef);
    if (!service) return fail('service_not_found');
    const s = bookingSettings(office);
    if (!s || !bookable(office, service)) return fail('booking_disabled');
    const now = this.now;
    const nowMs = now.getTime();
    const today = this.#today(office);
    const first = from ?? (s.sameDay ? today : addDays(today, 1));
    const windowEnd = addDays(today, s.windowDays);
    // Nothing to read beyond the day after the window (it says when it opens): no journal is opened for far days.
    let last = to ?? windowEnd;
    if (last > addDays(windowEnd, 1)) last = addDays(windowEnd, 1);
    if (last > addDays(first, 62)) last = addDays(first, 62);
    const key = `${service.id} ${first} ${last}`;
    let byKey = this.#slotsCache.get(office);
    if (!byKey) this.#slotsCache.set(office, (byKey = new Map()));
    const hit = byKey.get(key);
    if (hit && nowMs >= hit.from && nowMs < hit.until && (await this.#stillValid(office.id, hit.deps))) {
      return { ok: true, data: hit.head + now.toISOString() + hit.tail };
    }
    const deps: SlotsAnswer['deps'] = [];
    // The office's next midnight: "today", the window and past days move then.
    const clock = { until: zonedInstant(addDays(today, 1), '00:00', office.timeZone).getTime() };
    const days: BookingDay[] = [];
    const capacity = slotCapacity(office, service);
    let nextWithRoom: BookingSlotsResponse['nextWithRoom'] = null;
    for (let date = first; date <= last; date = addDays(date, 1)) {
      const d = await this.#dayView(office, service.id, capacity, date, now, deps, clock);
      if (!d.ok) return d;
      days.push(d.data);
      if (!nextWithRoom && d.data.status === 'open') {
        const slot = d.data.slots.find((x) => x.left > 0);
        if (slot) nextWithRoom = { date, start: slot.start };
      }
    }
    // "Penuh" points further: the next day with room up to the window's end.
    let complete = true;
    for (let date = addDays(last, 1); !nextWithRoom && date <= windowEnd; date = addDays(date, 1)) {
      const d = await this.#dayView(office, service.id, capacity, date, now, deps, clock);
      if (!d.ok) {
        complete = false;
        break;
      }
      const slot = d.data.status === 'open' ? d.data.slots.find((x) => x.left > 0) : undefined;
      if (slot) nextWithRoom = { date, start: slot.start };
    }
    const head = `{"officeId":${JSON.stringify(office.id)},"serviceId":${JSON.stringify(service.id)},"serverTime":"`;
    const tail = `","slotMinutes":${s.slotMinutes},"days":${JSON.stringify(days)},"nextWithRoom":${JSON.stringify(nextWithRoom)}}`;
    if (complete) {
      if (byKey.size >= 256) byKey.clear(); // any from/to may be asked: a bound, not a policy
      byKey.set(key, { deps, from: nowMs, until: clock.until, head, tail });
    }
    return { ok: true, data: head + now.toISOString() + tail };
  }

  /** Whether every day an answer read is still the same state at the same version (after any write to it is on disk). */
  async #stillValid(officeId: string, deps: SlotsAnswer['deps']): Promise<boolean> {
    for (const d of deps) {
      const r = await this.queue.readDay(officeId, d.date, (state) => state === d.state && state.version === d.version);
      if (!r.ok || !r.data) return false;
    }
    return true;
  }

  async #dayView(office: OfficeConfig, serviceId: string, capacity: number, date: string, now: Date, deps: SlotsAnswer['deps'], clock: { until: number }): Promise<Result<BookingDay>> {
    const label = dateLabel(date);
    const avail = dayBookability(office, date, now);
    const closed = (office.closedDays ?? []).find((d) => d.date === date);
    if (avail.status === 'past' || avail.status === 'closed') {
      return { ok: true, data: { date, status: avail.status, label, note: avail.status === 'closed' ? (closed ? closed.name : { id: 'Kantor tutup', en: 'Office closed' }) : null, opensAt: null, left: 0, slots: [] } };
    }
    const soon = (iso: string | null | undefined) => {
      if (!iso) return;
      const t = Date.parse(iso);
      if (t < clock.until) clock.until = t;
    };
    if (avail.status === 'not_open_yet') soon(avail.opensAt);
    const service = office.services.find((x) => x.id === serviceId)!;
    const nowIso = now.toISOString();
    const r = await this.queue.readDay(office.id, date, (state) => {
      const ix = state.booking;
      const slots = slotsOn(office, date).map((slot) => {
        const blocked = blockOf(ix, serviceId, slot.start) !== null;
        const left = slot.start <= nowIso || blocked ? 0 : Math.max(0, capacity - takenIn(ix, serviceId, slot.start, nowIso));
        return { start: slot.start, end: slot.end, time: slot.time, capacity, left, full: left === 0, blocked };
      });
      const quotaFull = service.quota.online !== null && activeOf(ix, serviceId, nowIso) >= service.quota.online;
      return { slots, quotaFull, state, version: state.version, changesAt: placesChangeAt(ix, serviceId, nowIso) };
    });
    if (!r.ok) return r;
    deps.push({ date, state: r.data.state, version: r.data.version });
    soon(r.data.changesAt);
    soon(r.data.slots.find((x) => x.start > nowIso)?.start);
    let { slots } = r.data;
    if (r.data.quotaFull) slots = slots.map((x) => ({ ...x, left: 0, full: true }));
    const left = slots.reduce((n, x) => n + x.left, 0);
    if (avail.status === 'not_open_yet') {
      const opens = new Date(avail.opensAt);
      const t = localParts(opens, office.timeZone);
      const c = calendarDate(t.date);
      const note = { id: `Dibuka ${weekdayName(c.weekday, 'id')}, ${c.day} ${monthName(c.month, 'id')} pukul ${formatClock(t.time, 'id')} ${zoneName(office.timeZone)}`, en: `Opens ${weekdayName(c.weekday, 'en')} ${c.day} ${monthName(c.month, 'en')} at ${formatClock(t.time, 'en')} ${zoneName(office.timeZone)}` };
      return { ok: true, data: { date, status: 'not_open_yet', label, note, opensAt: avail.opensAt, left, slots: slots.map((x) => ({ ...x, left: 0, full: x.left === 0 })) } };
    }
    const status = r.data.quotaFull ? 'quota_full' : left === 0 ? 'full' : 'open';
    return { ok: true, data: { date, status, label, note: left === 0 ? { id: 'Penuh', en: 'Full' } : null, opensAt: null, left, slots } };
  }

  /** Finds a booking by code (its day is in the code): with its state, read after every write to it is on disk. */
  async find(officeId: string, code: string): Promise<Result<{ office: OfficeConfig; booking: Booking }>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const day = this.#dayOf(office, code);
    if (!day) return fail('booking_not_found');
    const r = await this.queue.readDay(office.id, day, (state) => state.booking.byCode.get(code));
    if (!r.ok) return r;
    if (!r.data) return fail('booking_not_found');
    return { ok: true, data: { office, booking: { ...r.data } } };
  }

  /** The day a code's booking lives on, when a booking can live there (a made-up code must not open far journals). */
  #dayOf(office: OfficeConfig, code: string): string | null {
    const today = this.#today(office);
    const day = dayOfCode(code, today);
    if (!day || day < addDays(today, -1) || day > addDays(today, MAX_AHEAD_DAYS)) return null;
    return day;
  }

  async findWithKey(officeId: string, code: string, k: string): Promise<Result<{ office: OfficeConfig; booking: Booking }>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    // A forged key is refused before anything is looked up (it tells nothing of the code).
    if (!this.#keyValid(office.id, code, k)) return fail('manage_key_invalid');
    return this.find(officeId, code);
  }

  // ---------------------------------------------------------------- NIK rules across days

  /**
   * Per past day (immutable once over), the NIK hashes' live bookings and
   * no-shows, read once from its commits without opening (or creating) its
   * journal; a day with no journal is empty.
   */
  #past = new Map<string, Promise<{ live: Map<string, number>; noShows: Map<string, number> }>>();

  #pastDay(office: OfficeConfig, day: string): Promise<{ live: Map<string, number>; noShows: Map<string, number> }> {
    const key = `${office.id}/${day}`;
    let p = this.#past.get(key);
    if (!p) {
      p = this.queue.store.queue.readCommits(office.id, day).then((commits) => {
        const state = emptyDay(office.id, day);
        for (const c of commits) applyCommit(state, office, c);
        const live = new Map<string, number>();
        for (const b of state.booking.byCode.values()) if (b.state === 'confirmed' || b.state === 'checked_in') live.set(b.nikHash, (live.get(b.nikHash) ?? 0) + 1);
        return { live, noShows: new Map(state.booking.noShowsByNik) };
      });
      p.catch(() => this.#past.delete(key));
      this.#past.set(key, p);
      if (this.#past.size > 2000) this.#past.delete(this.#past.keys().next().value!);
    }
    return p;
  }

  /**
   * Per office and today: the no-shows per NIK hash over the `days` days
   * before today, merged once from the past days (immutable once over), so a
   * hold looks its NIK up once instead of reading 30 days.
   */
  #recentNoShowsCache = new Map<string, Promise<Map<string, number>>>();

  #recentNoShows(office: OfficeConfig, today: string, days: number): Promise<Map<string, number>> {
    const key = `${office.id}/${today}/${days}`;
    let p = this.#recentNoShowsCache.get(key);
    if (!p) {
      p = (async () => {
        const merged = new Map<string, number>();
        for (let i = 1; i <= days; i++) for (const [nik, n] of (await this.#pastDay(office, addDays(today, -i))).noShows) merged.set(nik, (merged.get(nik) ?? 0) + n);
        return merged;
      })();
      p.catch(() => this.#recentNoShowsCache.delete(key));
      for (const k of this.#recentNoShowsCache.keys()) if (k.startsWith(`${office.id}/`) && k !== key) this.#recentNoShowsCache.delete(k);
      this.#recentNoShowsCache.set(key, p);
    }
    return p;
  }

  async #elsewhere(office: OfficeConfig, day: string, nikHash: string): Promise<Result<{ weekOthers: number; recentNoShows: number }>> {
    const nowIso = this.now.toISOString();
    const today = this.#today(office);
    let weekOthers = 0;
    try {
      for (const d of weekOf(day)) {
        if (d === day) continue;
        if (d < today) {
          weekOthers += (await this.#pastDay(office, d)).live.get(nikHash) ?? 0;
          continue;
        }
        const r = await this.queue.readDay(office.id, d, (state) => nikActive(state.booking, nikHash, nowIso));
        if (!r.ok) return r;
        weekOthers += r.data;
      }
      let recentNoShows = 0;
      const block = office.booking?.noShowBlock;
      if (block) {
        recentNoShows += (await this.#recentNoShows(office, today, block.days)).get(nikHash) ?? 0;
        const r = await this.queue.read(office.id, (state) => state.booking.noShowsByNik.get(nikHash) ?? 0);
        if (!r.ok) return r;
        recentNoShows += r.data;
      }
      return { ok: true, data: { weekOthers, recentNoShows } };
    } catch {
      return fail('unavailable');
    }
  }

  /**
   * A decider that sees what the NIK's other days say (week limit, no-show
   * block) where that is exact. One process (the embedded store): read
   * before, holds of one NIK being serialised in the process. A store shared
   * by several processes (PostgreSQL, the office write lease): read under the
   * lease, once the week's other days (and today, for no-shows) have the
   * commits other processes made (QueueService.catchUpDay), so no other
   * process can book the NIK between the read and this commit.
   */
  async #nikDecider<T>(office: OfficeConfig, day: string, nikHash: string, decide: (elsewhere: NikElsewhere, ...args: Parameters<DayDecider<T>>) => ReturnType<DayDecider<T>>): Promise<Result<DayDecider<T>>> {
    let elsewhere: Result<NikElsewhere> | null = null;
    if (!this.queue.store.queue.enterWriter) {
      elsewhere = await this.#elsewhere(office, day, nikHash);
      if (!elsewhere.ok) return elsewhere;
    }
    const decider: DayDecider<T> = Object.assign(
      (...args: Parameters<DayDecider<T>>): ReturnType<DayDecider<T>> => {
        if (!elsewhere) return fail('unavailable');
        if (!elsewhere.ok) return elsewhere;
        return decide(elsewhere.data, ...args);
      },
      {
        underLease: async () => {
          const today = this.#today(office);
          const days = weekOf(day).filter((d) => d !== day && d >= today);
          if (office.booking?.noShowBlock && !days.includes(today)) days.push(today);
          await Promise.all(days.map((d) => this.queue.catchUpDay(office.id, d)));
          elsewhere = await this.#elsewhere(office, day, nikHash);
        },
      },
    );
    return { ok: true, data: decider };
  }

  /** Runs `fn` after every earlier hold of the same NIK in this process. */
  async #serialised<T>(nikHash: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#nikChain.get(nikHash) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(fn);
    this.#nikChain.set(nikHash, run);
    try {
      return await run;
    } finally {
      if (this.#nikChain.get(nikHash) === run) this.#nikChain.delete(nikHash);
    }
  }

  // ---------------------------------------------------------------- changes

  /** A hold (online: proof of work verified by the caller) or a staff booking (confirmed at once). */
  /**
   * Whether the slot a hold asks for has no place left now (read once the
   * day's writes are on disk). When a day opens most holds of a rush are for
   * a full slot: they are refused here, before the proof of work is spent and
   * the NIK's rules are read (the citizen may use the same work for another
   * slot). A place that is free is decided under the writer (create).
   */
  async slotFull(officeId: string, req: Pick<HoldRequest, 'service' | 'slot'>): Promise<boolean> {
    const office = this.#office(officeId);
    const t = Date.parse(req.slot);
    if (!office || Number.isNaN(t)) return false;
    const day = officeDayOf(new Date(t), office.timeZone);
    if (this.#farDay(office, day, 'online')) return false;
    const r = await this.queue.readDay(office.id, day, (state, o, now) => slotFullNow(state, o, req.service, req.slot, now));
    return r.ok && r.data;
  }

  async create(officeId: string, req: HoldRequest, channel: 'online' | 'staff', actor: Actor, address: string, replaces: Booking | null = null): Promise<Result<BookingCreated>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const service = resolveService(office, req.service);
    if (!service) return fail('service_not_found');
    if (!bookable(office, service)) return fail('booking_disabled');
    const slotMs = Date.parse(req.slot);
    if (Number.isNaN(slotMs)) return fail('booking_slot_not_found');
    const day = officeDayOf(new Date(slotMs), office.timeZone);
    const far = this.#farDay(office, day, channel);
    if (far) return fail(far);
    const sub = service.subcases.find((x) => x.id === req.subcase);
    if (!sub) return fail('bad_request');
    const nik = checkNik(req.nik, channel === 'staff' ? undefined : sub, day);
    if (!nik.ok) {
      if (nik.code === 'booking_age_ineligible') return fail(nik.code);
      const text = NIK_PROBLEM_TEXT[nik.problem];
      return { ok: false, error: apiErrorWith('nik_invalid', { id: `NIK tidak valid. ${text.id}`, en: `The NIK is not valid. ${text.en}` }, [{ path: ['nik'], message: text }]) };
    }
    const nikHash = this.nikHash(nik.digits);
    if (channel === 'online' && !this.#byNik.hit(nikHash)) return fail('rate_limited');
    void address;
    return this.#serialised(nikHash, async () => {
      const input: HoldInput = {
        service: service.id,
        subcase: sub.id,
        slot: req.slot,
        nikHash,
        nikLast4: nik.last4,
        name: req.name,
        reminders: !!req.phone?.consent,
        channel,
        answers: req.answers ?? null,
        confirm: channel === 'staff' || req.confirm || replaces !== null,
        replaces: replaces?.code ?? null,
        codes: this.#codes(day),
      };
      // A change of slot within the same day may keep the NIK's place: the old booking is not counted.
      const decider = await this.#nikDecider<string | null>(office, day, nikHash, (elsewhere, state, o, now, a) => {
        const out = decideHold(state, o, input, elsewhere, { now, actor: a });
        return asDecision(out, out.ok ? out.code : null);
      });
      if (!decider.ok) return decider;
      const r = await this.queue.commitOn(office.id, day, decider.data, actor, {}, undefined, (state, made) => (made ? snapshot(state, made) : undefined));
      if (!r.ok) return r;
      this.#touch(office.id, day);
      const code = r.data.value!;
      const booking = r.data.after;
      if (!booking) return fail('internal');
      if (req.phone?.consent && this.onPhone) {
        try {
          await this.onPhone(office.id, booking, req.phone.number);
        } catch (err) {
          // Never the number: the error names the booking only.
          this.log.error({ office: office.id, code, message: (err as Error).message?.replace(/\d{6,}/g, '…') }, 'booking: reminder contact not kept');
        }
      }
      return { ok: true, data: this.created(office, booking) };
    });
  }

  /** A day no booking can be made on, refused before its journal is opened: past, or beyond the window (staff: beyond MAX_AHEAD_DAYS). */
  #farDay(office: OfficeConfig, day: string, channel: 'online' | 'staff'): ErrorCode | null {
    const today = this.#today(office);
    if (day < today) return 'booking_date_past';
    const ahead = channel === 'online' ? (office.booking?.windowDays ?? 0) : MAX_AHEAD_DAYS;
    if (day > addDays(today, ahead)) return 'booking_day_not_open';
    return null;
  }

  created(office: OfficeConfig, b: Booking): BookingCreated {
    const k = this.manageKey(office.id, b.code);
    const q = `?k=${encodeURIComponent(k)}`;
    return { booking: bookingView(office, b), manageKey: k, manageUrl: bookingManagePath(office.id, b.code, k), icsUrl: BOOKING_PATHS.ics(office.id, b.code) + q, qrUrl: BOOKING_PATHS.qr(office.id, b.code) + q };
  }

  #touch(officeId: string, day: string): void {
    let days = this.#touched.get(officeId);
    if (!days) this.#touched.set(officeId, (days = new Set()));
    days.add(day);
  }

  async #onDay(office: OfficeConfig, b: Pick<Booking, 'code' | 'officeDay'>, decide: (state: DayState, now: Date, actor: Actor) => BookingOutcome, actor: Actor, origin?: CommandOrigin, key?: string): Promise<Result<{ booking: Booking; ticketId: string | null; replayed: boolean }>> {
    const r = await this.queue.commitOn(office.id, b.officeDay, (state, _o, now, a, replay) => {
      if (replay) {
        const cur = state.booking.byCode.get(b.code);
        return { ok: true, events: [], ticketId: cur?.ticketId ?? null, value: null };
      }
      const out = decide(state, now, a);
      if (!out.ok && out.code === 'check_in_too_early' && out.at) {
        const t = localParts(new Date(out.at), office.timeZone).time;
        const zone = zoneName(office.timeZone);
        return { ok: false, error: apiErrorWith('check_in_too_early', { id: `Terlalu awal untuk check-in. Silakan datang kembali pukul ${formatClock(t, 'id')} ${zone}.`, en: `Too early to check in. Please come back at ${formatClock(t, 'en')} ${zone}.` }) };
      }
      return asDecision(out, null);
    }, actor, origin, key, (state) => snapshot(state, b.code));
    if (!r.ok) return r;
    // The booking as this decision left it (read in the commit's own step, answered once durable).
    if (!r.data.after) return fail('booking_not_found');
    return { ok: true, data: { booking: r.data.after, ticketId: r.data.ticketId, replayed: r.data.replayed } };
  }

  async confirm(officeId: string, code: string, k: string, actor: Actor): Promise<Result<BookingView>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    if (!this.#keyValid(office.id, code, k)) return fail('manage_key_invalid');
    // Decided on the day's state in the commit step: no read (and no wait for the day's last write) before it.
    const day = this.#dayOf(office, code);
    if (!day) return fail('booking_not_found');
    const r = await this.#onDay(office, { code, officeDay: day }, (state, now, a) => decideConfirm(state, code, { now, actor: a }), actor);
    return r.ok ? { ok: true, data: bookingView(office, r.data.booking) } : r;
  }

  async cancel(officeId: string, code: string, k: string | null, actor: Actor, reason: 'citizen' | 'staff' = 'citizen', note?: string): Promise<Result<BookingView>> {
    const f = k === null ? await this.find(officeId, code) : await this.findWithKey(officeId, code, k);
    if (!f.ok) return f;
    const { office } = f.data;
    const r = await this.#onDay(office, f.data.booking, (state, now, a) => {
      const b = state.booking.byCode.get(code);
      // A hold not confirmed yet is withdrawn: its place comes back at once.
      if (b?.state === 'held' && (b.holdExpiresAt ?? '') > now.toISOString()) return { ok: true, events: [{ at: now.toISOString(), actor: a, type: 'booking_released', code, reason: 'withdrawn' }], code, ticketId: null };
      return decideCancel(state, office, code, reason, { now, actor: a }, note);
    }, actor);
    return r.ok ? { ok: true, data: bookingView(office, r.data.booking) } : r;
  }

  /** A change of slot: a new booking (confirmed) in the new slot, then the old one cancelled as changed. */
  async change(officeId: string, code: string, k: string, slot: string, actor: Actor, address: string): Promise<Result<BookingCreated>> {
    const f = await this.findWithKey(officeId, code, k);
    if (!f.ok) return f;
    const old = f.data.booking;
    if (old.state === 'checked_in') return fail('booking_already_checked_in');
    if (old.state !== 'confirmed' && old.state !== 'held') return fail('booking_not_active');
    const created = await this.#createFrom(f.data.office, old, slot, actor, address);
    if (!created.ok) return created;
    if (old.reminders && this.onChanged) {
      const fresh = await this.find(officeId, created.data.booking.code);
      if (fresh.ok) await this.onChanged(officeId, old, fresh.data.booking).catch((err: Error) => this.log.error({ office: officeId, code: old.code, message: err.message }, 'booking: reminder contact not moved'));
    }
    const c = await this.#onDay(f.data.office, old, (state, now, a) => decideCancel(state, f.data.office, old.code, 'changed', { now, actor: a }), actor);
    if (!c.ok) this.log.warn({ office: officeId, code: old.code }, 'changed booking: the old one could not be cancelled');
    return created;
  }

  async #createFrom(office: OfficeConfig, old: Booking, slot: string, actor: Actor, address: string): Promise<Result<BookingCreated>> {
    const slotMs = Date.parse(slot);
    if (Number.isNaN(slotMs)) return fail('booking_slot_not_found');
    const day = officeDayOf(new Date(slotMs), office.timeZone);
    const far = this.#farDay(office, day, 'online');
    if (far) return fail(far);
    return this.#serialised(old.nikHash, async () => {
      // The booking being replaced does not count against the week (it is cancelled next).
      const sameWeek = weekOf(day).includes(old.officeDay) && old.officeDay !== day;
      const input: HoldInput = {
        service: old.serviceId,
        subcase: old.subcase,
        slot,
        nikHash: old.nikHash,
        nikLast4: old.nikLast4,
        name: old.name,
        reminders: old.reminders,
        channel: 'staff', // the pre-check was done with the first booking
        answers: null,
        confirm: true,
        replaces: old.code,
        codes: this.#codes(day),
      };
      void address;
      const decider = await this.#nikDecider<string | null>(office, day, old.nikHash, (elsewhere, state, o, now, a) => {
        const data = { weekOthers: Math.max(0, elsewhere.weekOthers - (sameWeek ? 1 : 0)), recentNoShows: elsewhere.recentNoShows };
        const out = decideHold(state, o, { ...input, channel: 'online', answers: null }, data, { now, actor: a });
        // Online rules (window, opening hour) apply; the pre-check is the first booking's.
        if (!out.ok && out.code === 'bad_request') {
          const again = decideHold(state, o, input, data, { now, actor: a });
          return asDecision(again, again.ok ? again.code : null);
        }
        return asDecision(out, out.ok ? out.code : null);
      });
      if (!decider.ok) return decider;
      const r = await this.queue.commitOn(office.id, day, decider.data, actor);
      if (!r.ok) return r;
      this.#touch(office.id, day);
      const found = await this.find(office.id, r.data.value ?? '');
      if (!found.ok) return found;
      return { ok: true, data: this.created(office, { ...found.data.booking, precheck: found.data.booking.precheck ?? old.precheck }) };
    });
  }

  /** Check-in of a typed or scanned code at the office: the ticket of source booking. */
  async checkIn(officeId: string, text: string, actor: Actor, origin: CommandOrigin = {}, key?: string): Promise<Result<{ booking: BookingView; ticket: Ticket; replayed: boolean }>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const scan = parseBookingScan(text);
    if (!scan) return fail('booking_not_found');
    if (scan.officeId !== null && scan.officeId !== office.id) return fail('booking_other_office');
    const f = await this.find(office.id, scan.code);
    if (!f.ok) {
      // A typed code of another office's booking is not found here; say so when another office has it.
      if (f.error.code === 'booking_not_found' && scan.officeId === null) {
        for (const other of this.queue.offices()) {
          if (other.id === office.id || !other.booking?.enabled) continue;
          const there = await this.find(other.id, scan.code);
          if (there.ok) return fail('booking_other_office');
        }
      }
      return f;
    }
    const b = f.data.booking;
    const today = this.#today(office);
    if (b.officeDay !== today) {
      const c = calendarDate(b.officeDay);
      const idDate = `${weekdayName(c.weekday, 'id')}, ${c.day} ${monthName(c.month, 'id')} ${c.year}`;
      const enDate = `${weekdayName(c.weekday, 'en')} ${c.day} ${monthName(c.month, 'en')} ${c.year}`;
      if (b.officeDay < today) return { ok: false, error: apiErrorWith('check_in_too_late', { id: `Booking ini untuk ${idDate} dan sudah lewat. Silakan ambil nomor antrean biasa.`, en: `This booking was for ${enDate} and has passed. Please take a regular ticket.` }) };
      return { ok: false, error: apiErrorWith('booking_other_day', { id: `Booking ini untuk ${idDate}. Silakan datang pada tanggal itu.`, en: `This booking is for ${enDate}. Please come on that day.` }) };
    }
    const r = await this.#onDay(office, b, (state, now, a) => decideCheckIn(state, office, scan.code, { now, actor: a }), actor, origin, key);
    if (!r.ok) return r;
    const ticketId = r.data.ticketId ?? r.data.booking.ticketId;
    const t = await this.queue.read(office.id, (state) => (ticketId ? state.tickets.get(ticketId) : undefined));
    if (!t.ok) return t;
    if (!t.data) return fail('internal');
    return { ok: true, data: { booking: bookingView(office, r.data.booking), ticket: { ...t.data }, replayed: r.data.replayed } };
  }

  /** A pre-check on the booking page that ended in "what to bring": recorded in today's journal (reports count it). */
  async precheckFailed(officeId: string, service: string, subcase: string, missing: string[], answers: PrecheckAnswers | undefined, actor: Actor): Promise<Result<null>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const r = await this.queue.commitOn(office.id, this.#today(office), (state, o, now, a) => {
      const d = decide(state, o, { type: 'record_precheck', service, subcase, missing, ...(answers ? { answers } : {}) }, { now, actor: a });
      if (!d.ok) return fail(d.code);
      if (d.replayed) return { ok: true, events: [], ticketId: null, value: null };
      const events = d.commit.events.map((e): QueueEvent => (e.type === 'precheck_failed' ? { ...e, source: 'booking' } : e));
      return { ok: true, events, ticketId: null, value: null };
    }, actor);
    return r.ok ? { ok: true, data: null } : r;
  }

  async day(officeId: string, day: string | undefined, serviceRef: string | undefined): Promise<Result<BookingDayResponse>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const date = day ?? this.#today(office);
    const services = serviceRef === undefined ? office.services.filter((s) => bookable(office, s)) : [resolveService(office, serviceRef)].filter((s) => s !== undefined);
    if (serviceRef !== undefined && services.length === 0) return fail('service_not_found');
    const nowIso = this.now.toISOString();
    return this.queue.readDay(office.id, date, (state) => {
      const ix = state.booking;
      const bySlot = new Map<string, BookingStaffView[]>();
      for (const b of ix.byCode.values()) {
        if (b.state === 'released') continue;
        const k = `${b.serviceId} ${b.slot}`;
        const list = bySlot.get(k) ?? [];
        list.push(staffView(b));
        bySlot.set(k, list);
      }
      const slots: BookingDayResponse['slots'] = [];
      for (const s of services) {
        const cap = slotCapacity(office, s);
        for (const slot of slotsOn(office, date)) {
          slots.push({ serviceId: s.id, start: slot.start, time: slot.time, capacity: cap, taken: takenIn(ix, s.id, slot.start, nowIso), blocked: blockOf(ix, s.id, slot.start), bookings: bySlot.get(`${s.id} ${slot.start}`) ?? [] });
        }
      }
      return { officeId: office.id, day: date, slots, counts: { ...ix.counts } };
    });
  }

  async block(officeId: string, service: string | null, slot: string, reason: string, actor: Actor): Promise<Result<{ cancelled: string[] }>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const ms = Date.parse(slot);
    if (Number.isNaN(ms)) return fail('booking_slot_not_found');
    const day = officeDayOf(new Date(ms), office.timeZone);
    const far = this.#farDay(office, day, 'staff');
    if (far) return fail(far);
    const r = await this.queue.commitOn(office.id, day, (state, o, now, a) => {
      const out = decideBlock(state, o, service, slot, reason, { now, actor: a });
      return asDecision(out, out.ok ? (out.cancelled ?? []) : []);
    }, actor);
    if (!r.ok) return r;
    const cancelled: Booking[] = [];
    for (const code of r.data.value) {
      const f = await this.find(office.id, code);
      if (f.ok) cancelled.push(f.data.booking);
    }
    try {
      this.onBlocked?.(office, cancelled);
    } catch (err) {
      this.log.error({ err }, 'telling the holders of a blocked slot failed');
    }
    return { ok: true, data: { cancelled: r.data.value } };
  }

  async unblock(officeId: string, service: string | null, slot: string, actor: Actor): Promise<Result<null>> {
    const office = this.#office(officeId);
    if (!office) return fail('office_not_found');
    const ms = Date.parse(slot);
    if (Number.isNaN(ms)) return fail('booking_slot_not_found');
    const day = officeDayOf(new Date(ms), office.timeZone);
    const far = this.#farDay(office, day, 'staff');
    if (far) return fail(far);
    const r = await this.queue.commitOn(office.id, day, (state, o, now, a) => asDecision(decideUnblock(state, o, service, slot, { now, actor: a }), null), actor);
    return r.ok ? { ok: true, data: null } : r;
  }

  /** Per address: holds a minute (the proof of work is the other half of the defence). */
  addressAllowed(address: string): boolean {
    return this.#byAddress.hit(address);
  }

  // ---------------------------------------------------------------- the sweep

  /** Releases run-out holds and marks no-shows: today and the days this process wrote bookings to. */
  async tick(): Promise<void> {
    const actor: Actor = { kind: 'system', id: 'booking-sweep' };
    for (const office of this.queue.offices()) {
      if (!office.booking) continue;
      const today = this.#today(office);
      const days = new Set([today, ...(this.#touched.get(office.id) ?? [])]);
      for (const day of days) {
        if (day < today) {
          this.#touched.get(office.id)?.delete(day);
          continue;
        }
        try {
          const r = await this.queue.commitOn(office.id, day, (state, o, now, a) => {
            const events: QueueEvent[] = dueBookingSweep(state, o, { now, actor: a });
            return { ok: true, events, ticketId: null, value: events.length };
          }, actor);
          if (!r.ok) this.log.warn({ office: office.id, day, code: r.error.code }, 'booking sweep failed');
        } catch (err) {
          this.log.error({ err, office: office.id, day }, 'booking sweep failed');
        }
      }
    }
  }

  startTimers(periodMs = 15_000): void {
    this.#timer ??= setInterval(() => void this.tick(), periodMs);
    this.#timer.unref();
  }

  stopTimers(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function dateLabel(date: string): { id: string; en: string } {
  const c = calendarDate(date);
  return { id: `${weekdayName(c.weekday, 'id')}, ${c.day} ${monthName(c.month, 'id')} ${c.year}`, en: `${weekdayName(c.weekday, 'en')} ${c.day} ${monthName(c.month, 'en')} ${c.year}` };
}

export function staffView(b: Booking): BookingStaffView {
  return { code: b.code, serviceId: b.serviceId, subcase: b.subcase, slot: b.slot, state: b.state, name: b.name, nikLast4: b.nikLast4, channel: b.channel, ticketId: b.ticketId, precheck: b.precheck };
}

/** A booking as its holder sees it: the NIK masked, no phone, what to bring. */
export function bookingView(office: OfficeConfig, b: Booking): BookingView {
  const service = office.services.find((s) => s.id === b.serviceId);
  const sub = service?.subcases.find((s) => s.id === b.subcase);
  const t = { time: slotTime(office, b.officeDay, b.slot) ?? localParts(new Date(b.slot), office.timeZone).time };
  const label = dateLabel(b.officeDay);
  const zone = zoneName(office.timeZone);
  const slotMinutes = office.booking?.slotMinutes ?? 30;
  return {
    code: b.code,
    officeId: office.id,
    serviceId: b.serviceId,
    serviceName: service?.name ?? { id: b.serviceId, en: b.serviceId },
    subcase: b.subcase,
    subcaseName: sub?.name ?? { id: b.subcase, en: b.subcase },
    day: b.officeDay,
    slot: b.slot,
    slotEnd: new Date(Date.parse(b.slot) + slotMinutes * 60_000).toISOString(),
    slotText: { id: `${label.id} pukul ${formatClock(t.time, 'id')} ${zone}`, en: `${label.en} at ${formatClock(t.time, 'en')} ${zone}` },
    state: b.state,
    holdExpiresAt: b.state === 'held' ? b.holdExpiresAt : null,
    name: b.name,
    nikMasked: maskNik(`000000000000${b.nikLast4}`),
    reminders: b.reminders,
    checkIn: checkInWindow(office, b),
    whatToBring: (sub?.requirements ?? []).map((r) => requirementText(r)),
    fee: service?.fee ?? 0,
    feeText: (service?.fee ?? 0) === 0 ? { id: 'GRATIS — tidak dipungut biaya', en: 'FREE — no fee is charged' } : { id: `Rp${service!.fee}`, en: `IDR ${service!.fee}` },
    office: { name: office.name, shortName: office.shortName, address: office.booking?.address ?? null, timeZone: office.timeZone },
    qrPayload: bookingQrPayload(office.id, b.code),
    ticketId: b.ticketId,
  };
}

/** The booking as an iCalendar event (RFC 5545), UTC times. */
export function bookingIcs(office: OfficeConfig, b: Booking, stamp: Date): string {
  const v = bookingView(office, b);
  const utc = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/[,;]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Giliran//Booking//ID',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${b.code}.${office.id}@giliran`,
    `DTSTAMP:${utc(stamp.toISOString())}`,
    `DTSTART:${utc(v.slot)}`,
    `DTEND:${utc(v.slotEnd)}`,
    `SUMMARY:${esc(`${v.serviceName.id} — ${office.shortName} (${b.code})`)}`,
    `DESCRIPTION:${esc(`Kode booking ${b.code}. Bawa: ${v.whatToBring.map((x) => x.id).join('; ')}. ${v.feeText.id}.`)}`,
    ...(v.office.address ? [`LOCATION:${esc(v.office.address)}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.join('\r\n')}\r\n`;
}
