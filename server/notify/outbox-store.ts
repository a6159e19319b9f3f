// What notify keeps on disk, per office and office day, under <dataDir>/notify/<office>/:
//   <day>.jsonl          the outbox journal: subscriptions, messages and their outcomes,
//                        append-only, each record on disk (O_DSYNC) before it counts.
//                        It holds no contact data: ticket ids, kinds, channels, times.
//   <day>.contacts.json  the day's contact data (phone numbers, push subscriptions,
//                        WhatsApp chat ids), mode 0600, replaced atomically; removed
//                        at the end of the office day, and entries dropped on
//                        unsubscribe and when the ticket is finished or cancelled.
import { constants as fsc } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NOTIFY_CHANNELS, NOTIFY_KINDS, PHONE_CHANNELS, pushSubscriptionSchema, type NotifyChannel, type NotifyKind, type PhoneChannel, type PushSubscriptionJSON } from '../../protocol/notify.ts';
import { fsyncDir, Journal } from '../store/durable-file.ts';
import type { BookingMessageKind } from './texts.ts';

/** A message about a booking (not a ticket): which booking, and what its text needs (no contact data). */
export interface BookingRef {
  /** The booking's office day (its slot's day). */
  day: string;
  code: string;
  service: string;
  slot: string;
}

export type MessageKind = NotifyKind | BookingMessageKind | 'complaint';

/** A complaint's notice: the contact is read from the complaint store when it is sent (never copied here). */
export interface ComplaintRef {
  id: string;
  code: string;
  status: string;
  answered: boolean;
}

export type OutboxRecord =
  | { t: 'sub'; at: string; ticket: string; threshold: number }
  | { t: 'unsub'; at: string; ticket: string }
  | { t: 'msg'; at: string; id: string; ticket: string; kind: MessageKind; channel: NotifyChannel; ahead?: number; counter?: string; booking?: BookingRef; complaint?: ComplaintRef }
  | { t: 'sent'; at: string; id: string; providerId?: string }
  | { t: 'delivered'; at: string; id: string }
  | { t: 'failed'; at: string; id: string; reason: string };

export interface Contact {
  push?: PushSubscriptionJSON;
  /** E.164; `chat` when the citizen started a WhatsApp chat (replies are free text inside its 24-hour window). */
  phone?: { e164: string; channel: PhoneChannel; chat?: boolean };
}

export const contactSchema = z.object({
  push: pushSubscriptionSchema.optional(),
  phone: z.object({ e164: z.string().regex(/^\+\d{8,15}$/), channel: z.enum(PHONE_CHANNELS), chat: z.boolean().optional() }).optional(),
});
const contactsFileSchema = z.object({ version: z.literal(1), officeDay: z.string(), tickets: z.record(z.string(), contactSchema) });

export interface Subscription {
  threshold: number;
  since: string;
}

export type MessageState = 'pending' | 'sent' | 'delivered' | 'failed';

export interface OutboxMessage {
  id: string;
  ticket: string;
  kind: MessageKind;
  channel: NotifyChannel;
  createdAt: string;
  /** Set for a booking's reminder or block notice; `ticket` is then `booking:<day>/<code>`. */
  booking?: BookingRef;
  /** Set for a complaint's notice; `ticket` is then `complaint:<code>`. */
  complaint?: ComplaintRef;
  ahead?: number;
  counter?: string;
  state: MessageState;
  /** When the state last changed. */
  at: string;
  providerId?: string;
  reason?: string;
}

export const KINDS = new Set<string>([...NOTIFY_KINDS, 'day-before', 'hour-before', 'blocked', 'complaint']);
export const CHANNELS = new Set<string>(NOTIFY_CHANNELS);

/** A message's id: the same (office, day, ticket, kind, channel) always gives the same id, so it is made at most once and a provider can dedupe on it. */
export function messageId(officeId: string, ticketId: string, kind: NotifyKind, channel: NotifyChannel): string {
  return `${officeId}.${ticketId.replace('/', '.')}.${kind}.${channel}`;
}

