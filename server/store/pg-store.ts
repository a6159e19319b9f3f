// The PostgreSQL store (GILIRAN_DATABASE_URL): the same Store interface as the
// embedded files. A commit is an INSERT into `commits` keyed by (office, day,
// version) and is acknowledged only after PostgreSQL has committed it; writers
// of one office take turns through its lease transaction (OfficeLease), and a
// process that still loses a race for a version gets StaleDayError and reloads
// the day. Configuration and sessions are read into memory (their getters are
// synchronous) and written through; other processes hear of a change by
// LISTEN/NOTIFY and reload it.
import { randomUUID } from 'node:crypto';
// `pg` loads only when a PostgreSQL store is opened: the embedded store's start-up does not pay for it (test/server/service-start.test.ts).
import type pg from 'pg';
import type { OfficeConfig } from '../../protocol/model.ts';
import { attachPastDays } from '../domain/eta-history.ts';
import { applyCommit, emptyDay, type Commit, type DayState } from '../domain/state.ts';
import { parseConfigData } from './config-schema.ts';
import type { OpenStoreOptions } from './lowdb-store.ts';
import { MIGRATIONS } from './pg-migrations.ts';
import type { DayAggregate } from '../domain/report.ts';
import type { Complaint } from '../../protocol/complaints.ts';
import { StaleDayError, SyncConflictError, type AggregateStore, type AuditEntry, type AuditLog, type ComplaintStore, type ConfigData, type ConfigStore, type QueueStore, type SessionRecord, type SessionStore, type Store, type SyncStateRow, type SyncStore, type WriterHold } from './types.ts';

export { StaleDayError };

const CHANNEL = 'giliran_store';
/** Commits made by one process, heard by the others: {"p": process token, "o": office, "d": day, "v": last version}. */
const COMMITS_CHANNEL = 'giliran_commits';
const PROCESS_TOKEN = randomUUID();
/** Advisory-lock key under which migrations run, so processes starting together apply each once. */
const MIGRATION_LOCK = 0x67696c69;
/** First key of an office's write lease (pg_advisory_xact_lock(LEASE_CLASS, hash of the office id)). */
const LEASE_CLASS = 0x67696c6a;
/** A lease transaction admits commands for this long after it got the lock; later ones wait for the next, so another process waiting gets its turn. */
const MAX_JOIN_MS = 20;
/** A command waits this long for its office's lease at most (another process holds it), then is answered "unavailable". */
const LEASE_WAIT_MS = 10_000;
/**
 * A lease transaction left idle this long (its process froze, or the network
 * between it and PostgreSQL went) is ended by PostgreSQL, which frees the lock:
 * nothing of it was committed or acknowledged.
 */
const LEASE_IDLE_MS = 10_000;
/** NOTIFY payloads stay under PostgreSQL's 8,000 bytes: larger commits are read by the other processes instead. */
const MAX_NOTIFY_COMMITS_BYTES = 7_000;

