// The notification outbox on PostgreSQL (GILIRAN_DATABASE_URL), behind the same
// OutboxBackend interface as the files of outbox-store.ts, shared by every
// process of a central deployment (migration 60 in server/store/pg-migrations.ts):
//   notify_subs             (office, day, ticket) → threshold
//   notify_messages         (office, day, id) → ticket, kind, channel, facts, state, attempts, due_at
//   notify_contacts         (office, day, ticket) → the day's contact data (numbers, push, chat)
//   notify_booking_contacts (office, day, code) → a booking's number until its day is over
// Each process keeps the open office day in memory (the track view and the triggers read it
// synchronously) and refreshes it from NOTIFY giliran_notify (the ticket another process
// changed) and on every tick (the whole day).
//
// Sending: a message is claimed for one attempt with SELECT … FOR UPDATE SKIP LOCKED in a
// transaction held on its own connection while the provider is asked, and settled (sent, failed,
// or attempts + back-off) in that transaction. A second process skips a locked row and a settled
// one no longer matches `state = 'pending'`, so two live processes never send one message; a
// process killed while sending loses its connection, PostgreSQL ends the transaction, and the row
// is pending again at once for the restarted process or another one (same id: at least once,
// deduped by the provider, as with the files). docs/notify.md "PostgreSQL" says why not a lease.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import { CHANNELS, contactSchema, KINDS, type BookingContactsStore, type Contact, type MessageState, type OutboxBackend, type OutboxClaim, type OutboxDayStore, type OutboxMessage, type OutboxRecord, type Subscription } from './outbox-store.ts';

export const NOTIFY_CHANNEL = 'giliran_notify';

/** A map of contacts that remembers what was set or deleted since the last save (a save writes only those). */
class TrackedContacts extends Map<string, Contact> {
  readonly dirty = new Map<string, Contact | null>();
  override set(key: string, value: Contact): this {
    this.dirty?.set(key, value);
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    if (!super.has(key)) return false;
    this.dirty.set(key, null);
    return super.delete(key);
  }
  override clear(): void {
    for (const k of super.keys()) this.dirty.set(k, null);
    super.clear();
  }
  /** What the database holds (not a change to save); an entry changed here and not yet saved wins. */
  load(key: string, value: Contact | null): void {
    if (this.dirty.has(key)) return;
    if (value) super.set(key, value);
    else super.delete(key);
  }
}

function contactOf(data: unknown): Contact | null {
  const r = contactSchema.safeParse(data);
  return r.success ? (r.data as Contact) : null;
}

const RANK: Record<MessageState, number> = { pending: 0, sent: 1, delivered: 2, failed: 2 };

interface MessageRow {
  id: string;
  ticket: string;
  kind: string;
  channel: string;
  facts: { ahead?: number; counter?: string; booking?: OutboxMessage['booking']; complaint?: OutboxMessage['complaint'] };
  state: MessageState;
  created_at: Date;
  at: Date;
  provider_id: string | null;
  reason: string | null;
}

const MESSAGE_COLUMNS = 'id, ticket, kind, channel, facts, state, created_at, at, provider_id, reason';