/**
 * One outbox day as the notify service uses it, whatever keeps it: in-memory maps (read
 * synchronously by the track view and the triggers) over a durable copy. `append` and
 * `saveContacts` resolve once durable. Two implementations: OutboxDay (files, one process) and
 * PgOutboxDay (server/notify/pg-outbox.ts, PostgreSQL, shared by the processes of a central).
 */
export interface OutboxDayStore {
  readonly officeId: string;
  readonly officeDay: string;
  readonly subs: Map<string, Subscription>;
  readonly messages: Map<string, OutboxMessage>;
  /** Change entries with set/delete only (never mutate an entry in place), then saveContacts(). */
  readonly contacts: Map<string, Contact>;
  onChange: ((ticketId: string) => void) | null;
  append(r: OutboxRecord): Promise<void>;
  saveContacts(): Promise<void>;
  eraseContacts(): Promise<void>;
  /**
   * Takes a pending message for one delivery attempt. null: it is no longer pending, or another
   * process is sending it now (leave it). The claim ends with exactly one of settle / retry / release.
   */
  claim(id: string): Promise<OutboxClaim | null>;
  /** Shared stores: reads the day again (what other processes wrote since). */
  refresh?(): Promise<void>;
  close(): Promise<void>;
}

export interface OutboxClaim {
  /** Attempts made so far (across processes on a shared store; null: the caller counts). */
  attempts: number | null;
  /** Not before this (ms since epoch), when another process set a back-off; null: now. */
  dueAt: number | null;
  /** Records the final outcome (sent or failed) and ends the claim. */
  settle(r: { t: 'sent'; at: string; id: string; providerId?: string } | { t: 'failed'; at: string; id: string; reason: string }): Promise<void>;
  /** Records a failed attempt to be retried at `dueAt` and ends the claim. */
  retry(attempts: number, dueAt: number): Promise<void>;
  /** Ends the claim, nothing changed. */
  release(): Promise<void>;
}

/** A day's booking contacts (keyed by booking code): set/delete entries, then save(). */
export interface BookingContactsStore {
  readonly officeId: string;
  readonly officeDay: string;
  readonly contacts: Map<string, Contact>;
  save(): Promise<void>;
}

/** Where the outbox and the day's contact data live: files (one process) or PostgreSQL (several). */
export interface OutboxBackend {
  /** Shared by several processes: their caches are refreshed, claims are real, days are read fresh. */
  readonly shared: boolean;
  openDay(officeId: string, officeDay: string): Promise<OutboxDayStore>;
  /** Days that still hold ticket contact data for an office. */
  daysWithContacts(officeId: string): Promise<string[]>;
  eraseContacts(officeId: string, officeDay: string): Promise<void>;
  openBookingContacts(officeId: string, officeDay: string): Promise<BookingContactsStore>;
  daysWithBookingContacts(officeId: string): Promise<string[]>;
  eraseBookingContacts(officeId: string, officeDay: string): Promise<void>;
  close(): Promise<void>;
}

/** The embedded store's outbox: files under <dataDir>/notify (see the top of this file). */
export class FileOutbox implements OutboxBackend {
  readonly shared = false;
  constructor(readonly root: string) {}
  openDay(officeId: string, officeDay: string): Promise<OutboxDayStore> {
    return OutboxDay.open(this.root, officeId, officeDay);
  }
  daysWithContacts(officeId: string): Promise<string[]> {
    return daysWithContacts(this.root, officeId);
  }
  eraseContacts(officeId: string, officeDay: string): Promise<void> {
    return eraseContactsFile(this.root, officeId, officeDay);
  }
  openBookingContacts(officeId: string, officeDay: string): Promise<BookingContactsStore> {
    return BookingContacts.open(this.root, officeId, officeDay);
  }
  daysWithBookingContacts(officeId: string): Promise<string[]> {
    return daysWithBookingContacts(this.root, officeId);
  }
  eraseBookingContacts(officeId: string, officeDay: string): Promise<void> {
    return eraseBookingContactsFile(this.root, officeId, officeDay);
  }
  async close(): Promise<void> {}
}