/** A stable 32-bit key of an office id (FNV-1a); two offices sharing one only wait for each other. */
function officeKey(officeId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < officeId.length; i++) h = Math.imul(h ^ officeId.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** The commits NOTIFY of one office day: the commits themselves when they fit, so the other processes need not read them. */
function commitsNotice(officeId: string, officeDay: string, commits: Commit[]): string {
  const last = commits[commits.length - 1]!.version;
  const withCommits = JSON.stringify({ p: PROCESS_TOKEN, o: officeId, d: officeDay, v: last, c: commits });
  return Buffer.byteLength(withCommits) <= MAX_NOTIFY_COMMITS_BYTES ? withCommits : JSON.stringify({ p: PROCESS_TOKEN, o: officeId, d: officeDay, v: last });
}

const ignoreError = (): void => undefined;

interface LeaseItem {
  officeDay: string;
  commit: Commit;
  done: (err?: unknown) => void;
}

/**
 * One transaction of an office's write lease: BEGIN, the transaction-level
 * advisory lock and the catch-up read in one round trip; the commands that
 * entered decide on the day brought up to date; their commits, the NOTIFY and
 * COMMIT in a second round trip. COMMIT frees the lock (after the rows are
 * visible), so the next holder's read sees them.
 */
class LeaseTxn {
  state: 'waiting' | 'open' | 'sealed' | 'done' = 'waiting';
  /** Commands in it that have neither committed nor left. */
  deciding = 0;
  items: LeaseItem[] = [];
  /** Days of the commands that entered before the opening round trip was sent: it reads their new commits. */
  wanted = new Set<string>();
  sent = false;
  /** Per day read: the commits after this process's version of it. */
  read = new Map<string, Commit[]>();
  openedAt = 0;
  client: pg.PoolClient | null = null;
  readonly granted: Promise<void>;
  grant!: (err?: unknown) => void;
  readonly finished: Promise<void>;
  finish!: () => void;
  constructor() {
    this.granted = new Promise<void>((resolve, reject) => (this.grant = (err) => (err ? reject(err) : resolve())));
    this.granted.catch(() => undefined);
    this.finished = new Promise<void>((r) => (this.finish = r));
  }
}

/**
 * One office's write lease in this process (docs/central.md): a transaction
 * holding pg_advisory_xact_lock, one at a time. Commands entering while one is
 * waiting for the lock, or within MAX_JOIN_MS after it got it, share it; the
 * transaction commits once each has committed or left. A process killed while
 * holding loses its connection and PostgreSQL rolls the transaction back and
 * frees the lock with it; nothing of it was acknowledged.
 */
class OfficeLease {
  #joinable: LeaseTxn | null = null;
  #last: Promise<void> = Promise.resolve();
  constructor(
    private readonly pool: pg.Pool,
    private readonly officeId: string,
    private readonly key: number,
    private readonly days: PgQueueStore,
    private readonly idleMs: number,
  ) {}

  async enter(officeDay: string): Promise<WriterHold> {
    let txn = this.#joinable;
    if (!txn || txn.state === 'sealed' || txn.state === 'done' || (txn.state === 'open' && performance.now() - txn.openedAt > MAX_JOIN_MS)) {
      txn = new LeaseTxn();
      this.#joinable = txn;
      const t = txn;
      const before = this.#last;
      this.#last = t.finished;
      void before.then(() => this.#open(t));
    }
    txn.deciding++;
    if (!txn.sent) txn.wanted.add(officeDay);
    const t = txn;
    let gone = false;
    const leave = () => {
      if (gone) return;
      gone = true;
      t.deciding--;
      this.#maybeSeal(t);
    };
    try {
      await t.granted;
    } catch (err) {
      leave();
      throw err;
    }
    return {
      commits: t.read.get(officeDay) ?? null,
      commit: async (office, day, commit) => {
        if (gone || t.state !== 'open') throw new Error(`write lease of ${this.officeId} no longer held`);
        const open = await this.days.cachedDay(office.id, day);
        if (!open) throw new Error(`office day ${office.id}/${day} is not open`);
        const written = new Promise<void>((resolve, reject) => t.items.push({ officeDay: day, commit, done: (err) => (err ? reject(err) : resolve()) }));
        leave();
        return written;
      },
      leave,
    };
  }

  /** BEGIN, the lock and the read of the days wanted so far, in one round trip (a simple query: one message, its statements in order). */
  async #open(t: LeaseTxn): Promise<void> {
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      t.client = client;
      // Checked out, a client's connection error has no listener of the pool's: the session ended under us
      // (the idle timeout, a terminated backend, PostgreSQL restarting). The next query fails; nothing more to do.
      client.on('error', ignoreError);
      const c = client;
      t.sent = true;
      // The days in memory, from the version each has (nothing of ours is in flight: the previous hold has ended).
      const after: string[] = [];
      const days: string[] = [];
      for (const day of t.wanted) {
        const state = await this.days.cachedDay(this.officeId, day);
        if (!state) continue;
        days.push(day);
        after.push(`(office_day = ${c.escapeLiteral(day)} AND version > ${state.version})`);
      }
      // Each statement takes its snapshot when it starts: the read runs after the lock is granted and sees
      // every commit of the previous holder.
      const sql = [
        'BEGIN',
        `SET LOCAL lock_timeout = ${LEASE_WAIT_MS}`,
        `SET LOCAL idle_in_transaction_session_timeout = ${this.idleMs}`,
        `SELECT pg_advisory_xact_lock(${LEASE_CLASS}, ${this.key})`,
        ...(after.length > 0 ? [`SELECT office_day, data FROM commits WHERE office_id = ${c.escapeLiteral(this.officeId)} AND (${after.join(' OR ')}) ORDER BY office_day, version`] : []),
      ].join('; ');
      const results = (await c.query(sql)) as unknown as pg.QueryResult<{ office_day: string; data: Commit }>[];
      const rows = after.length > 0 ? results[results.length - 1]!.rows : [];
      const read = new Map(days.map((d) => [d, [] as Commit[]]));
      for (const r of rows) read.get(r.office_day)?.push(r.data);
      t.read = read;
      t.state = 'open';
      t.openedAt = performance.now();
      t.grant();
      // A command joining within MAX_JOIN_MS holds it open; none left (all failed before deciding): commit nothing.
      this.#maybeSeal(t);
    } catch (err) {
      // Destroyed, not pooled: the listener stays (a late error event of the closing connection).
      client?.release(err as Error);
      t.state = 'done';
      if (this.#joinable === t) this.#joinable = null;
      t.grant(err);
      t.finish();
    }
  }

  #maybeSeal(t: LeaseTxn): void {
    if (t.state !== 'open' || t.deciding > 0) return;
    // Let a command that entered in this same turn (it is still on its way to commit) keep it open.
    queueMicrotask(() => {
      if (t.state !== 'open' || t.deciding > 0) return;
      t.state = 'sealed';
      if (this.#joinable === t) this.#joinable = null;
      void this.#commit(t);
    });
  }

  async #commit(t: LeaseTxn): Promise<void> {
    const client = t.client!;
    const items = t.items.sort((x, y) => (x.officeDay < y.officeDay ? -1 : x.officeDay > y.officeDay ? 1 : x.commit.version - y.commit.version));
    let failed: unknown = null;
    /** PostgreSQL answered with an error (the connection is sound: roll back and reuse it). */
    let refused = false;
    try {
      if (items.length === 0) {
        await client.query('COMMIT');
      } else {
        const id = client.escapeLiteral(this.officeId);
        const values = items.map((it) => `(${id}, ${client.escapeLiteral(it.officeDay)}, ${it.commit.version}, ${client.escapeLiteral(JSON.stringify(it.commit))})`);
        const byDay = new Map<string, Commit[]>();
        for (const it of items) byDay.set(it.officeDay, [...(byDay.get(it.officeDay) ?? []), it.commit]);
        const notices = [...byDay].map(([day, cs]) => `pg_notify('${COMMITS_CHANNEL}', ${client.escapeLiteral(commitsNotice(this.officeId, day, cs))})`);
        // The rows, the notice to the other processes and COMMIT (which frees the lock) in one round trip.
        await client.query(`WITH ins AS (INSERT INTO commits (office_id, office_day, version, data) VALUES ${values.join(', ')} RETURNING 1) SELECT ${notices.join(', ')} FROM (SELECT count(*) FROM ins) c; COMMIT`);
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      refused = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
      failed = code === '23505' ? new StaleDayError(this.officeId, items[0]!.officeDay, items[0]!.commit.version) : err;
    }
    const healthy = (): void => {
      client.removeListener('error', ignoreError);
      client.release();
    };
    if (failed) {
      // Memory ran ahead of the database: those days are read again on their next openDay.
      for (const day of new Set(items.map((it) => it.officeDay))) this.days.forget(this.officeId, day);
      // A dropped or timed-out connection is destroyed: PostgreSQL rolls its transaction back and frees the lock.
      if (!refused) client.release(failed as Error);
      else {
        try {
          await client.query('ROLLBACK');
          healthy();
        } catch (err) {
          client.release(err as Error);
        }
      }
    } else {
      healthy();
    }
    t.state = 'done';
    t.finish();
    for (const it of items) it.done(failed ?? undefined);
  }

  async close(): Promise<void> {
    await this.#last;
  }
}

export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return applied;
}