function messageOf(r: MessageRow): OutboxMessage | null {
  if (!KINDS.has(r.kind) || !CHANNELS.has(r.channel)) return null;
  const f = r.facts ?? {};
  return {
    id: r.id,
    ticket: r.ticket,
    kind: r.kind as OutboxMessage['kind'],
    channel: r.channel as OutboxMessage['channel'],
    createdAt: r.created_at.toISOString(),
    ...(f.ahead !== undefined ? { ahead: f.ahead } : {}),
    ...(f.counter !== undefined ? { counter: f.counter } : {}),
    ...(f.booking ? { booking: f.booking } : {}),
    ...(f.complaint ? { complaint: f.complaint } : {}),
    state: r.state,
    at: r.at.toISOString(),
    ...(r.provider_id ? { providerId: r.provider_id } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

export interface PgOutboxOptions {
  /**
   * The store's pool (server/store/pg-store.ts PgStore.pool): the outbox's reads, writes, NOTIFYs and its
   * LISTEN connection. The store owns it: close() leaves it open, the store's close ends it (after the outbox's).
   */
  pool: pg.Pool;
  /** For the claim connections, the outbox's own (their session setting, and each held while a provider answers). */
  databaseUrl: string;
  log: Logger;
  /** A claim's transaction may sit idle (the provider being asked) at most this long; then PostgreSQL ends it and the row is free. */
  claimIdleMs: number;
  /** Claims held at once by this process (the notify service sends at most 8 at once). */
  claimConnections?: number;
}

export class PgOutbox implements OutboxBackend {
  readonly shared = true;
  /** This process's boot: its own NOTIFYs are not read back. */
  readonly tag = randomBytes(6).toString('hex');
  readonly #days = new Map<string, PgOutboxDay>();
  #listener: pg.PoolClient | null = null;
  #listening: Promise<void> | null = null;
  #closed = false;

  private constructor(
    readonly pool: pg.Pool,
    readonly claimPool: pg.Pool,
    readonly log: Logger,
  ) {}

  static async open(opts: PgOutboxOptions): Promise<PgOutbox> {
    const { default: pgModule } = await import('pg');
    const pool = opts.pool;
    // Apart from the store's: a claim holds its connection while the provider answers (up to 8 at once), which
    // must not starve the store's queries, and idle_in_transaction_session_timeout is set on these sessions only.
    const claimPool = new pgModule.Pool({ connectionString: opts.databaseUrl, max: opts.claimConnections ?? 10, idle_in_transaction_session_timeout: opts.claimIdleMs });
    claimPool.on('error', () => undefined);
    const outbox = new PgOutbox(pool, claimPool, opts.log);
    try {
      await outbox.listen();
    } catch (err) {
      await outbox.close();
      throw err;
    }
    return outbox;
  }

  /** LISTEN giliran_notify (again, after a lost connection: each tick's refresh calls it). */
  listen(): Promise<void> {
    if (this.#listener || this.#closed) return Promise.resolve();
    this.#listening ??= (async () => {
      const client = await this.pool.connect();
      client.on('notification', (n) => {
        if (n.channel === NOTIFY_CHANNEL) this.#heard(n.payload ?? '');
      });
      client.on('error', () => {
        if (this.#listener === client) this.#listener = null;
        client.release(true);
      });
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.#listener = client;
    })().finally(() => (this.#listening = null));
    return this.#listening;
  }

  #heard(payload: string): void {
    let p: { p?: string; o?: string; d?: string; t?: string };
    try {
      p = JSON.parse(payload) as typeof p;
    } catch {
      return;
    }
    if (p.p === this.tag || typeof p.o !== 'string' || typeof p.d !== 'string') return;
    const day = this.#days.get(`${p.o}/${p.d}`);
    if (day) void day.reload(typeof p.t === 'string' && p.t ? p.t : undefined).catch((err: unknown) => this.log.warn({ err, office: p.o }, 'notify: outbox refresh failed'));
  }

  /** Tells the other processes that a ticket's rows (or, without one, the day's) changed. */
  async notify(officeId: string, officeDay: string, ticket?: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, JSON.stringify({ p: this.tag, o: officeId, d: officeDay, ...(ticket ? { t: ticket } : {}) })]);
  }

  async openDay(officeId: string, officeDay: string): Promise<OutboxDayStore> {
    const day = new PgOutboxDay(this, officeId, officeDay);
    await day.reload();
    this.#days.set(`${officeId}/${officeDay}`, day);
    return day;
  }

  forget(day: PgOutboxDay): void {
    const key = `${day.officeId}/${day.officeDay}`;
    if (this.#days.get(key) === day) this.#days.delete(key);
  }

  async daysWithContacts(officeId: string): Promise<string[]> {
    const r = await this.pool.query<{ office_day: string }>('SELECT DISTINCT office_day FROM notify_contacts WHERE office_id = $1', [officeId]);
    return r.rows.map((x) => x.office_day);
  }

  async eraseContacts(officeId: string, officeDay: string): Promise<void> {
    await this.pool.query('DELETE FROM notify_contacts WHERE office_id = $1 AND office_day = $2', [officeId, officeDay]);
  }

  async openBookingContacts(officeId: string, officeDay: string): Promise<BookingContactsStore> {
    const c = new PgBookingContacts(this.pool, officeId, officeDay);
    const r = await this.pool.query<{ code: string; data: unknown }>('SELECT code, data FROM notify_booking_contacts WHERE office_id = $1 AND office_day = $2', [officeId, officeDay]);
    for (const row of r.rows) c.contacts.load(row.code, contactOf(row.data));
    return c;
  }

  async daysWithBookingContacts(officeId: string): Promise<string[]> {
    const r = await this.pool.query<{ office_day: string }>('SELECT DISTINCT office_day FROM notify_booking_contacts WHERE office_id = $1', [officeId]);
    return r.rows.map((x) => x.office_day);
  }

  async eraseBookingContacts(officeId: string, officeDay: string): Promise<void> {
    await this.pool.query('DELETE FROM notify_booking_contacts WHERE office_id = $1 AND office_day = $2', [officeId, officeDay]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listening?.catch(() => undefined);
    // Destroyed rather than given back: a pooled connection still LISTENing would hear for nobody. The pool is the
    // store's: not ended here.
    this.#listener?.release(true);
    this.#listener = null;
    await this.claimPool.end().catch(() => undefined);
  }
}

class PgBookingContacts implements BookingContactsStore {
  readonly contacts = new TrackedContacts();
  #chain: Promise<void> = Promise.resolve();
  constructor(
    private readonly pool: pg.Pool,
    readonly officeId: string,
    readonly officeDay: string,
  ) {}

  save(): Promise<void> {
    const next = this.#chain.then(async () => {
      const changes = [...this.contacts.dirty];
      this.contacts.dirty.clear();
      for (const [code, c] of changes) {
        if (c) await this.pool.query('INSERT INTO notify_booking_contacts (office_id, office_day, code, data) VALUES ($1, $2, $3, $4) ON CONFLICT (office_id, office_day, code) DO UPDATE SET data = EXCLUDED.data', [this.officeId, this.officeDay, code, JSON.stringify(c)]);
        else await this.pool.query('DELETE FROM notify_booking_contacts WHERE office_id = $1 AND office_day = $2 AND code = $3', [this.officeId, this.officeDay, code]);
      }
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }
}

class PgOutboxDay implements OutboxDayStore {
  readonly subs = new Map<string, Subscription>();
  readonly messages = new Map<string, OutboxMessage>();
  readonly contacts = new TrackedContacts();
  onChange: ((ticketId: string) => void) | null = null;
  /** Writes of subscriptions and contacts, and refreshes, in order (claims are not on it). */
  #chain: Promise<void> = Promise.resolve();
  #reloadQueued = new Set<string>();
  #closed = false;

  constructor(
    private readonly backend: PgOutbox,
    readonly officeId: string,
    readonly officeDay: string,
  ) {}

  get #pool(): pg.Pool {
    return this.backend.pool;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn);
    this.#chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  #changed(ticket: string): void {
    try {
      this.onChange?.(ticket);
    } catch {
      // a listener's failure is not the outbox's
    }
  }

  /** A message as read from the database: states only move forward here (a claim may have settled it meanwhile). */
  #keep(m: OutboxMessage): void {
    const local = this.messages.get(m.id);
    if (local && RANK[local.state] > RANK[m.state]) return;
    this.messages.set(m.id, m);
  }

  /** Reads the day (or one ticket's rows) again: what other processes wrote. */
  reload(ticket?: string): Promise<void> {
    const key = ticket ?? '';
    if (this.#reloadQueued.has(key)) return Promise.resolve();
    this.#reloadQueued.add(key);
    return this.#serial(async () => {
      this.#reloadQueued.delete(key);
      if (this.#closed) return;
      const args: unknown[] = [this.officeId, this.officeDay, ...(ticket ? [ticket] : [])];
      const only = ticket ? ' AND ticket = $3' : '';
      const [subs, msgs, contacts] = await Promise.all([
        this.#pool.query<{ ticket: string; threshold: number; since: Date }>(`SELECT ticket, threshold, since FROM notify_subs WHERE office_id = $1 AND office_day = $2${only}`, args),
        this.#pool.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM notify_messages WHERE office_id = $1 AND office_day = $2${only}`, args),
        this.#pool.query<{ ticket: string; data: unknown }>(`SELECT ticket, data FROM notify_contacts WHERE office_id = $1 AND office_day = $2${only}`, args),
      ]);
      const held = new Set<string>();
      if (ticket) this.subs.delete(ticket);
      else this.subs.clear();
      for (const r of subs.rows) this.subs.set(r.ticket, { threshold: r.threshold, since: r.since.toISOString() });
      for (const r of contacts.rows) {
        held.add(r.ticket);
        this.contacts.load(r.ticket, contactOf(r.data));
      }
      for (const k of [...this.contacts.keys()]) if ((!ticket || k === ticket) && !held.has(k)) this.contacts.load(k, null);
      for (const r of msgs.rows) {
        const m = messageOf(r);
        if (m) this.#keep(m);
      }
      if (ticket) this.#changed(ticket);
    });
  }

  refresh(): Promise<void> {
    void this.backend.listen().catch((err: unknown) => this.backend.log.warn({ err }, 'notify: LISTEN giliran_notify failed'));
    return this.reload();
  }

  async #readMessage(id: string): Promise<void> {
    const r = await this.#pool.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM notify_messages WHERE office_id = $1 AND office_day = $2 AND id = $3`, [this.officeId, this.officeDay, id]);
    const m = r.rows[0] ? messageOf(r.rows[0]) : null;
    if (m) this.#keep(m);
  }

  append(r: OutboxRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`outbox ${this.officeId}/${this.officeDay} is closed`));
    return this.#serial(async () => {
      const o = this.officeId;
      const d = this.officeDay;
      let ticket: string | undefined;
      switch (r.t) {
        case 'sub': {
          const res = await this.#pool.query<{ threshold: number; since: Date }>(
            'INSERT INTO notify_subs (office_id, office_day, ticket, threshold, since) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (office_id, office_day, ticket) DO UPDATE SET threshold = EXCLUDED.threshold RETURNING threshold, since',
            [o, d, r.ticket, r.threshold, r.at],
          );
          const row = res.rows[0]!;
          this.subs.set(r.ticket, { threshold: row.threshold, since: row.since.toISOString() });
          ticket = r.ticket;
          break;
        }
        case 'unsub':
          await this.#pool.query('DELETE FROM notify_subs WHERE office_id = $1 AND office_day = $2 AND ticket = $3', [o, d, r.ticket]);
          this.subs.delete(r.ticket);
          ticket = r.ticket;
          break;
        case 'msg': {
          if (!KINDS.has(r.kind) || !CHANNELS.has(r.channel)) return;
          const facts = { ...(r.ahead !== undefined ? { ahead: r.ahead } : {}), ...(r.counter !== undefined ? { counter: r.counter } : {}), ...(r.booking ? { booking: r.booking } : {}), ...(r.complaint ? { complaint: r.complaint } : {}) };
          // The id is fixed per (ticket, kind, channel): two processes reacting to one commit make one row.
          await this.#pool.query('INSERT INTO notify_messages (office_id, office_day, id, ticket, kind, channel, facts, created_at, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (office_id, office_day, id) DO NOTHING', [
            o,
            d,
            r.id,
            r.ticket,
            r.kind,
            r.channel,
            JSON.stringify(facts),
            r.at,
          ]);
          await this.#readMessage(r.id);
          ticket = r.ticket;
          break;
        }
        case 'sent':
          await this.#pool.query(
            "UPDATE notify_messages SET state = CASE WHEN state = 'pending' THEN 'sent' ELSE state END, at = CASE WHEN state = 'pending' THEN $4::timestamptz ELSE at END, provider_id = COALESCE(provider_id, $5) WHERE office_id = $1 AND office_day = $2 AND id = $3",
            [o, d, r.id, r.at, r.providerId ?? null],
          );
          break;
        case 'delivered':
          await this.#pool.query("UPDATE notify_messages SET state = 'delivered', at = $4 WHERE office_id = $1 AND office_day = $2 AND id = $3 AND state <> 'failed' AND state <> 'delivered'", [o, d, r.id, r.at]);
          break;
        case 'failed':
          await this.#pool.query("UPDATE notify_messages SET state = 'failed', at = $4, reason = $5 WHERE office_id = $1 AND office_day = $2 AND id = $3 AND state <> 'delivered' AND state <> 'failed'", [o, d, r.id, r.at, r.reason]);
          break;
      }
      if (r.t === 'sent' || r.t === 'delivered' || r.t === 'failed') {
        await this.#readMessage(r.id);
        ticket = this.messages.get(r.id)?.ticket;
      }
      if (ticket) {
        await this.backend.notify(o, d, ticket).catch(() => undefined);
        this.#changed(ticket);
      }
    });
  }

  saveContacts(): Promise<void> {
    return this.#serial(async () => {
      const changes = [...this.contacts.dirty];
      this.contacts.dirty.clear();
      try {
        for (const [ticket, c] of changes) {
          if (c) await this.#pool.query('INSERT INTO notify_contacts (office_id, office_day, ticket, data) VALUES ($1, $2, $3, $4) ON CONFLICT (office_id, office_day, ticket) DO UPDATE SET data = EXCLUDED.data', [this.officeId, this.officeDay, ticket, JSON.stringify(c)]);
          else await this.#pool.query('DELETE FROM notify_contacts WHERE office_id = $1 AND office_day = $2 AND ticket = $3', [this.officeId, this.officeDay, ticket]);
        }
      } catch (err) {
        // Not saved: kept as changes for the next save (unless changed again since).
        for (const [k, v] of changes) if (!this.contacts.dirty.has(k)) this.contacts.dirty.set(k, v);
        throw err;
      }
      for (const [ticket] of changes) await this.backend.notify(this.officeId, this.officeDay, ticket).catch(() => undefined);
    });
  }

  eraseContacts(): Promise<void> {
    return this.#serial(async () => {
      this.contacts.clear();
      this.contacts.dirty.clear();
      await this.#pool.query('DELETE FROM notify_contacts WHERE office_id = $1 AND office_day = $2', [this.officeId, this.officeDay]);
      await this.backend.notify(this.officeId, this.officeDay).catch(() => undefined);
    });
  }

  async claim(id: string): Promise<OutboxClaim | null> {
    if (this.#closed) return null;
    const client = await this.backend.claimPool.connect();
    let open = false;
    let released = false;
    const free = (destroy?: boolean): void => {
      if (released) return;
      released = true;
      client.release(destroy);
    };
    const end = async (sql: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
      if (!open) return;
      open = false;
      try {
        await client.query(sql);
        free();
      } catch (err) {
        free(true);
        throw err;
      }
    };
    try {
      await client.query('BEGIN');
      open = true;
      const r = await client.query<{ ticket: string; attempts: number; due_at: Date | null }>(
        "SELECT ticket, attempts, due_at FROM notify_messages WHERE office_id = $1 AND office_day = $2 AND id = $3 AND state = 'pending' FOR UPDATE SKIP LOCKED",
        [this.officeId, this.officeDay, id],
      );
      const row = r.rows[0];
      if (!row) {
        await end('ROLLBACK');
        // Settled (perhaps by another process), or being sent by one: our copy learns which.
        await this.#readMessage(id).catch(() => undefined);
        return null;
      }
      // The contact as stored now: the subscription may have been taken on another process.
      if (!row.ticket.startsWith('booking:') && !row.ticket.startsWith('complaint:')) {
        const c = await client.query<{ data: unknown }>('SELECT data FROM notify_contacts WHERE office_id = $1 AND office_day = $2 AND ticket = $3', [this.officeId, this.officeDay, row.ticket]);
        this.contacts.load(row.ticket, c.rows[0] ? contactOf(c.rows[0].data) : null);
      }
      const settleLocally = async (): Promise<void> => {
        await this.#readMessage(id).catch(() => undefined);
        await this.backend.notify(this.officeId, this.officeDay, row.ticket).catch(() => undefined);
        this.#changed(row.ticket);
      };
      return {
        attempts: row.attempts,
        dueAt: row.due_at ? row.due_at.getTime() : null,
        settle: async (rec) => {
          if (rec.t === 'sent') {
            await client.query("UPDATE notify_messages SET state = 'sent', at = $4, provider_id = COALESCE(provider_id, $5), attempts = attempts + 1 WHERE office_id = $1 AND office_day = $2 AND id = $3", [this.officeId, this.officeDay, id, rec.at, rec.providerId ?? null]);
          } else {
            await client.query("UPDATE notify_messages SET state = 'failed', at = $4, reason = $5, attempts = attempts + 1 WHERE office_id = $1 AND office_day = $2 AND id = $3", [this.officeId, this.officeDay, id, rec.at, rec.reason]);
          }
          await end('COMMIT');
          await settleLocally();
        },
        retry: async (attempts, dueAt) => {
          await client.query('UPDATE notify_messages SET attempts = $4, due_at = $5 WHERE office_id = $1 AND office_day = $2 AND id = $3', [this.officeId, this.officeDay, id, attempts, new Date(dueAt)]);
          await end('COMMIT');
        },
        release: () => end('ROLLBACK'),
      };
    } catch (err) {
      open = false;
      free(true);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.backend.forget(this);
    await this.#chain;
  }
}