/** One office day's subscriptions, messages and contacts, in memory and on disk. */
export class OutboxDay implements OutboxDayStore {
  readonly subs = new Map<string, Subscription>();
  readonly messages = new Map<string, OutboxMessage>();
  readonly contacts = new Map<string, Contact>();
  #contactsChain: Promise<void> = Promise.resolve();
  #closed = false;
  /** Told the ticket whose subscription or messages a record changed (once it is on disk). */
  onChange: ((ticketId: string) => void) | null = null;

  private constructor(
    readonly officeId: string,
    readonly officeDay: string,
    private readonly journal: Journal,
    private readonly contactsFile: string,
  ) {}

  static async open(root: string, officeId: string, officeDay: string): Promise<OutboxDay> {
    const dir = path.join(root, officeId);
    const { journal, records } = await Journal.open<OutboxRecord>(path.join(dir, `${officeDay}.jsonl`));
    const day = new OutboxDay(officeId, officeDay, journal, path.join(dir, `${officeDay}.contacts.json`));
    for (const r of records) day.#apply(r);
    let text: string | null = null;
    try {
      text = await readFile(day.contactsFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      const parsed = contactsFileSchema.safeParse(JSON.parse(text));
      if (!parsed.success || parsed.data.officeDay !== officeDay) throw new Error(`${day.contactsFile}: not a contacts file of ${officeDay}`);
      for (const [ticket, c] of Object.entries(parsed.data.tickets)) if (day.subs.has(ticket)) day.contacts.set(ticket, c as Contact);
    }
    return day;
  }

  #apply(r: OutboxRecord): void {
    switch (r.t) {
      case 'sub':
        this.subs.set(r.ticket, { threshold: r.threshold, since: this.subs.get(r.ticket)?.since ?? r.at });
        return;
      case 'unsub':
        this.subs.delete(r.ticket);
        return;
      case 'msg':
        if (!KINDS.has(r.kind) || !CHANNELS.has(r.channel) || this.messages.has(r.id)) return;
        this.messages.set(r.id, { id: r.id, ticket: r.ticket, kind: r.kind, channel: r.channel, createdAt: r.at, ahead: r.ahead, counter: r.counter, ...(r.booking ? { booking: r.booking } : {}), ...(r.complaint ? { complaint: r.complaint } : {}), state: 'pending', at: r.at });
        return;
      case 'sent': {
        const m = this.messages.get(r.id);
        // A receipt may come before the send's answer is recorded: "delivered" is never lowered to "sent".
        if (m && m.state === 'pending') Object.assign(m, { state: 'sent', at: r.at, providerId: r.providerId });
        else if (m && r.providerId && !m.providerId) m.providerId = r.providerId;
        return;
      }
      case 'delivered': {
        const m = this.messages.get(r.id);
        if (m && m.state !== 'failed') Object.assign(m, { state: 'delivered', at: r.at });
        return;
      }
      case 'failed': {
        const m = this.messages.get(r.id);
        if (m && m.state !== 'delivered') Object.assign(m, { state: 'failed', at: r.at, reason: r.reason });
        return;
      }
    }
  }