interface OpenDay {
  officeDay: string;
  state: DayState;
}

/** Office days kept in memory per office (today and the future days being booked); the least recently opened beyond it are dropped. */
const OPEN_DAYS_PER_OFFICE = 64;

const dayKey = (officeId: string, officeDay: string) => `${officeId}/${officeDay}`;

class PgQueueStore implements QueueStore {
  /** Per office and day, in the order last opened. */
  #days = new Map<string, Promise<OpenDay>>();
  #leases = new Map<string, OfficeLease>();
  constructor(
    private readonly pool: pg.Pool,
    /** Connections of the write-lease transactions (one per office being written at the moment), apart from the pool reads use. */
    private readonly leasePool: pg.Pool,
    writerLease: boolean,
    private readonly leaseIdleMs = LEASE_IDLE_MS,
  ) {
    if (writerLease) this.enterWriter = (officeId, officeDay) => this.#enter(officeId, officeDay);
  }

  /** Absent when the store was opened with `writerLease: false` (optimistic writers: the version key and retry only). */
  enterWriter?: (officeId: string, officeDay: string) => Promise<WriterHold>;
  #enter(officeId: string, officeDay: string): Promise<WriterHold> {
    let lease = this.#leases.get(officeId);
    if (!lease) this.#leases.set(officeId, (lease = new OfficeLease(this.leasePool, officeId, officeKey(officeId), this, this.leaseIdleMs)));
    return lease.enter(officeDay);
  }

  /** The day's state when it is in memory (loaded, not dropped), else null. */
  async cachedDay(officeId: string, officeDay: string): Promise<DayState | null> {
    const cached = this.#days.get(dayKey(officeId, officeDay));
    const open = cached ? await cached.catch(() => null) : null;
    return open && open.officeDay === officeDay ? open.state : null;
  }

  async closeLeases(): Promise<void> {
    for (const l of this.#leases.values()) await l.close();
  }

  async openDay(office: OfficeConfig, officeDay: string): Promise<DayState> {
    const key = dayKey(office.id, officeDay);
    const cached = this.#days.get(key);
    if (cached) {
      const open = await cached.catch(() => null);
      if (open) {
        if (this.#days.get(key) === cached) {
          this.#days.delete(key);
          this.#days.set(key, cached);
        }
        return open.state;
      }
      if (this.#days.get(key) === cached) this.#days.delete(key);
    }
    let loading = this.#days.get(key);
    if (!loading) {
      loading = this.#load(office, officeDay);
      this.#days.set(key, loading);
      loading.catch(() => this.#days.delete(key));
      const prefix = `${office.id}/`;
      const mine = [...this.#days.keys()].filter((k) => k.startsWith(prefix));
      for (const k of mine.slice(0, Math.max(0, mine.length - OPEN_DAYS_PER_OFFICE))) this.#days.delete(k);
    }
    return (await loading).state;
  }

  async #load(office: OfficeConfig, officeDay: string): Promise<OpenDay> {
    const state = emptyDay(office.id, officeDay);
    for (const commit of await this.readCommits(office.id, officeDay)) {
      if (commit.version !== state.version + 1) throw new Error(`commits of ${office.id}/${officeDay}: version ${commit.version} follows ${state.version}`);
      applyCommit(state, office, commit);
    }
    // Today's day: the wait estimate learns the shape of the day from the last working days (docs/eta.md).
    await attachPastDays(state, office, (d) => this.readCommits(office.id, d));
    return { officeDay, state };
  }

  /** Drops the cached days of an office so the next openDay reads what other processes committed. */
  forget(officeId: string, officeDay?: string): void {
    if (officeDay !== undefined) {
      this.#days.delete(dayKey(officeId, officeDay));
      return;
    }
    for (const k of [...this.#days.keys()]) if (k.startsWith(`${officeId}/`)) this.#days.delete(k);
  }

  async evict(officeId: string): Promise<void> {
    this.forget(officeId);
  }

  /**
   * Commits wait in a per-office batch while one INSERT is in flight, then go
   * in one multi-row INSERT (one transaction, one fsync): the group commit of
   * the journal. A failed batch fails every commit queued behind it too, so
   * the table never has a gap that a later version jumps over.
   */
  #batches = new Map<string, { officeDay: string; items: { commit: Commit; done: (err?: unknown) => void }[]; flushing: boolean; failed: unknown }>();

  async commit(office: OfficeConfig, officeDay: string, commit: Commit): Promise<void> {
    const key = dayKey(office.id, officeDay);
    const cached = this.#days.get(key);
    const open = cached ? await cached.catch(() => null) : null;
    if (!open || open.officeDay !== officeDay) throw new Error(`office day ${office.id}/${officeDay} is not open`);
    let batch = this.#batches.get(key);
    if (!batch || batch.failed) {
      batch = { officeDay, items: [], flushing: false, failed: null };
      this.#batches.set(key, batch);
    }
    const b = batch;
    const written = new Promise<void>((resolve, reject) => b.items.push({ commit, done: (err) => (err ? reject(err) : resolve()) }));
    if (!b.flushing) void this.#flush(office.id, b, cached);
    return written;
  }

  async #flush(officeId: string, b: { officeDay: string; items: { commit: Commit; done: (err?: unknown) => void }[]; flushing: boolean; failed: unknown }, cached: Promise<OpenDay> | undefined): Promise<void> {
    b.flushing = true;
    while (b.items.length > 0) {
      const items = b.items.splice(0);
      const params: unknown[] = [];
      const rows = items.map((it, i) => {
        params.push(officeId, b.officeDay, it.commit.version, JSON.stringify(it.commit));
        return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
      });
      try {
        params.push(COMMITS_CHANNEL, commitsNotice(officeId, b.officeDay, items.map((it) => it.commit)));
        // One statement: the rows and the notice to the other processes commit together.
        await this.pool.query(`WITH ins AS (INSERT INTO commits (office_id, office_day, version, data) VALUES ${rows.join(', ')} RETURNING 1) SELECT pg_notify($${params.length - 1}, $${params.length}) FROM (SELECT count(*) FROM ins) c`, params);
        for (const it of items) it.done();
      } catch (err) {
        // Memory ran ahead of the database (or another process won a version): reload next time.
        const first = items[0]!.commit.version;
        const error = (err as { code?: string }).code === '23505' ? new StaleDayError(officeId, b.officeDay, first) : err;
        b.failed = error;
        const key = dayKey(officeId, b.officeDay);
        if (this.#days.get(key) === cached) this.#days.delete(key);
        if (this.#batches.get(key) === b) this.#batches.delete(key);
        for (const it of [...items, ...b.items.splice(0)]) it.done(error);
      }
    }
    b.flushing = false;
  }

  async readCommits(officeId: string, officeDay: string, afterVersion = 0): Promise<Commit[]> {
    const r = await this.pool.query<{ data: Commit }>('SELECT data FROM commits WHERE office_id = $1 AND office_day = $2 AND version > $3 ORDER BY version', [officeId, officeDay, afterVersion]);
    return r.rows.map((row) => row.data);
  }

  #external = new Set<(officeId: string, officeDay: string, version: number, commits?: Commit[]) => void>();
  onExternalCommit(listener: (officeId: string, officeDay: string, version: number, commits?: Commit[]) => void): void {
    this.#external.add(listener);
  }
  /**
   * A NOTIFY from the commits channel: another process's commits (this
   * process's own are skipped by its token), with the commits themselves when
   * they fitted in the payload (a store's own rows, written by a process of this
   * deployment: no need to read them back).
   */
  heard(payload: string): void {
    let msg: { p?: unknown; o?: unknown; d?: unknown; v?: unknown; c?: unknown };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    if (msg.p === PROCESS_TOKEN || typeof msg.o !== 'string' || typeof msg.d !== 'string' || typeof msg.v !== 'number') return;
    const commits = Array.isArray(msg.c) ? (msg.c as Commit[]) : undefined;
    for (const l of this.#external) l(msg.o, msg.d, msg.v, commits);
  }
}

/** The report_aggregates table (migration 50); a commit to a day drops its row (trigger), so synced days are computed again. */
class PgAggregateStore implements AggregateStore {
  constructor(private readonly pool: pg.Pool) {}
  async get(officeId: string, officeDay: string): Promise<DayAggregate | null> {
    const r = await this.pool.query<{ data: DayAggregate }>('SELECT data FROM report_aggregates WHERE office_id = $1 AND office_day = $2', [officeId, officeDay]);
    return r.rows[0]?.data ?? null;
  }
  async range(officeId: string, from: string, to: string): Promise<DayAggregate[]> {
    const r = await this.pool.query<{ data: DayAggregate }>('SELECT data FROM report_aggregates WHERE office_id = $1 AND office_day BETWEEN $2 AND $3', [officeId, from, to]);
    return r.rows.map((row) => row.data);
  }
  async put(a: DayAggregate): Promise<void> {
    await this.pool.query(
      `INSERT INTO report_aggregates (office_id, office_day, format, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (office_id, office_day) DO UPDATE SET format = EXCLUDED.format, data = EXCLUDED.data, computed_at = now()`,
      [a.officeId, a.officeDay, a.format, JSON.stringify(a)],
    );
  }
  async drop(officeId: string, officeDay: string): Promise<void> {
    await this.pool.query('DELETE FROM report_aggregates WHERE office_id = $1 AND office_day = $2', [officeId, officeDay]);
  }
}

class PgConfigStore implements ConfigStore {
  constructor(
    private readonly pool: pg.Pool,
    private data: ConfigData,
  ) {}
  get(): ConfigData {
    return this.data;
  }
  async update(change: (draft: ConfigData) => void): Promise<void> {
    const draft = structuredClone(this.data);
    change(draft);
    const valid = parseConfigData(draft, 'configuration update');
    await this.pool.query('UPDATE config SET data = $1, updated_at = now() WHERE id = 1', [JSON.stringify(valid)]);
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, 'config']);
    this.data = valid;
  }
  async reload(): Promise<void> {
    const r = await this.pool.query<{ data: unknown }>('SELECT data FROM config WHERE id = 1');
    if (r.rows[0]) this.data = parseConfigData(r.rows[0].data, 'PostgreSQL config');
  }
}

class PgSessionStore implements SessionStore {
  #byHash = new Map<string, SessionRecord>();
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
  ) {}
  async load(): Promise<void> {
    const r = await this.pool.query<{ data: SessionRecord }>('SELECT data FROM sessions WHERE expires_at > $1', [this.now()]);
    this.#byHash = new Map(r.rows.map((row) => [row.data.idHash, row.data]));
  }
  get(idHash: string): SessionRecord | undefined {
    return this.#byHash.get(idHash);
  }
  async put(session: SessionRecord): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE expires_at <= $1', [this.now()]);
    await this.pool.query(
      'INSERT INTO sessions (id_hash, user_id, expires_at, data) VALUES ($1, $2, $3, $4) ON CONFLICT (id_hash) DO UPDATE SET user_id = EXCLUDED.user_id, expires_at = EXCLUDED.expires_at, data = EXCLUDED.data',
      [session.idHash, session.userId, session.expiresAt, JSON.stringify(session)],
    );
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, 'sessions']);
    this.#byHash.set(session.idHash, session);
  }
  async delete(idHash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, 'sessions']);
    this.#byHash.delete(idHash);
  }
  async deleteForUser(userId: string, keep?: string): Promise<string[]> {
    const r = await this.pool.query<{ id_hash: string }>('DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2 RETURNING id_hash', [userId, keep ?? '']);
    const ended = r.rows.map((row) => row.id_hash);
    if (ended.length === 0) return [];
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, 'sessions']);
    for (const h of ended) this.#byHash.delete(h);
    return ended;
  }
}

