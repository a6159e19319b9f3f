// The imperative shell around the queue rules. Every way of changing the queue
// (REST, sockets, the agent, the system's own timers) comes through execute():
// validate → domain decides → store makes it durable → listeners broadcast →
// the caller acknowledges.
import type { Command } from '../protocol/commands.ts';
import { apiError, type ApiError } from '../protocol/errors.ts';
import type { CommandResult } from '../protocol/events.ts';
import type { Actor, OfficeConfig, PublicOffice, QueueDelta, QueueEvent, QueueSnapshot } from '../protocol/model.ts';
import { decide, deltaOf, dueNoShows, applyCommit, officeDayOf, snapshotOf, type DayState } from './domain/index.ts';
import type { Commit } from './domain/state.ts';
import type { Logger } from './log.ts';
import { StaleDayError, type Store, type WriterHold } from './store/types.ts';

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

const writeKey = (officeId: string, officeDay: string) => `${officeId}/${officeDay}`;

/**
 * Decides the events of a commit on one office day (booking.ts rules),
 * synchronously, without changing the state. `replay` = the idempotency key
 * was seen: only `value` is used (the first answer is rebuilt from the state).
 */
export type DayDecider<T> = ((state: DayState, office: OfficeConfig, now: Date, actor: Actor, replay: boolean) => { ok: true; events: QueueEvent[]; ticketId: string | null; value: T } | { ok: false; error: ApiError }) & {
  /** Holding the office's write lease (a shared store), after the day is caught up and before deciding: bring up to date what else the decision reads (bookings: the NIK's other days). */
  underLease?: () => Promise<void>;
};

export interface DayCommitted<T, A = undefined> {
  value: T;
  version: number;
  replayed: boolean;
  ticketId: string | null;
  /** What commitOn's `after` read of the day just after this decision was applied (durable when answered). */
  after?: A;
}

/** Where a command came from, for replies that belong to that screen alone (a ticket's print result). */
export interface CommandOrigin {
  /** The socket that sent it, when it came over a socket. */
  socketId?: string;
}

/** How long an office whose day cannot be read is answered "unavailable" before its journal is read again. */
const UNAVAILABLE_RETRY_MS = 5_000;
/** Times a command is decided again after another process took its version (PostgreSQL store). */
const STALE_RETRIES = 100;
/** #writeHeld's answers that make #writeDay decide again: another process took the version; the day was dropped meanwhile. */
const STALE = Symbol('stale');
const DROPPED = Symbol('dropped');

/** What a write decides on the day's state: an answer without writing, or a commit and the answer once it is applied. */
type Decided<T> = { ok: false; error: ApiError } | { ok: true; data: T } | { ok: true; commit: Commit; value: (state: DayState) => T };

export interface QueueListeners {
  delta(officeId: string, delta: QueueDelta, origin: CommandOrigin): void;
  /** The office day changed (local midnight) or the state was reloaded: screens need a fresh snapshot. */
  reset(officeId: string, snapshot: QueueSnapshot): void;
  /** The office's configuration was saved: screens replace their copy (then get a fresh snapshot through reset). */
  office?(officeId: string, office: PublicOffice, revision: number): void;
  /** A change reached the disk after `durableMs` (for the metrics). */
  committed?(officeId: string, durableMs: number): void;
  /** After `delta` is durable, with the day's state it left (alerts to citizens read positions from it). */
  applied?(office: OfficeConfig, state: DayState, delta: QueueDelta): void;
}

export function publicOffice(o: OfficeConfig): PublicOffice {
  return {
    id: o.id,
    name: o.name,
    shortName: o.shortName,
    timeZone: o.timeZone,
    hours: o.hours,
    services: o.services,
    counters: o.counters,
    complaintChannel: o.complaintChannel,
    marquee: o.marquee,
    ...(o.whatsapp !== undefined ? { whatsapp: o.whatsapp } : {}),
    ...(o.closedDays !== undefined ? { closedDays: o.closedDays } : {}),
    ...(o.booking !== undefined ? { booking: o.booking } : {}),
    kiosk: o.kiosk,
    displays: o.displays,
    logo: o.logo,
    rules: { reinstateWindowMinutes: o.rules.reinstateWindowMinutes, enforceHours: o.rules.enforceHours, priorityPerRegular: o.rules.priorityPerRegular },
  };
}