  /** Applies a record once it is on disk. */
  async append(r: OutboxRecord): Promise<void> {
    if (this.#closed) throw new Error(`outbox ${this.officeId}/${this.officeDay} is closed`);
    await this.journal.append(r);
    this.#apply(r);
    const ticket = 'ticket' in r ? r.ticket : this.messages.get(r.id)?.ticket;
    if (ticket && this.onChange) {
      try {
        this.onChange(ticket);
      } catch {
        // a listener's failure is not the outbox's
      }
    }
  }

  /** Writes the contacts as they are now (mode 0600, whole-file replace); resolves once on disk. Writes are serialised. */
  saveContacts(): Promise<void> {
    const data = `${JSON.stringify({ version: 1, officeDay: this.officeDay, tickets: Object.fromEntries(this.contacts) })}\n`;
    const empty = this.contacts.size === 0;
    const next = this.#contactsChain.then(() => (empty ? removeDurably(this.contactsFile) : writePrivateFile(this.contactsFile, data)));
    this.#contactsChain = next.catch(() => undefined);
    return next;
  }

  async eraseContacts(): Promise<void> {
    this.contacts.clear();
    await this.saveContacts();
  }

  /** One process writes these files: every claim is granted, and the caller counts the attempts. */
  async claim(id: string): Promise<OutboxClaim | null> {
    if (this.messages.get(id)?.state !== 'pending') return null;
    return { attempts: null, dueAt: null, settle: (r) => this.append(r), retry: async () => undefined, release: async () => undefined };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#contactsChain;
    await this.journal.close();
  }
}

/** Days (YYYY-MM-DD) that have a contacts file on disk for an office. */
export async function daysWithContacts(root: string, officeId: string): Promise<string[]> {
  try {
    return (await readdir(path.join(root, officeId))).map((f) => /^(\d{4}-\d{2}-\d{2})\.contacts\.json$/.exec(f)?.[1]).filter((d): d is string => !!d);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export async function eraseContactsFile(root: string, officeId: string, officeDay: string): Promise<void> {
  await removeDurably(path.join(root, officeId, `${officeDay}.contacts.json`));
}

async function removeDurably(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await fsyncDir(path.dirname(file));
}

let tmpCounter = 0;

/** Whole-file replace (temp file, fsync, rename, fsync of the folder), created 0600: contact data is for this server's user only. */
export async function writePrivateFile(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${tmpCounter++}.tmp`);
  const fh = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC, 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await fsyncDir(dir);
}

/** A booking message's id: one per (office, booking, kind), so it is made at most once and a provider can dedupe on it. */
export function bookingMessageId(officeId: string, code: string, kind: BookingMessageKind): string {
  return `booking:${officeId}:${code}:${kind}`;
}

const bookingContactsSchema = z.object({ version: z.literal(1), officeDay: z.string(), bookings: z.record(z.string(), contactSchema) });

/**
 * Contact data of the bookings of one office day (the slot's day), keyed by booking code:
 * <root>/<office>/bookings/<day>.contacts.json, mode 0600, never in a journal. Entries go when the
 * booking is cancelled, checked in, marked no-show or released; the file goes when its day is over.
 */
export class BookingContacts implements BookingContactsStore {
  readonly contacts = new Map<string, Contact>();
  #chain: Promise<void> = Promise.resolve();
  private constructor(
    readonly officeId: string,
    readonly officeDay: string,
    private readonly file: string,
  ) {}

  static fileOf(root: string, officeId: string, officeDay: string): string {
    return path.join(root, officeId, 'bookings', `${officeDay}.contacts.json`);
  }

  static async open(root: string, officeId: string, officeDay: string): Promise<BookingContacts> {
    const c = new BookingContacts(officeId, officeDay, BookingContacts.fileOf(root, officeId, officeDay));
    let text: string | null = null;
    try {
      text = await readFile(c.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      const parsed = bookingContactsSchema.safeParse(JSON.parse(text));
      if (!parsed.success || parsed.data.officeDay !== officeDay) throw new Error(`${c.file}: not a booking contacts file of ${officeDay}`);
      for (const [code, contact] of Object.entries(parsed.data.bookings)) c.contacts.set(code, contact as Contact);
    }
    return c;
  }

  save(): Promise<void> {
    const data = `${JSON.stringify({ version: 1, officeDay: this.officeDay, bookings: Object.fromEntries(this.contacts) })}\n`;
    const empty = this.contacts.size === 0;
    const next = this.#chain.then(() => (empty ? removeDurably(this.file) : writePrivateFile(this.file, data)));
    this.#chain = next.catch(() => undefined);
    return next;
  }
}

/** Days (YYYY-MM-DD) with a booking contacts file for an office. */
export async function daysWithBookingContacts(root: string, officeId: string): Promise<string[]> {
  try {
    return (await readdir(path.join(root, officeId, 'bookings'))).map((f) => /^(\d{4}-\d{2}-\d{2})\.contacts\.json$/.exec(f)?.[1]).filter((d): d is string => !!d);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export async function eraseBookingContactsFile(root: string, officeId: string, officeDay: string): Promise<void> {
  await removeDurably(BookingContacts.fileOf(root, officeId, officeDay));
}