class PgComplaintStore implements ComplaintStore {
  constructor(private readonly pool: pg.Pool) {}
  async create(c: Complaint): Promise<void> {
    await this.pool.query('INSERT INTO complaints (office_id, id, code, created_at, data) VALUES ($1, $2, $3, $4, $5)', [c.officeId, c.id, c.code, c.createdAt, JSON.stringify(c)]);
  }
  async get(officeId: string, id: string): Promise<Complaint | undefined> {
    return (await this.pool.query<{ data: Complaint }>('SELECT data FROM complaints WHERE office_id = $1 AND id = $2', [officeId, id])).rows[0]?.data;
  }
  async byCode(officeId: string, code: string): Promise<Complaint | undefined> {
    return (await this.pool.query<{ data: Complaint }>('SELECT data FROM complaints WHERE office_id = $1 AND code = $2', [officeId, code])).rows[0]?.data;
  }
  async list(officeId: string): Promise<Complaint[]> {
    return (await this.pool.query<{ data: Complaint }>('SELECT data FROM complaints WHERE office_id = $1 ORDER BY created_at DESC, id DESC', [officeId])).rows.map((r) => r.data);
  }
  /** The row locked while `change` decides, so two processes' changes run one after the other. */
  async update(officeId: string, id: string, change: (c: Complaint) => Complaint | null): Promise<Complaint | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const row = (await client.query<{ data: Complaint }>('SELECT data FROM complaints WHERE office_id = $1 AND id = $2 FOR UPDATE', [officeId, id])).rows[0];
      if (!row) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const changed = change(row.data);
      if (!changed) {
        await client.query('ROLLBACK');
        return row.data;
      }
      await client.query('UPDATE complaints SET data = $3 WHERE office_id = $1 AND id = $2', [officeId, id, JSON.stringify(changed)]);
      await client.query('COMMIT');
      return changed;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

class PgAuditLog implements AuditLog {
  constructor(private readonly pool: pg.Pool) {}
  async append(entry: AuditEntry): Promise<void> {
    await this.pool.query('INSERT INTO audit (day, office_id, data) VALUES ($1, $2, $3)', [entry.at.slice(0, 10), entry.officeId ?? null, JSON.stringify(entry)]);
  }
  async read(day: string): Promise<AuditEntry[]> {
    const r = await this.pool.query<{ data: AuditEntry }>('SELECT data FROM audit WHERE day = $1 ORDER BY id', [day]);
    return r.rows.map((row) => row.data);
  }
}

/**
 * Office boxes' journals (server/sync): a box's commits go into `commits` like
 * the central's own, one transaction per batch under an advisory lock of the
 * office day (two retries of one batch never interleave), with the NOTIFY
 * that tells every process (this one too: the token is not a process's) to
 * catch its copy of the day up.
 */
class PgSyncStore implements SyncStore {
  constructor(private readonly pool: pg.Pool) {}