export class QueueService {
  #listeners: QueueListeners[] = [];
  #days = new Map<string, string>();
  /** Per office day (`office/day`), the last write handed to the store: a day's journal writes in order, so once it is on disk all before it are. */
  #lastWrite = new Map<string, Promise<void>>();
  /** Day states a failed write left behind (the store reloads the day from disk); never shown. */
  #dropped = new WeakSet<DayState>();
  #timer: NodeJS.Timeout | null = null;
  /** Offices whose day could not be read (a damaged journal), with when to try again. */
  #unavailable = new Map<string, { reason: string; retryAt: number }>();

  constructor(
    readonly store: Store,
    private readonly log: Logger,
    readonly now: () => Date = () => new Date(),
  ) {
    store.queue.onExternalCommit?.((officeId, officeDay, version, commits) => void this.#catchUp(officeId, officeDay, version, commits));
  }

  /**
   * Another process committed up to `version` of an office day (central
   * deployment): apply those commits (carried by the notice, or read) to this
   * process's copy and tell its screens, as if they had been made here.
   * Skipped while a write of ours is in flight: without the lease that write
   * fails as stale and the day is read again anyway; with it, nobody else wrote.
   */
  async #catchUp(officeId: string, officeDay: string, version: number, carried?: Commit[]): Promise<void> {
    const office = this.office(officeId);
    const wk = writeKey(officeId, officeDay);
    if (!office || this.#days.get(officeId) !== officeDay || this.#lastWrite.has(wk)) return;
    let state: DayState;
    try {
      state = await this.store.queue.openDay(office, officeDay);
    } catch {
      return;
    }
    const from = state.version;
    if (from >= version || this.#dropped.has(state)) return;
    let commits = carried;
    // The notice carries the commits unless they were large; one we missed (a gap) is read.
    if (!commits || commits.length === 0 || commits[0]!.version > from + 1) {
      try {
        commits = await this.store.queue.readCommits(officeId, officeDay, from);
      } catch (err) {
        this.log.warn({ err, office: officeId }, 'could not read the commits of another process');
        return;
      }
    }
    // A command of ours is in flight (without the lease its write fails as stale and the day is read again).
    // Another catch-up that got here first applied a prefix of these: the rest still goes on (#applyExternal
    // skips what is applied), or a commit would wait for the next NOTIFY to reach the screens.
    if (this.#lastWrite.has(wk) || this.#dropped.has(state)) return;
    this.#applyExternal(office, state, commits, true);
  }

  /**
   * Holding the office's write lease (a shared store): commits other processes
   * made before we got it are applied (and told to our screens when the day is
   * theirs) before we decide. `read` = the commits the lease read as it was
   * taken; null: read them here (a command that joined a hold already taken,
   * whose own earlier commands are applied; a write of ours in flight then
   * means the hold has been ours since it began, so nobody else wrote).
   */
  async #catchUpUnderLease(office: OfficeConfig, state: DayState, broadcast: boolean, read: Commit[] | null): Promise<void> {
    const wk = writeKey(office.id, state.officeDay);
    if (read === null && this.#lastWrite.has(wk)) return;
    const from = state.version;
    const commits = read ?? (await this.store.queue.readCommits(office.id, state.officeDay, from));
    // Another command of ours entering with us (or a NOTIFY catch-up) may have applied some first: skipped.
    if (this.#dropped.has(state) || (read === null && this.#lastWrite.has(wk) && state.version !== from)) return;
    this.#applyExternal(office, state, commits, broadcast);
  }

  #applyExternal(office: OfficeConfig, state: DayState, commits: Commit[], broadcast: boolean): void {
    for (const commit of commits) {
      if (commit.version <= state.version) continue;
      if (commit.version !== state.version + 1) break;
      applyCommit(state, office, commit);
      if (!broadcast) continue;
      // Without the services' wait ranges (a simulation each, per commit of a batch of up to 500 an
      // office box ships): no page reads them from a delta (a ticket carries its own waitAtIssue).
      const delta = deltaOf(state, office, commit, false);
      for (const l of this.#listeners) {
        try {
          l.delta(office.id, delta, {});
        } catch (err) {
          this.log.error({ err }, 'broadcast failed');
        }
      }
    }
  }

  /** Runs `body` as the office's one writer when the store is shared by several processes (docs/central.md). */
  async #asWriter<R>(officeId: string, officeDay: string, body: (hold: WriterHold | null) => Promise<R>): Promise<R | { ok: false; error: ApiError }> {
    if (!this.store.queue.enterWriter) return body(null);
    let hold: WriterHold;
    try {
      hold = await this.store.queue.enterWriter(officeId, officeDay);
    } catch (err) {
      this.log.error({ err, office: officeId }, 'could not take the office write lease');
      return { ok: false, error: apiError('unavailable') };
    }
    try {
      return await body(hold);
    } finally {
      hold.leave();
    }
  }

  listen(l: QueueListeners): void {
    this.#listeners.push(l);
  }

  office(officeId: string): OfficeConfig | undefined {
    return this.store.config.get().offices.find((o) => o.id === officeId);
  }

  offices(): OfficeConfig[] {
    return this.store.config.get().offices;
  }

  /**
   * The office's queue runs on an office box paired to this (central) server,
   * which ships its journals here (server/sync): it is read here, never changed.
   */
  onBox(officeId: string): boolean {
    return this.store.config.get().devices.some((d) => d.kind === 'office_box' && d.officeId === officeId);
  }

  /** Offices that cannot be served now: their day cannot be read (the log says why). */
  unavailableOffices(): string[] {
    return [...this.#unavailable.keys()];
  }

  async #day(office: OfficeConfig): Promise<DayState> {
    const day = officeDayOf(this.now(), office.timeZone);
    // A damaged journal is not read again for every socket that connects: one try per period.
    const down = this.#unavailable.get(office.id);
    if (down && Date.now() < down.retryAt) throw new Error(down.reason);
    let state: DayState;
    try {
      state = await this.store.queue.openDay(office, day);
    } catch (err) {
      const reason = (err as Error).message;
      if (!this.#unavailable.has(office.id)) this.log.error({ err, office: office.id }, 'office unavailable: its day cannot be read');
      this.#unavailable.set(office.id, { reason, retryAt: Date.now() + UNAVAILABLE_RETRY_MS });
      throw err;
    }
    if (this.#unavailable.delete(office.id)) this.log.info({ office: office.id }, 'office available again');
    const before = this.#days.get(office.id);
    this.#days.set(office.id, day);
    if (before !== undefined && before !== day) {
      this.log.info({ office: office.id, from: before, to: day }, 'office day changed');
      const snap = snapshotOf(state, office, this.now());
      for (const l of this.#listeners) l.reset(office.id, snap);
    }
    return state;
  }

  /**
   * The queue as it stands, sent only once every change it shows is on disk:
   * a change is applied in memory before its write completes (so the next
   * command sees it), and a screen must not show what a crash could still undo.
   */
  async snapshot(officeId: string): Promise<Result<QueueSnapshot>> {
    return this.read(officeId, snapshotOf);
  }

  /**
   * Something computed from the day's state (a snapshot, a phone's view of its
   * ticket), answered only once every change it reflects is on disk, as
   * snapshot(). `compute` runs synchronously and must neither keep nor change
   * the state.
   */
  async read<T>(officeId: string, compute: (state: DayState, office: OfficeConfig, now: Date) => T): Promise<Result<T>> {
    const office = this.office(officeId);
    if (!office) return { ok: false, error: apiError('office_not_found') };
    // A write that fails while we wait leaves a state the store has dropped: read again, from disk.
    for (let attempt = 0; attempt < 3; attempt++) {
      let state: DayState;
      try {
        state = await this.#day(office);
      } catch {
        return { ok: false, error: apiError('unavailable') };
      }
      if (this.#dropped.has(state)) continue;
      const value = compute(state, office, this.now());
      const pending = this.#lastWrite.get(writeKey(office.id, state.officeDay));
      try {
        await pending;
      } catch {
        continue;
      }
      if (!this.#dropped.has(state)) return { ok: true, data: value };
    }
    return { ok: false, error: apiError('unavailable') };
  }

  async execute(officeId: string, command: Command, actor: Actor, origin: CommandOrigin = {}): Promise<Result<CommandResult>> {
    if (!this.office(officeId)) return { ok: false, error: apiError('office_not_found') };
    if (this.onBox(officeId)) return { ok: false, error: apiError('office_on_box') };
    // A shared store (PostgreSQL, several processes): one writer per office at a time (docs/central.md).
    return this.#writeDay<CommandResult>(officeId, null, origin, 'commit failed; day reloaded from disk', undefined, (office, state) => {
      const decision = decide(state, office, command, { now: this.now(), actor });
      if (!decision.ok) return { ok: false, error: apiError(decision.code) };
      if (decision.replayed) {
        const t = decision.ticketId ? state.tickets.get(decision.ticketId) : undefined;
        return { ok: true, data: { ticket: t ? { ...t } : null, version: decision.version, replayed: true } };
      }
      const { commit } = decision;
      return {
        ok: true,
        commit,
        value: (applied) => {
          const held = commit.ticketId ? applied.tickets.get(commit.ticketId) : undefined;
          return { ticket: held ? { ...held } : null, version: commit.version, replayed: false };
        },
      };
    });
  }

  /**
   * One write to an office day (`officeDay` null: today), for execute and
   * commitOn alike: as the office's writer, bring the day up to date, decide
   * and apply in one synchronous step, make the commit durable, then tell the
   * listeners (a delta only for today's screens) and answer. Another process
   * that took the version (StaleDayError): decided again after a short random
   * pause, in a new hold of the lease.
   */
  async #writeDay<T>(officeId: string, officeDay: string | null, origin: CommandOrigin, failure: string, underLease: (() => Promise<void>) | undefined, decideOn: (office: OfficeConfig, state: DayState) => Decided<T>): Promise<Result<T>> {
    for (let attempt = 0; ; attempt++) {
      const office = this.office(officeId);
      if (!office) return { ok: false, error: apiError('office_not_found') };
      const today = officeDayOf(this.now(), office.timeZone);
      const day = officeDay ?? today;
      const r = await this.#asWriter(office.id, day, (hold) => this.#writeHeld(office, day, day === today, hold, origin, failure, attempt, underLease, decideOn));
      if (r === DROPPED) continue;
      if (r === STALE) {
        // Two busy processes do not keep colliding in step. Screens of this process learn the other's
        // commits from the next delta's version gap (they resync).
        await new Promise((res) => setTimeout(res, Math.random() * Math.min(50, 2 * (attempt + 1))));
        continue;
      }
      return r;
    }
  }

  async #writeHeld<T>(office: OfficeConfig, day: string, isToday: boolean, hold: WriterHold | null, origin: CommandOrigin, failure: string, attempt: number, underLease: (() => Promise<void>) | undefined, decideOn: (office: OfficeConfig, state: DayState) => Decided<T>): Promise<Result<T> | typeof STALE | typeof DROPPED> {
    let state: DayState;
    try {
      state = isToday ? await this.#day(office) : await this.store.queue.openDay(office, day);
      // The lease's read is of the day it was entered for (midnight may have passed since).
      if (hold) await this.#catchUpUnderLease(office, state, isToday, state.officeDay === day ? hold.commits : null);
      // What else the decision reads, brought up to date under the lease (bookings: the NIK's other days).
      if (hold) await underLease?.();
    } catch {
      return { ok: false, error: apiError('unavailable') };
    }
    if (this.#dropped.has(state)) return DROPPED;
    // From here to the store call nothing awaits: decide and apply are one step.
    const d = decideOn(office, state);
    if (!('commit' in d)) return d;
    const { commit } = d;
    applyCommit(state, office, commit);
    const delta = isToday ? deltaOf(state, office, commit) : null;
    const value = d.value(state);
    const wk = writeKey(office.id, state.officeDay);
    const t0 = performance.now();
    const write = hold ? hold.commit(office, state.officeDay, commit) : this.store.queue.commit(office, state.officeDay, commit);
    this.#lastWrite.set(wk, write);
    try {
      await write;
    } catch (err) {
      this.#dropped.add(state);
      if (isToday) this.#days.delete(office.id);
      if (err instanceof StaleDayError && attempt < STALE_RETRIES) return STALE;
      this.log.error({ err, office: office.id, day: state.officeDay, version: commit.version }, failure);
      if (isToday) void this.#resync(office);
      return { ok: false, error: apiError('unavailable') };
    } finally {
      if (this.#lastWrite.get(wk) === write) this.#lastWrite.delete(wk);
    }
    const durableMs = performance.now() - t0;
    for (const l of this.#listeners) {
      try {
        l.committed?.(office.id, durableMs);
        if (delta) {
          l.delta(office.id, delta, origin);
          l.applied?.(office, state, delta);
        }
      } catch (err) {
        this.log.error({ err }, 'broadcast failed');
      }
    }
    return { ok: true, data: value };
  }

  /** Resolves once every change handed to the store for this office is on disk (or failed): a backup reads after it. */
  async settled(officeId: string): Promise<void> {
    const mine = [...this.#lastWrite].filter(([k]) => k.startsWith(`${officeId}/`)).map(([, w]) => w.catch(() => undefined));
    await Promise.all(mine);
  }

  /**
   * Commits what `decide` returns on any office day (bookings live in the day
   * of their slot): the same one writer per office day as execute — decide
   * and apply in one synchronous step, durable before the answer, decided
   * again after a StaleDayError. Only a commit of the screens' day (today) is
   * broadcast; a future day's version is not theirs.
   */
  async commitOn<T, A = undefined>(officeId: string, officeDay: string, decide: DayDecider<T>, actor: Actor, origin: CommandOrigin = {}, key?: string, after?: (state: DayState, value: T) => A): Promise<Result<DayCommitted<T, A>>> {
    // The central never edits a box's office, bookings included (docs/sync.md).
    if (this.onBox(officeId)) return { ok: false, error: apiError('office_on_box') };
    let unchanged = false;
    const r = await this.#writeDay<DayCommitted<T, A>>(officeId, officeDay, origin, 'booking commit failed; day reloaded from disk', decide.underLease, (office, state) => {
      unchanged = false;
      if (key !== undefined) {
        const seen = state.idempotency.get(key);
        if (seen) {
          const replay = decide(state, office, this.now(), actor, true);
          if (!replay.ok) return replay;
          unchanged = true;
          return { ok: true, data: { value: replay.value, version: seen.version, replayed: true, ticketId: seen.ticketId, ...(after ? { after: after(state, replay.value) } : {}) } };
        }
      }
      const d = decide(state, office, this.now(), actor, false);
      if (!d.ok) return d;
      if (d.events.length === 0) {
        unchanged = true;
        return { ok: true, data: { value: d.value, version: state.version, replayed: false, ticketId: d.ticketId, ...(after ? { after: after(state, d.value) } : {}) } };
      }
      const commit: Commit = { version: state.version + 1, ticketId: d.ticketId, events: d.events };
      if (key !== undefined) {
        commit.key = key;
        commit.fingerprint = key;
      }
      // `after` reads the state this commit made, in the same synchronous step (a later write may follow before the ack).
      return { ok: true, commit, value: (applied) => ({ value: d.value, version: commit.version, replayed: false, ticketId: d.ticketId, ...(after ? { after: after(applied, d.value) } : {}) }) };
    });
    // Nothing was written: what was read may include a write of another request not on disk yet; answered once it is.
    if (r.ok && unchanged && after) {
      try {
        await this.#lastWrite.get(writeKey(officeId, officeDay));
      } catch {
        return { ok: false, error: apiError('unavailable') };
      }
    }
    return r;
  }

  /** Inside a DayDecider's underLease (the lease held): applies to a day this process has open the commits other processes made to it. */
  async catchUpDay(officeId: string, officeDay: string): Promise<void> {
    const office = this.office(officeId);
    if (!office) return;
    const today = officeDayOf(this.now(), office.timeZone);
    const state = officeDay === today ? await this.#day(office) : await this.store.queue.openDay(office, officeDay);
    await this.#catchUpUnderLease(office, state, officeDay === today, null);
  }

  /** Reads a day's state (any day) once every change handed to the store for it is on disk: compute runs synchronously. */
  async readDay<T>(officeId: string, officeDay: string, compute: (state: DayState, office: OfficeConfig, now: Date) => T): Promise<Result<T>> {
    const office = this.office(officeId);
    if (!office) return { ok: false, error: apiError('office_not_found') };
    if (officeDay === officeDayOf(this.now(), office.timeZone)) return this.read(officeId, compute);
    for (let attempt = 0; attempt < 3; attempt++) {
      let state: DayState;
      try {
        state = await this.store.queue.openDay(office, officeDay);
      } catch {
        return { ok: false, error: apiError('unavailable') };
      }
      if (this.#dropped.has(state)) continue;
      const value = compute(state, office, this.now());
      try {
        await this.#lastWrite.get(writeKey(office.id, officeDay));
      } catch {
        continue;
      }
      if (!this.#dropped.has(state)) return { ok: true, data: value };
    }
    return { ok: false, error: apiError('unavailable') };
  }

  /** Reads an office's day from disk again (after a restore replaced its files) and sends screens a fresh snapshot. */
  async reload(officeId: string): Promise<void> {
    this.#days.delete(officeId);
    this.#unavailable.delete(officeId);
    await this.store.queue.evict(officeId);
    const office = this.office(officeId);
    if (office) await this.#resync(office);
  }

  /**
   * The office's configuration was saved (it is on disk and in the store).
   * The next command already decides with it (every command reads the
   * configuration afresh); here counters whose configured services changed
   * take them over today too (a journaled counter_configured, so a replay
   * agrees), then every screen gets the office and a fresh snapshot.
   */
  async configChanged(officeId: string, before: OfficeConfig, revision: number): Promise<void> {
    const office = this.office(officeId);
    if (!office) return;
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    try {
      const state = await this.#day(office);
      // A box's counters are configured on the box (its journal ships here).
      for (const cfg of this.onBox(officeId) ? [] : office.counters) {
        const was = before.counters.find((c) => c.id === cfg.id);
        const live = state.counters.get(cfg.id);
        if (!was || !live || same(was.services, cfg.services) || same(live.services, cfg.services) || cfg.services.length === 0) continue;
        const r = await this.execute(officeId, { type: 'configure_counter', counterId: cfg.id, services: cfg.services, autoCallNext: live.autoCallNext }, { kind: 'system', id: 'admin-config' });
        if (!r.ok) this.log.warn({ office: officeId, counter: cfg.id, code: r.error.code }, 'counter kept its services of today');
      }
    } catch (err) {
      this.log.error({ err, office: officeId }, 'applying the new configuration to today failed');
    }
    const pub = publicOffice(office);
    for (const l of this.#listeners) {
      try {
        l.office?.(officeId, pub, revision);
      } catch (err) {
        this.log.error({ err }, 'office broadcast failed');
      }
    }
    const snap = await this.snapshot(officeId);
    if (snap.ok) for (const l of this.#listeners) l.reset(officeId, snap.data);
  }

  async #resync(office: OfficeConfig): Promise<void> {
    try {
      const state = await this.#day(office);
      const snap = snapshotOf(state, office, this.now());
      for (const l of this.#listeners) l.reset(office.id, snap);
    } catch (err) {
      this.log.error({ err, office: office.id }, 'reload after failed commit failed');
    }
  }

  /** Once a period: roll office days over at local midnight and mark called-but-absent tickets no-show. */
  async tick(): Promise<void> {
    for (const office of this.offices()) {
      if (this.onBox(office.id)) continue; // its box marks its no-shows
      try {
        const state = await this.#day(office);
        for (const t of dueNoShows(state, office, this.now())) {
          await this.execute(office.id, { type: 'no_show', counterId: t.counterId ?? '' }, { kind: 'system', id: 'no-show-timer' });
        }
      } catch (err) {
        this.log.error({ err, office: office.id }, 'periodic tick failed');
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