  async heldVersion(officeId: string, officeDay: string): Promise<number> {
    const r = await this.pool.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM commits WHERE office_id = $1 AND office_day = $2', [officeId, officeDay]);
    return r.rows[0]?.v ?? 0;
  }

  async importCommits(deviceId: string, officeId: string, officeDay: string, after: number, commits: Commit[], boxVersion: number | null): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sync:${officeId}/${officeDay}`]);
      // Commits are only ever added in order with no gap (here and in PgQueueStore), so max = the contiguous end.
      let held = (await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM commits WHERE office_id = $1 AND office_day = $2', [officeId, officeDay])).rows[0]?.v ?? 0;
      const last = after + commits.length;
      if (after <= held && last > 0) {
        const rows = JSON.stringify(commits.map((c) => ({ version: c.version, data: c })));
        // Rows already held are compared with the shipped ones (the outer SELECT sees the table as it was before the INSERT),
        // only those of this batch's versions (after, held]: bounded in the index condition, or the planner walks the
        // whole day for every batch and compares each of its rows with each shipped one (a day's shipping went quadratic).
        const r = await client.query<{ version: number }>(
          `WITH input AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(version integer, data jsonb)),
                ins AS (INSERT INTO commits (office_id, office_day, version, data) SELECT $1, $2, version, data FROM input ORDER BY version ON CONFLICT DO NOTHING RETURNING version)
           SELECT i.version FROM commits c JOIN input i ON i.version = c.version
           WHERE c.office_id = $1 AND c.office_day = $2 AND c.version > $4 AND c.version <= $5 AND c.data <> i.data ORDER BY i.version LIMIT 1`,
          [officeId, officeDay, rows, after, Math.min(held, last)],
        );
        const differs = r.rows[0];
        if (differs) {
          await client.query('ROLLBACK');
          throw new SyncConflictError(officeId, officeDay, differs.version);
        }
        if (last > held) {
          held = last;
          await client.query('SELECT pg_notify($1, $2)', [COMMITS_CHANNEL, JSON.stringify({ p: 'sync', o: officeId, d: officeDay, v: held })]);
        }
      }
      await client.query(
        `INSERT INTO sync_state (device_id, office_id, office_day, version, box_version, contact_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (device_id, office_id, office_day) DO UPDATE SET version = EXCLUDED.version, box_version = EXCLUDED.box_version, contact_at = now()`,
        [deviceId, officeId, officeDay, held, boxVersion],
      );
      await client.query('COMMIT');
      return held;
    } catch (err) {
      if (!(err instanceof SyncConflictError)) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async importAudit(deviceId: string, officeId: string, day: string, upTo: number, entries: Array<{ seq: number; entry: AuditEntry }>): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (entries.length > 0) {
        await client.query(
          `WITH input AS (SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(seq integer, entry jsonb)),
                fresh AS (INSERT INTO sync_audit (device_id, office_id, day, seq) SELECT $1, $2, $3, seq FROM input ON CONFLICT DO NOTHING RETURNING seq)
           INSERT INTO audit (day, office_id, data) SELECT left(i.entry->>'at', 10), $2, i.entry FROM input i JOIN fresh f ON f.seq = i.seq ORDER BY i.seq`,
          [deviceId, officeId, day, JSON.stringify(entries.map((e) => ({ seq: e.seq, entry: { ...e.entry, officeId } })))],
        );
      }
      const r = await client.query<{ up_to: number }>(
        `INSERT INTO sync_audit_marks (device_id, office_id, day, up_to) VALUES ($1, $2, $3, $4)
         ON CONFLICT (device_id, office_id, day) DO UPDATE SET up_to = greatest(sync_audit_marks.up_to, EXCLUDED.up_to) RETURNING up_to`,
        [deviceId, officeId, day, upTo],
      );
      await client.query('COMMIT');
      return r.rows[0]?.up_to ?? upTo;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async syncState(officeId: string): Promise<SyncStateRow[]> {
    const r = await this.pool.query<{ device_id: string; office_day: string; version: number; box_version: number | null; contact_at: Date }>(
      'SELECT DISTINCT ON (device_id) device_id, office_day, version, box_version, contact_at FROM sync_state WHERE office_id = $1 ORDER BY device_id, office_day DESC',
      [officeId],
    );
    return r.rows.map((row) => ({ deviceId: row.device_id, officeId, officeDay: row.office_day, version: row.version, boxVersion: row.box_version, contactAt: row.contact_at.toISOString() }));
  }
}

export interface PgStoreOptions extends Omit<OpenStoreOptions, 'dataDir'> {
  databaseUrl: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Connections that may hold office write leases at once (default 32). */
  leasePoolSize?: number;
  /** One writer per office through an advisory-lock lease (default true); false leaves racing to the version key. */
  writerLease?: boolean;
  /** How long PostgreSQL lets a lease transaction sit idle before it ends it and frees the lock (default 10 s; tests shorten it). */
  leaseIdleMs?: number;
  /** The server's clock (createGiliran's `now`): which sessions have expired is its call, as the auth service's, not the database's clock. */
  now?: () => Date;
}

export interface PgStore extends Store {
  queue: PgQueueStore;
  sync: PgSyncStore;
  pool: pg.Pool;
}

export async function openPgStore(opts: PgStoreOptions): Promise<{ store: PgStore; seeded: boolean }> {
  const { default: pgModule } = await import('pg');
  const pool = new pgModule.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
  pool.on('error', () => undefined); // an idle client's connection dropped: the pool replaces it
  // One connection per office whose lease this process holds at the moment (usually a handful).
  // A lease query waits for the lock at most LEASE_WAIT_MS (lock_timeout, on the server); one that has not answered
  // well after that is on a dead connection (keep-alive finds those too), and its commands answer "unavailable".
  const leasePool = new pgModule.Pool({ connectionString: opts.databaseUrl, max: opts.leasePoolSize ?? 32, keepAlive: true, keepAliveInitialDelayMillis: 10_000, query_timeout: LEASE_WAIT_MS + 5_000 });
  leasePool.on('error', () => undefined);
  try {
    await migrate(pool);
    // Seed once, even with several processes starting together (the row's key decides).
    let seeded = false;
    let row = (await pool.query<{ data: unknown }>('SELECT data FROM config WHERE id = 1')).rows[0];
    if (!row) {
      const seed = parseConfigData(await opts.seed(), 'demo seed');
      const ins = await pool.query('INSERT INTO config (id, data) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [JSON.stringify(seed)]);
      seeded = ins.rowCount === 1;
      row = (await pool.query<{ data: unknown }>('SELECT data FROM config WHERE id = 1')).rows[0];
    }
    const config = new PgConfigStore(pool, parseConfigData(row!.data, 'PostgreSQL config'));
    const sessions = new PgSessionStore(pool, opts.now ?? (() => new Date()));
    await sessions.load();
    const listener = await pool.connect();
    const queue = new PgQueueStore(pool, leasePool, opts.writerLease ?? true, opts.leaseIdleMs);
    listener.on('notification', (n) => {
      if (n.channel === COMMITS_CHANNEL) return queue.heard(n.payload ?? '');
      if (n.channel !== CHANNEL) return;
      if (n.payload === 'config') void config.reload().catch(() => undefined);
      else if (n.payload === 'sessions') void sessions.load().catch(() => undefined);
    });
    await listener.query(`LISTEN ${CHANNEL}`);
    await listener.query(`LISTEN ${COMMITS_CHANNEL}`);
    const store: PgStore = {
      queue,
      aggregates: new PgAggregateStore(pool),
      config,
      sessions,
      audit: new PgAuditLog(pool),
      complaints: new PgComplaintStore(pool),
      sync: new PgSyncStore(pool),
      pool,
      async close() {
        listener.release();
        await queue.closeLeases();
        await leasePool.end();
        await pool.end();
      },
    };
    return { store, seeded };
  } catch (err) {
    await pool.end().catch(() => undefined);
    await leasePool.end().catch(() => undefined);
    throw err;
  }
}
