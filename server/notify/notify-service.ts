// Alerts to citizens: who subscribed (the ticket's holder), when to tell them
// ("N ahead" once, and at the call), and a durable outbox that delivers each
// message over its channel with retries. Delivery is at least once: a message
// is marked sent only after the provider took it, so one in flight at a crash
// is sent again after the restart with the same id (providers dedupe on it);
// one marked sent is never sent again. See docs/notify.md.
import type { ErrorCode } from '../../protocol/errors.ts';
import type { Booking, OfficeConfig, QueueDelta, Ticket } from '../../protocol/model.ts';
import { zonedInstant, addDays } from '../domain/availability.ts';
import {
  type CounterNotify,
  type NotifyChannel,
  type NotifyKind,
  type NotifyStatus,
  type PhoneChannel,
  type PushSubscriptionJSON,
  type WhatsAppWebhook,
  webhookReceiptSchema,
  whatsappWebhookSchema,
} from '../../protocol/notify.ts';
import { trackPath, trackUrl } from '../../protocol/urls.ts';
import { holderKey, holderKeyValid } from '../auth/holder-key.ts';
import { positions } from '../domain/eta.ts';
import { officeDayOf, type DayState } from '../domain/index.ts';
import { HttpError } from '../http/errors.ts';
import { CITIZEN_ACTOR, CITIZEN_CANCEL_REASON } from '../http/track.ts';
import type { Logger } from '../log.ts';
import type { QueueListeners, QueueService } from '../queue-service.ts';
import type { NotifySettings } from '../settings.ts';
import type { Secrets } from '../store/secrets.ts';
import type { Store } from '../store/types.ts';
import { bookingMessageId, FileOutbox, messageId, type BookingContactsStore, type BookingRef, type Contact, type OutboxBackend, type OutboxClaim, type OutboxDayStore, type OutboxMessage } from './outbox-store.ts';
import { last4, normalizeIndonesianPhone } from './phone.ts';
import { endpointAllowed, PushSender, WebhookSender, WhatsAppCloudSender, type OutgoingMessage, type Sender, type VapidKeys } from './providers.ts';
import { signatureValid } from './signature.ts';
import type { Complaint } from '../../protocol/complaints.ts';
import { alertText, bookingText, bookingTitle, complaintText, type BookingMessageKind, CHAT_CANCELLED, CHAT_CANNOT_CANCEL, CHAT_HELP, CHAT_NO_TICKET, CHAT_SUBSCRIBED, pushPayload, statusReply } from './texts.ts';

/** Messages sent at once (over all channels); more wait their turn. */
const CONCURRENCY = 8;
const TICK_MS = 15_000;
/** Office time the day-before reminder goes out (on the day before the slot). */
export const DAY_BEFORE_AT = '18:00';
/** The second reminder: this long before the slot starts. */
export const HOUR_BEFORE_MS = 3_600_000;
/** A booking that ended (cancelled, checked in, no-show) keeps its contact this long, so a block notice can still go. */
const ENDED_GRACE_MS = 60_000;

export interface NotifyDeps {
  /** <dataDir>/notify */
  root: string;
  settings: NotifySettings;
  publicUrl?: string | undefined;
  queue: QueueService;
  store: Store;
  secrets: Secrets;
  log: Logger;
  now: () => Date;
  vapid: VapidKeys;
  /** Where the outbox lives: files under `root` (default) or PostgreSQL (server/notify/pg-outbox.ts). */
  outbox?: OutboxBackend;
}

export interface SubscribeInput {
  k: string;
  threshold: number;
  push?: PushSubscriptionJSON | undefined;
  phone?: { number: string; channel: PhoneChannel; consent: true } | undefined;
}

interface Due {
  ticketId: string;
  kind: NotifyKind;
  channels: NotifyChannel[];
  facts: { ahead?: number; counter?: string };
}

interface Pending {
  day: OutboxDayStore;
  id: string;
  attempts: number;
  dueAt: number;
  inFlight: boolean;
}

const fail = (code: ErrorCode): HttpError => HttpError.of(code);

export class NotifyService {
  readonly #days = new Map<string, OutboxDayStore>();
  readonly #opening = new Map<string, Promise<OutboxDayStore>>();
  readonly #pending = new Map<string, Pending>();
  readonly #enqueuing = new Set<string>();
  readonly #inboundSeen = new Set<string>();
  readonly #chains = new Map<string, Promise<void>>();
  /** Finished tickets whose contact data goes once their last message has been sent (or given up). */
  readonly #eraseAfter = new Set<string>();
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #tickTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #pageOpen: (officeId: string, ticketId: string) => boolean = () => false;
  #statusChanged: (officeId: string, ticketId: string) => void = () => undefined;
  readonly #senders: { push: PushSender; webhook: WebhookSender | null; whatsapp: WhatsAppCloudSender | null };

  readonly #backend: OutboxBackend;

  constructor(private readonly deps: NotifyDeps) {
    const s = deps.settings;
    this.#backend = deps.outbox ?? new FileOutbox(deps.root);
    this.#senders = {
      push: new PushSender({ vapid: deps.vapid, subject: s.pushSubject ?? (deps.publicUrl?.startsWith('https://') ? deps.publicUrl : 'mailto:giliran@localhost.invalid'), timeoutMs: s.providerTimeoutMs, allowedHosts: s.pushEndpointHosts }),
      webhook: s.webhookUrl && s.webhookSecret ? new WebhookSender({ url: s.webhookUrl, secret: s.webhookSecret, timeoutMs: s.providerTimeoutMs }) : null,
      whatsapp: s.whatsappPhoneId && s.whatsappToken ? new WhatsAppCloudSender({ apiUrl: s.whatsappApiUrl, phoneId: s.whatsappPhoneId, token: s.whatsappToken, template: s.whatsappTemplate, timeoutMs: s.providerTimeoutMs }) : null,
    };
  }

  get vapidPublicKey(): string {
    return this.deps.vapid.publicKey;
  }

  /**
   * The open page as a channel: `probe(office, ticket)` answers whether a phone socket of that
   * ticket is connected now (the /track namespace knows). Until one is set, the page counts as closed.
   */
  setPageProbe(probe: (officeId: string, ticketId: string) => boolean): void {
    this.#pageOpen = probe;
  }

  /** `listener(office, ticket)` is told when a ticket's NotifyStatus changed (the track feed sends its holders a fresh view). */
  setStatusListener(listener: (officeId: string, ticketId: string) => void): void {
    this.#statusChanged = listener;
  }

  /** Which phone channels this server can deliver for the office (its own providers, else the server's). */
  phoneChannels(officeId?: string): PhoneChannel[] {
    const out: PhoneChannel[] = [];
    if (this.#whatsappOf(officeId)) out.push('whatsapp');
    if (this.#webhookOf(officeId)) out.push('sms');
    return out;
  }

  readonly #officeWebhooks = new Map<string, { key: string; sender: WebhookSender }>();
  readonly #officeClouds = new Map<string, { key: string; sender: WhatsAppCloudSender }>();

  /** The office's own webhook provider, set in the admin console (office.notify.webhook: url and secret), or null. */
  #ownWebhook(officeId: string | undefined): WebhookSender | null {
    const own = officeId ? this.deps.queue.office(officeId)?.notify?.webhook : undefined;
    if (!officeId || !own?.url || !own.secret) return null;
    const key = `${own.url}\n${own.secret}`;
    const cached = this.#officeWebhooks.get(officeId);
    if (cached?.key === key) return cached.sender;
    const sender = new WebhookSender({ url: own.url, secret: own.secret, timeoutMs: this.deps.settings.providerTimeoutMs });
    this.#officeWebhooks.set(officeId, { key, sender });
    return sender;
  }

  /** The office's own WhatsApp Cloud API account (office.notify.whatsapp: apiUrl, token and phoneId), or null. */
  #ownCloud(officeId: string | undefined): WhatsAppCloudSender | null {
    const own = officeId ? this.deps.queue.office(officeId)?.notify?.whatsapp : undefined;
    if (!officeId || !own?.apiUrl || !own.token || !own.phoneId) return null;
    const key = `${own.apiUrl}\n${own.token}\n${own.phoneId}`;
    const cached = this.#officeClouds.get(officeId);
    if (cached?.key === key) return cached.sender;
    const s = this.deps.settings;
    const sender = new WhatsAppCloudSender({ apiUrl: own.apiUrl, phoneId: own.phoneId, token: own.token, template: s.whatsappTemplate, timeoutMs: s.providerTimeoutMs });
    this.#officeClouds.set(officeId, { key, sender });
    return sender;
  }

  /** SMS (and WhatsApp through a gateway): the office's own webhook, else the server-wide one (GILIRAN_NOTIFY_WEBHOOK_URL / _SECRET), else none. */
  #webhookOf(officeId: string | undefined): WebhookSender | null {
    return this.#ownWebhook(officeId) ?? this.#senders.webhook;
  }

  /**
   * WhatsApp: the office's own providers first (its Cloud API account, then its webhook), then the
   * server's (GILIRAN_WHATSAPP_*, then GILIRAN_NOTIFY_WEBHOOK_*). An office that set a provider has
   * its messages go there, signed with its secret; the others keep the server's.
   */
  #whatsappOf(officeId: string | undefined): Sender | null {
    return this.#ownCloud(officeId) ?? this.#ownWebhook(officeId) ?? this.#senders.whatsapp ?? this.#senders.webhook;
  }

  /** Erases contact files of days that are over, opens today's outbox of every office, resumes its pending messages. */
  async start(): Promise<void> {
    await this.tick();
    this.#tickTimer = setInterval(() => void this.tick(), TICK_MS);
    this.#tickTimer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    await Promise.allSettled([...this.#opening.values()]);
    await Promise.all([...this.#days.values()].map((d) => d.close()));
    this.#days.clear();
    await this.#backend.close();
  }

  /** The listener the queue calls after each durable commit. */
  readonly listener: QueueListeners = {
    // A shared outbox (PostgreSQL): commits made by other processes reach this one as deltas only (no `applied`).
    // Every process reacts to every commit; message ids and the row claims make each message once.
    delta: (officeId, delta) => {
      if (this.#backend.shared) this.#onSharedDelta(officeId, delta);
    },
    reset: () => void this.tick(),
    applied: (office, state, delta) => {
      // Read the events now: by the time the outbox is written the ticket may have moved on (called, then finished).
      const calls: Array<{ ticketId: string; counter: string }> = [];
      const finished: string[] = [];
      for (const e of delta.events) {
        if (e.type === 'ticket_called' || e.type === 'ticket_recalled') calls.push({ ticketId: e.ticketId, counter: office.counters.find((c) => c.id === e.counterId)?.name ?? e.counterId });
        if (e.type === 'ticket_finished' || e.type === 'ticket_cancelled') finished.push(e.ticketId);
      }
      const open = this.#days.get(office.id);
      let due: Due[] = [];
      try {
        if (open?.officeDay === state.officeDay && open.subs.size > 0) due = this.#due(office, state, open);
      } catch (err) {
        this.deps.log.error({ err, office: office.id }, 'notify: trigger evaluation failed');
      }
      // One office's commits are handled in commit order.
      const prev = this.#chains.get(office.id) ?? Promise.resolve();
      const next = prev.then(() => this.#onCommit(office, state.officeDay, calls, finished, due));
      this.#chains.set(office.id, next);
      void next.finally(() => {
        if (this.#chains.get(office.id) === next) this.#chains.delete(office.id);
      });
    },
  };

  /** Once a period (and at a queue reset): days that ended lose their contact data; today's outbox is open. */
  async tick(): Promise<void> {
    if (this.#closed) return;
    for (const office of this.deps.queue.offices()) {
      const today = officeDayOf(this.deps.now(), office.timeZone);
      try {
        const open = this.#days.get(office.id);
        if (open && open.officeDay !== today) await this.#endDay(open);
        for (const day of await this.#backend.daysWithContacts(office.id)) {
          if (day !== today) {
            await this.#backend.eraseContacts(office.id, day);
            this.deps.log.info({ office: office.id, officeDay: day }, 'notify: contact data of a past day erased');
          }
        }
        const outbox = await this.#dayOf(office.id, today);
        // A shared outbox: what the other processes wrote, and their pending messages (one of them may have died sending).
        if (outbox?.refresh) await outbox.refresh();
        const state = await this.#state(office, today);
        if (outbox && state) await this.#evaluate(office, state, outbox);
        if (outbox && state && this.#backend.shared) await this.#settleFinished(state, outbox);
        if (outbox) for (const m of outbox.messages.values()) if (m.state === 'pending' && !this.#pending.has(m.id)) this.#queueSend(outbox, m.id, 0);
        await this.#bookingSerial(office.id, () => this.#bookingSweep(office, today));
      } catch (err) {
        this.deps.log.error({ err, office: office.id }, 'notify: periodic tick failed');
      }
    }
  }

  async #endDay(day: OutboxDayStore): Promise<void> {
    this.#days.delete(day.officeId);
    for (const [id, p] of this.#pending) if (p.day === day) this.#pending.delete(id);
    await day.eraseContacts();
    await day.close();
    this.deps.log.info({ office: day.officeId, officeDay: day.officeDay }, 'notify: office day over, contact data erased');
  }

  async #dayOf(officeId: string, officeDay: string): Promise<OutboxDayStore | null> {
    const office = this.deps.queue.office(officeId);
    if (!office || this.#closed) return null;
    if (officeDay !== officeDayOf(this.deps.now(), office.timeZone)) return null;
    const open = this.#days.get(officeId);
    if (open?.officeDay === officeDay) return open;
    const key = `${officeId}/${officeDay}`;
    let p = this.#opening.get(key);
    if (!p) {
      p = (async () => {
        if (open) await this.#endDay(open);
        const day = await this.#backend.openDay(officeId, officeDay);
        day.onChange = (ticketId) => this.#statusChanged(officeId, ticketId);
        this.#days.set(officeId, day);
        for (const m of day.messages.values()) if (m.state === 'pending') this.#queueSend(day, m.id, 0);
        return day;
      })().finally(() => this.#opening.delete(key));
      this.#opening.set(key, p);
    }
    return p;
  }

  async #state(office: OfficeConfig, officeDay: string): Promise<DayState | null> {
    try {
      // Today's day through the queue first: on a shared store the queue then follows the other
      // processes' commits for it. Opened in the store alone (as the first start's tick would), the
      // queue would not know it and a process that served nothing of the office kept a stale copy.
      if (this.#backend.shared && officeDay === officeDayOf(this.deps.now(), office.timeZone)) await this.deps.queue.read(office.id, () => null);
      const state = await this.deps.store.queue.openDay(office, officeDay);
      return state.officeDay === officeDay ? state : null;
    } catch {
      return null;
    }
  }

  // -------------------------------------------------------------------------
  // Subscriptions (the holder's REST calls)

  #checkHolder(officeId: string, ticketId: string, k: unknown): void {
    if (!holderKeyValid(this.deps.secrets.holderKey, officeId, ticketId, k)) throw fail('holder_key_invalid');
  }

  async #ticketOf(officeId: string, officeDay: string, number: string): Promise<{ office: OfficeConfig; ticket: Ticket; state: DayState; outbox: OutboxDayStore }> {
    const office = this.deps.queue.office(officeId);
    if (!office) throw fail('office_not_found');
    const outbox = await this.#dayOf(office.id, officeDay);
    if (!outbox) throw fail('ticket_not_found');
    // The snapshot waits for every change it shows to be on disk.
    const snap = await this.deps.queue.snapshot(office.id);
    if (!snap.ok) throw new HttpError(snap.error);
    const state = await this.#state(office, officeDay);
    const ticket = state?.tickets.get(`${officeDay}/${number}`);
    if (!state || !ticket) throw fail('ticket_not_found');
    return { office, ticket, state, outbox };
  }

  async subscribe(officeId: string, officeDay: string, number: string, input: SubscribeInput): Promise<NotifyStatus> {
    const ticketId = `${officeDay}/${number}`;
    this.#checkHolder(officeId, ticketId, input.k);
    let phone: Contact['phone'] | undefined;
    if (input.phone) {
      const e164 = normalizeIndonesianPhone(input.phone.number);
      if (!e164) throw fail('invalid_phone');
      if (!this.phoneChannels(officeId).includes(input.phone.channel)) throw fail('notify_channel_unavailable');
      phone = { e164, channel: input.phone.channel };
    }
    if (input.push && !endpointAllowed(input.push.endpoint, this.deps.settings.pushEndpointHosts)) {
      throw HttpError.of('bad_request', [{ path: 'push.endpoint', message: 'not a push service this server sends to' }]);
    }
    const { office, ticket, state, outbox } = await this.#ticketOf(officeId, officeDay, number);
    if (ticket.state === 'done' || ticket.state === 'cancelled' || ticket.state === 'no_show') throw fail('invalid_state');
    const contact: Contact = { ...outbox.contacts.get(ticketId) };
    if (input.push) contact.push = input.push;
    if (phone) contact.phone = phone;
    // Contacts first: a crash between the two leaves contact data without a subscription, which is
    // never used and is erased with the day; never a subscription whose contact was not kept.
    if (input.push || phone) {
      outbox.contacts.set(ticketId, contact);
      await outbox.saveContacts();
    }
    await outbox.append({ t: 'sub', at: this.deps.now().toISOString(), ticket: ticketId, threshold: input.threshold });
    await this.#evaluate(office, state, outbox);
    return this.statusOf(officeId, ticketId) ?? emptyStatus(input.threshold);
  }

  /** Ends the holder's alerts and erases the phone number and push subscription given for the ticket. */
  async unsubscribe(officeId: string, officeDay: string, number: string, k: string): Promise<void> {
    const ticketId = `${officeDay}/${number}`;
    this.#checkHolder(officeId, ticketId, k);
    const { outbox } = await this.#ticketOf(officeId, officeDay, number);
    await this.#forget(outbox, ticketId, 'unsubscribed');
  }

  async #forget(outbox: OutboxDayStore, ticketId: string, reason: string): Promise<void> {
    if (outbox.contacts.delete(ticketId)) await outbox.saveContacts();
    if (outbox.subs.has(ticketId)) await outbox.append({ t: 'unsub', at: this.deps.now().toISOString(), ticket: ticketId });
    for (const m of outbox.messages.values()) {
      if (m.ticket === ticketId && m.state === 'pending') {
        this.#pending.delete(m.id);
        await outbox.append({ t: 'failed', at: this.deps.now().toISOString(), id: m.id, reason });
      }
    }
  }

  /** Contract C3: the holder's alerts for the track view; null when the ticket has none (or its day is over). */
  readonly statusOf = (officeId: string, ticketId: string): NotifyStatus | null => {
    const day = this.#days.get(officeId);
    if (!day || day.officeDay !== ticketId.split('/')[0]) return null;
    const sub = day.subs.get(ticketId);
    if (!sub) return null;
    const contact = day.contacts.get(ticketId);
    const channels: NotifyChannel[] = ['page'];
    if (contact?.push) channels.push('push');
    if (contact?.phone) channels.push(contact.phone.channel);
    const delivered = [...day.messages.values()]
      .filter((m) => m.ticket === ticketId && m.state !== 'pending')
      .map((m) => ({ kind: m.kind as NotifyKind, channel: m.channel, at: m.at, status: m.state as 'sent' | 'delivered' | 'failed' }));
    return { threshold: sub.threshold, channels, phoneLast4: contact?.phone ? last4(contact.phone.e164) : null, delivered };
  };

  /** What the counter screen shows for the ticket in hand. */
  counterStatus(officeId: string, ticketId: string): CounterNotify {
    const day = this.#days.get(officeId);
    const subscribed = !!day && day.officeDay === ticketId.split('/')[0] && day.subs.has(ticketId);
    const rank = { delivered: 3, sent: 2, failed: 1, pending: 0 } as const;
    let best: OutboxMessage | null = null;
    for (const m of day?.messages.values() ?? []) {
      if (m.ticket !== ticketId || m.kind !== 'called' || m.state === 'pending') continue;
      if (!best || rank[m.state] > rank[best.state]) best = m;
    }
    return { ticketId, subscribed, called: best ? { channel: best.channel, status: best.state as 'sent' | 'delivered' | 'failed' } : null };
  }

  // -------------------------------------------------------------------------
  // Triggers

  /** A commit seen as a delta (possibly another process's): its calls and finishes at once, then what else is due. */
  #onSharedDelta(officeId: string, delta: QueueDelta): void {
    const office = this.deps.queue.office(officeId);
    const open = this.#days.get(officeId);
    if (!office || this.#closed || open?.officeDay !== delta.officeDay || open.subs.size === 0) return;
    const calls: Array<{ ticketId: string; counter: string }> = [];
    const finished: string[] = [];
    for (const e of delta.events) {
      if (e.type === 'ticket_called' || e.type === 'ticket_recalled') calls.push({ ticketId: e.ticketId, counter: office.counters.find((c) => c.id === e.counterId)?.name ?? e.counterId });
      if (e.type === 'ticket_finished' || e.type === 'ticket_cancelled') finished.push(e.ticketId);
    }
    const prev = this.#chains.get(office.id) ?? Promise.resolve();
    const next = prev.then(async () => {
      await this.#onCommit(office, delta.officeDay, calls, finished, []);
      const outbox = this.#days.get(office.id);
      const state = outbox?.officeDay === delta.officeDay ? await this.#state(office, delta.officeDay) : null;
      if (outbox && state) await this.#evaluate(office, state, outbox);
    });
    const guarded = next.catch((err: unknown) => this.deps.log.error({ err, office: office.id }, 'notify: trigger evaluation failed'));
    this.#chains.set(office.id, guarded);
    void guarded.finally(() => {
      if (this.#chains.get(office.id) === guarded) this.#chains.delete(office.id);
    });
  }

  /** Shared store: tickets finished or cancelled (on any process) lose their contact data once their messages settled. */
  async #settleFinished(state: DayState, outbox: OutboxDayStore): Promise<void> {
    for (const ticketId of [...outbox.contacts.keys()]) {
      const t = state.tickets.get(ticketId);
      if (t && (t.state === 'done' || t.state === 'cancelled')) await this.#eraseWhenSettled(outbox, ticketId);
    }
  }

  async #onCommit(office: OfficeConfig, officeDay: string, calls: Array<{ ticketId: string; counter: string }>, finished: string[], due: Due[]): Promise<void> {
    try {
      const outbox = await this.#dayOf(office.id, officeDay);
      if (!outbox || outbox.subs.size === 0) return;
      for (const c of calls) {
        if (!outbox.subs.has(c.ticketId)) continue;
        for (const ch of this.#channelsOf(outbox, c.ticketId)) await this.#enqueue(office, outbox, c.ticketId, 'called', ch, { counter: c.counter });
      }
      // A finished or cancelled ticket needs no more alerts: its contact data goes now (once what is on its way went), not at midnight.
      for (const d of due) for (const ch of d.channels) await this.#enqueue(office, outbox, d.ticketId, d.kind, ch, d.facts);
      for (const id of finished) if (outbox.contacts.has(id)) await this.#eraseWhenSettled(outbox, id);
    } catch (err) {
      this.deps.log.error({ err, office: office.id }, 'notify: trigger evaluation failed');
    }
  }

  async #eraseWhenSettled(outbox: OutboxDayStore, ticketId: string): Promise<void> {
    const key = `${outbox.officeId}/${ticketId}`;
    const pending = [...outbox.messages.values()].some((m) => m.ticket === ticketId && m.state === 'pending');
    if (pending) {
      this.#eraseAfter.add(key);
      return;
    }
    this.#eraseAfter.delete(key);
    if (outbox.contacts.delete(ticketId)) await outbox.saveContacts();
  }

  #channelsOf(outbox: OutboxDayStore, ticketId: string): NotifyChannel[] {
    const c = outbox.contacts.get(ticketId);
    const out: NotifyChannel[] = ['page'];
    if (c?.push) out.push('push');
    if (c?.phone) out.push(c.phone.channel);
    return out;
  }

  /**
   * For each subscribed ticket: "near" once when ahead <= threshold while waiting, "called" once
   * while called. Idempotent (message ids are fixed per ticket, kind and channel), so it runs after
   * every commit and at start: a crash between a commit and its outbox record loses nothing.
   */
  async #evaluate(office: OfficeConfig, state: DayState, outbox: OutboxDayStore): Promise<void> {
    for (const d of this.#due(office, state, outbox)) for (const ch of d.channels) await this.#enqueue(office, outbox, d.ticketId, d.kind, ch, d.facts);
  }

  /** What is due now, read synchronously from the state as this commit left it (the outbox writes that follow take time). */
  #due(office: OfficeConfig, state: DayState, outbox: OutboxDayStore): Due[] {
    let pos: ReturnType<typeof positions> | null = null;
    const out: Due[] = [];
    for (const [ticketId, sub] of outbox.subs) {
      const t = state.tickets.get(ticketId);
      if (!t) continue;
      const kind: NotifyKind | null = t.state === 'waiting' ? 'near' : t.state === 'called' ? 'called' : null;
      if (!kind) continue;
      const channels = this.#channelsOf(outbox, ticketId).filter((ch) => !outbox.messages.has(messageId(office.id, ticketId, kind, ch)));
      if (channels.length === 0) continue;
      if (kind === 'near') {
        pos ??= positions(state, office, this.deps.now().getTime());
        const p = pos.get(ticketId);
        if (!p || p.ahead > sub.threshold) continue;
        out.push({ ticketId, kind, channels, facts: { ahead: p.ahead } });
      } else {
        out.push({ ticketId, kind, channels, facts: { counter: office.counters.find((c) => c.id === t.counterId)?.name ?? t.counterId ?? undefined } });
      }
    }
    return out;
  }

  async #enqueue(office: OfficeConfig, outbox: OutboxDayStore, ticketId: string, kind: NotifyKind, channel: NotifyChannel, facts: { ahead?: number; counter?: string }): Promise<void> {
    const id = messageId(office.id, ticketId, kind, channel);
    if (outbox.messages.has(id) || this.#enqueuing.has(id)) return;
    // The open page shows the change itself: it counts only when a phone of that ticket has it open now.
    if (channel === 'page' && !this.#pageOpen(office.id, ticketId)) return;
    this.#enqueuing.add(id);
    try {
      const at = this.deps.now().toISOString();
      await outbox.append({ t: 'msg', at, id, ticket: ticketId, kind, channel, ...facts });
      if (channel === 'page') await outbox.append({ t: 'delivered', at, id });
      else this.#queueSend(outbox, id, 0);
    } finally {
      this.#enqueuing.delete(id);
    }
  }

  // -------------------------------------------------------------------------
  // Bookings (issue 12): reminders the day before and an hour before, and a notice when the office
  // blocks the slot. The number lives in BookingContacts (per slot day, never in a journal); the
  // messages go through today's outbox like the ticket alerts, one id per (office, booking, kind).

  readonly #bookingContacts = new Map<string, BookingContactsStore>();
  readonly #bookingChains = new Map<string, Promise<unknown>>();

  /** The booking page, for "silakan pilih waktu lain" (only with a public address: a link must work from a phone). */
  #bookingLink(officeId: string): string | undefined {
    return this.deps.publicUrl ? `${this.deps.publicUrl.replace(/\/+$/, '')}/book/?office=${encodeURIComponent(officeId)}` : undefined;
  }

  /** One office's booking contact changes and sweeps run one at a time. */
  #bookingSerial<T>(officeId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#bookingChains.get(officeId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.#bookingChains.set(officeId, next.catch(() => undefined));
    return next;
  }

  async #bookingDay(officeId: string, day: string): Promise<BookingContactsStore> {
    const key = `${officeId}/${day}`;
    // A shared store is read each time: another process may have taken a number since.
    if (this.#backend.shared) return this.#backend.openBookingContacts(officeId, day);
    let c = this.#bookingContacts.get(key);
    if (!c) {
      c = await this.#backend.openBookingContacts(officeId, day);
      this.#bookingContacts.set(key, c);
    }
    return c;
  }

  /**
   * A phone number given with consent when booking: kept for the booking's reminders (WhatsApp when
   * the server can send it, else SMS). Answers the last 4 digits, or null when the number is not an
   * Indonesian mobile number or no phone channel is configured (then nothing is kept).
   */
  async bookingPhone(officeId: string, b: Pick<Booking, 'code' | 'officeDay'>, number: string): Promise<string | null> {
    const e164 = normalizeIndonesianPhone(number);
    const channel = this.phoneChannels(officeId)[0];
    if (!e164 || !channel || this.#closed) return null;
    await this.#bookingSerial(officeId, async () => {
      const c = await this.#bookingDay(officeId, b.officeDay);
      c.contacts.set(b.code, { phone: { e164, channel } });
      await c.save();
    });
    return last4(e164);
  }

  /** Moves a booking's number to the booking that replaced it (a change of slot). */
  async bookingChanged(officeId: string, old: Pick<Booking, 'code' | 'officeDay'>, now: Pick<Booking, 'code' | 'officeDay'>): Promise<void> {
    await this.#bookingSerial(officeId, async () => {
      const from = await this.#bookingDay(officeId, old.officeDay);
      const contact = from.contacts.get(old.code);
      if (!contact) return;
      const to = await this.#bookingDay(officeId, now.officeDay);
      to.contacts.set(now.code, contact);
      await to.save();
      from.contacts.delete(old.code);
      await from.save();
    });
  }

  /**
   * ComplaintService.onChanged: a citizen who left a number is told of an answer or a new status,
   * once per change (the id names the change: the answers so far and the status). The number stays
   * in the complaint record (erased with it, docs/complaints.md) and is read again at each send.
   */
  async complaintChanged(office: OfficeConfig, before: Complaint, after: Complaint): Promise<void> {
    if (!after.contact?.phone || this.#closed) return;
    const answered = after.responses.length > before.responses.length;
    if (!answered && after.status === before.status) return;
    const channel = this.phoneChannels(office.id)[0];
    if (!channel || !normalizeIndonesianPhone(after.contact.phone)) return;
    const outbox = await this.#dayOf(office.id, officeDayOf(this.deps.now(), office.timeZone));
    if (!outbox) return;
    const id = `complaint:${office.id}:${after.id}:${after.responses.length}:${after.status}`;
    if (outbox.messages.has(id) || this.#enqueuing.has(id)) return;
    this.#enqueuing.add(id);
    try {
      await outbox.append({ t: 'msg', at: this.deps.now().toISOString(), id, ticket: `complaint:${after.code}`, kind: 'complaint', channel, complaint: { id: after.id, code: after.code, status: after.status, answered } });
      this.#queueSend(outbox, id, 0);
    } finally {
      this.#enqueuing.delete(id);
    }
  }

  /** BookingService.onBlocked: each cancelled booking with a number is told its slot was cancelled by the office. */
  async bookingsBlocked(office: OfficeConfig, bookings: readonly Booking[]): Promise<void> {
    await this.#bookingSerial(office.id, async () => {
      const outbox = await this.#dayOf(office.id, officeDayOf(this.deps.now(), office.timeZone));
      if (!outbox) return;
      for (const b of bookings) {
        const contact = (await this.#bookingDay(office.id, b.officeDay)).contacts.get(b.code);
        if (contact?.phone) await this.#enqueueBooking(office, outbox, b, 'blocked', contact.phone.channel);
      }
    });
  }

  /**
   * Due reminders of today's and tomorrow's bookings, and the erasure of numbers whose booking
   * ended (or whose day is over). Idempotent: the outbox holds each id at most once.
   *  - day-before: on the day before the slot, from DAY_BEFORE_AT office time (a booking made later
   *    that evening gets it at once);
   *  - hour-before: from HOUR_BEFORE_MS before the slot start until the start.
   */
  async #bookingSweep(office: OfficeConfig, today: string): Promise<void> {
    const nowMs = this.deps.now().getTime();
    const tomorrow = addDays(today, 1);
    let outbox: OutboxDayStore | null | undefined;
    for (const day of (await this.#backend.daysWithBookingContacts(office.id)).sort()) {
      if (day < today) {
        this.#bookingContacts.delete(`${office.id}/${day}`);
        await this.#backend.eraseBookingContacts(office.id, day);
        this.deps.log.info({ office: office.id, officeDay: day }, 'notify: booking contact data of a past day erased');
        continue;
      }
      const contacts = await this.#bookingDay(office.id, day);
      const state = await this.#state(office, day);
      if (!state) continue;
      let changed = false;
      for (const [code, contact] of contacts.contacts) {
        const b = state.booking.byCode.get(code);
        if (!b || b.state === 'held') continue;
        outbox ??= await this.#dayOf(office.id, today);
        if (b.state !== 'confirmed') {
          const ended = b.endedAt ? Date.parse(b.endedAt) : 0;
          const pending = !!outbox && [...outbox.messages.values()].some((m) => m.booking?.code === code && m.state === 'pending');
          if (!pending && nowMs - ended >= ENDED_GRACE_MS) {
            contacts.contacts.delete(code);
            changed = true;
          }
          continue;
        }
        if (!outbox || !contact.phone) continue;
        const slotMs = Date.parse(b.slot);
        if (day === tomorrow && nowMs >= zonedInstant(today, DAY_BEFORE_AT, office.timeZone).getTime()) await this.#enqueueBooking(office, outbox, b, 'day-before', contact.phone.channel);
        if (day === today && nowMs >= slotMs - HOUR_BEFORE_MS && nowMs < slotMs) await this.#enqueueBooking(office, outbox, b, 'hour-before', contact.phone.channel);
      }
      if (changed) await contacts.save();
    }
  }

  async #enqueueBooking(office: OfficeConfig, outbox: OutboxDayStore, b: Booking, kind: BookingMessageKind, channel: NotifyChannel): Promise<void> {
    const id = bookingMessageId(office.id, b.code, kind);
    if (outbox.messages.has(id) || this.#enqueuing.has(id)) return;
    this.#enqueuing.add(id);
    try {
      const service = office.services.find((s) => s.id === b.serviceId);
      const booking: BookingRef = { day: b.officeDay, code: b.code, service: service ? (typeof service.name === 'string' ? service.name : service.name.id) : b.serviceId, slot: b.slot };
      await outbox.append({ t: 'msg', at: this.deps.now().toISOString(), id, ticket: `booking:${b.officeDay}/${b.code}`, kind, channel, booking });
      this.#queueSend(outbox, id, 0);
    } finally {
      this.#enqueuing.delete(id);
    }
  }

  // -------------------------------------------------------------------------
  // Delivery

  #queueSend(day: OutboxDayStore, id: string, attempts: number, dueAt = Date.now()): void {
    if (this.#closed) return;
    const p = this.#pending.get(id);
    if (p?.inFlight) return;
    this.#pending.set(id, { day, id, attempts, dueAt, inFlight: false });
    this.#pump();
  }

  #pump(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const now = Date.now();
    let next = Infinity;
    for (const p of this.#pending.values()) {
      if (p.inFlight) continue;
      if (p.dueAt <= now && this.#inFlight < CONCURRENCY) {
        p.inFlight = true;
        this.#inFlight += 1;
        void this.#attempt(p).finally(() => {
          this.#inFlight -= 1;
          this.#pump();
        });
      } else next = Math.min(next, p.dueAt);
    }
    if (next < Infinity) {
      this.#timer = setTimeout(() => this.#pump(), Math.max(0, next - Date.now()));
      this.#timer.unref();
    }
  }

  #senderFor(officeId: string, channel: NotifyChannel, contact: Contact | undefined): Sender | null {
    if (channel === 'push') return this.#senders.push;
    if (channel === 'whatsapp') return this.#whatsappOf(officeId);
    if (channel === 'sms') return this.#webhookOf(officeId);
    void contact;
    return null;
  }

  #backoff(attempts: number): number {
    const s = this.deps.settings;
    return Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  }

  async #attempt(p: Pending): Promise<void> {
    const { day, id } = p;
    const m = day.messages.get(id);
    if (!m || m.state !== 'pending' || this.#days.get(day.officeId) !== day) {
      this.#pending.delete(id);
      return;
    }
    // "Called" never overtakes the same ticket's "near" on that channel while that one is being sent
    // or is due now (a slow provider, a busy outbox): the phone shows them in order. Not while "near"
    // waits out a back-off: the call is not held for it.
    if (m.kind === 'called' && !m.booking && !m.complaint) {
      const near = this.#pending.get(messageId(day.officeId, m.ticket, 'near', m.channel));
      if (near && near.day === day && (near.inFlight || near.dueAt <= Date.now())) {
        p.inFlight = false;
        p.dueAt = Date.now() + 20;
        return;
      }
    }
    // On a shared store the claim is a row lock that another process sending it skips (pg-outbox.ts).
    let claim: OutboxClaim | null;
    try {
      claim = await day.claim(id);
    } catch (err) {
      this.deps.log.error({ err, id }, 'notify: outbox claim failed');
      p.inFlight = false;
      p.dueAt = Date.now() + this.#backoff(p.attempts + 1);
      return;
    }
    if (!claim) {
      // Settled, or another process is sending it now: the periodic tick looks again (it may die sending).
      this.#pending.delete(id);
      return;
    }
    if (claim.attempts !== null) p.attempts = claim.attempts;
    if (claim.dueAt !== null && claim.dueAt > Date.now() + 5) {
      // Another process failed it and set a back-off: wait for it.
      await claim.release().catch(() => undefined);
      p.inFlight = false;
      p.dueAt = claim.dueAt;
      return;
    }
    const held = claim;
    const at = () => this.deps.now().toISOString();
    /** Records the final outcome, then lets a finished ticket's contact data go. */
    const settle = async (record: { t: 'sent'; providerId?: string } | { t: 'failed'; reason: string }): Promise<void> => {
      await held.settle({ ...record, at: at(), id });
      this.#pending.delete(id);
      if (this.#eraseAfter.has(`${day.officeId}/${m.ticket}`)) await this.#eraseWhenSettled(day, m.ticket);
    };
    let contact: Contact | undefined;
    try {
      // A booking's number is in its slot day's file (read from disk after a restart).
      if (m.complaint) {
        // A complaint's number lives in the complaint (gone once erased): read it at each attempt.
        const c = await this.deps.store.complaints.get(day.officeId, m.complaint.id);
        const e164 = c?.contact?.phone ? normalizeIndonesianPhone(c.contact.phone) : null;
        contact = e164 && m.channel !== 'push' && m.channel !== 'page' ? { phone: { e164, channel: m.channel } } : undefined;
      } else contact = m.booking ? (await this.#bookingDay(day.officeId, m.booking.day)).contacts.get(m.booking.code) : day.contacts.get(m.ticket);
    } catch (err) {
      this.deps.log.error({ err, id }, 'notify: booking contacts unreadable');
    }
    const sender = this.#senderFor(day.officeId, m.channel, contact);
    const out = this.#outgoing(day, m, contact);
    try {
      if (!sender || !out) return await settle({ t: 'failed', reason: sender ? 'contact erased' : 'channel not configured' });
      const outcome = await sender.send(out);
      if (this.#closed) {
        await held.release().catch(() => undefined);
        return;
      }
      const attempts = p.attempts + 1;
      if (outcome.ok) return await settle({ t: 'sent', ...(outcome.providerId ? { providerId: outcome.providerId } : {}) });
      // Never a contact in a log line: the message id names the ticket and channel only.
      this.deps.log.warn({ id, attempts, reason: outcome.reason, retry: outcome.retry }, 'notify: send failed');
      if (outcome.retry && attempts < this.deps.settings.maxAttempts) {
        const dueAt = Date.now() + (outcome.afterMs ?? this.#backoff(attempts));
        await held.retry(attempts, dueAt);
        p.inFlight = false;
        p.attempts = attempts;
        p.dueAt = dueAt;
        return;
      }
      if (!outcome.retry && outcome.gone && m.channel === 'push' && contact?.push) {
        // The browser dropped the subscription: nothing more can reach it.
        const { push: _gone, ...rest } = contact;
        void _gone;
        day.contacts.set(m.ticket, rest);
        await day.saveContacts();
      }
      await settle({ t: 'failed', reason: outcome.reason });
    } catch (err) {
      // The outcome could not be recorded: try again later (a repeat is deduped by id).
      this.deps.log.error({ err, id }, 'notify: outbox write failed');
      await held.release().catch(() => undefined);
      p.inFlight = false;
      p.dueAt = Date.now() + this.#backoff(p.attempts + 1);
    }
  }

  #outgoing(day: OutboxDayStore, m: OutboxMessage, contact: Contact | undefined): OutgoingMessage | null {
    if (m.channel === 'page') return null;
    if (m.complaint) {
      if (!contact?.phone || contact.phone.channel !== m.channel) return null;
      const text = complaintText(m.complaint);
      return { id: m.id, channel: m.channel, kind: 'complaint', officeId: day.officeId, ticketId: m.ticket, number: m.complaint.code, text, payload: { title: `Pengaduan ${m.complaint.code}`, body: text, url: '', tag: m.id }, to: contact.phone.e164, chat: false };
    }
    if (m.booking) {
      if (!contact?.phone || contact.phone.channel !== m.channel) return null;
      const office = this.deps.queue.office(day.officeId);
      const kind = m.kind as BookingMessageKind;
      const text = bookingText(kind, { ...m.booking, timeZone: office?.timeZone ?? 'Asia/Makassar', link: kind === 'blocked' ? this.#bookingLink(day.officeId) : undefined });
      return { id: m.id, channel: m.channel, kind, officeId: day.officeId, ticketId: m.ticket, number: m.booking.code, text, payload: { title: bookingTitle(kind, m.booking.code), body: text, url: '', tag: m.id }, to: contact.phone.e164, chat: false };
    }
    const number = m.ticket.split('/')[1] ?? m.ticket;
    const facts = { number, kind: m.kind as 'near' | 'called', ...(m.ahead !== undefined ? { ahead: m.ahead } : {}), ...(m.counter !== undefined ? { counterName: m.counter } : {}) };
    const url = this.#pageUrl(day.officeId, m.ticket);
    const base = { id: m.id, channel: m.channel, kind: m.kind, officeId: day.officeId, ticketId: m.ticket, number, text: alertText(facts), payload: pushPayload(facts, url, `${m.ticket}:${m.kind}`) };
    if (m.channel === 'push') return contact?.push ? { ...base, push: contact.push } : null;
    if (!contact?.phone || contact.phone.channel !== m.channel) return null;
    return { ...base, to: contact.phone.e164, chat: !!contact.phone.chat };
  }

  /** The ticket's page with its holder key: the alert opens it as its holder (the push payload is encrypted to the holder's browser). */
  #pageUrl(officeId: string, ticketId: string): string {
    const k = holderKey(this.deps.secrets.holderKey, officeId, ticketId);
    return this.deps.publicUrl ? trackUrl(this.deps.publicUrl, officeId, ticketId, k) : `${trackPath(officeId, ticketId)}?k=${encodeURIComponent(k)}`;
  }

  /** Waits until no message is pending or in flight (tests, shutdown); false after `timeoutMs`. */
  async drained(timeoutMs = 10_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.#pending.size > 0 || this.#enqueuing.size > 0) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  // -------------------------------------------------------------------------
  // Provider callbacks

  #findMessage(id: string): { day: OutboxDayStore; m: OutboxMessage } | null {
    for (const day of this.#days.values()) {
      const m = day.messages.get(id);
      if (m) return { day, m };
    }
    return null;
  }

  #findByProviderId(providerId: string): { day: OutboxDayStore; m: OutboxMessage } | null {
    for (const day of this.#days.values()) for (const m of day.messages.values()) if (m.providerId === providerId) return { day, m };
    return null;
  }

  async #receipt(found: { day: OutboxDayStore; m: OutboxMessage }, status: 'sent' | 'delivered' | 'read' | 'failed', reason?: string): Promise<void> {
    const at = this.deps.now().toISOString();
    if (status === 'delivered' || status === 'read') {
      if (found.m.state !== 'delivered') await found.day.append({ t: 'delivered', at, id: found.m.id });
    } else if (status === 'failed') {
      if (found.m.state !== 'failed' && found.m.state !== 'delivered') {
        this.#pending.delete(found.m.id);
        await found.day.append({ t: 'failed', at, id: found.m.id, reason: `provider: ${(reason ?? 'failed').slice(0, 100)}` });
      }
    } else if (found.m.state === 'pending') {
      // The provider says it took a message whose answer we did not record (a crash): it counts as sent.
      this.#pending.delete(found.m.id);
      await found.day.append({ t: 'sent', at, id: found.m.id });
    }
  }

  /** POST /api/v1/notify/webhook/receipt: a signed delivery receipt of the generic webhook provider. */
  async webhookReceipt(raw: Buffer, signature: unknown, from: string | undefined): Promise<void> {
    // Signed with the server-wide secret or with an office's own (admin console).
    const secrets = [this.deps.settings.webhookSecret, ...this.deps.queue.offices().map((o) => o.notify?.webhook.secret ?? undefined)];
    if (!secrets.some((s) => signatureValid(s ?? undefined, raw, signature))) {
      this.deps.log.warn({ from, bytes: raw.length, signed: typeof signature === 'string' }, 'notify: webhook receipt refused (bad or missing signature)');
      throw fail('forbidden');
    }
    const body = parseJson(raw);
    const r = webhookReceiptSchema.safeParse(body);
    if (!r.success) throw HttpError.of('bad_request', r.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
    const found = this.#findMessage(r.data.id);
    if (!found) throw fail('not_found');
    await this.#receipt(found, r.data.status, r.data.error);
  }

  /** GET /api/v1/notify/whatsapp: the Cloud API's webhook verification. */
  whatsappVerify(mode: unknown, token: unknown, challenge: unknown): string {
    const expected = this.deps.settings.whatsappVerifyToken;
    if (!expected || mode !== 'subscribe' || typeof token !== 'string' || token !== expected || typeof challenge !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(challenge)) {
      this.deps.log.warn({ mode: typeof mode === 'string' ? mode.slice(0, 20) : null }, 'notify: whatsapp webhook verification refused');
      throw fail('forbidden');
    }
    return challenge;
  }

  /** POST /api/v1/notify/whatsapp: statuses and inbound messages, signed X-Hub-Signature-256 with the app secret. */
  async whatsappWebhook(raw: Buffer, signature: unknown, from: string | undefined): Promise<void> {
    if (!signatureValid(this.deps.settings.whatsappAppSecret, raw, signature)) {
      this.deps.log.warn({ from, bytes: raw.length, signed: typeof signature === 'string' }, 'notify: whatsapp webhook refused (bad or missing signature)');
      throw fail('forbidden');
    }
    const r = whatsappWebhookSchema.safeParse(parseJson(raw));
    if (!r.success) throw HttpError.of('bad_request', r.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
    await this.#whatsappEvents(r.data);
  }

  async #whatsappEvents(body: WhatsAppWebhook): Promise<void> {
    for (const entry of body.entry) {
      for (const change of entry.changes) {
        for (const s of change.value.statuses ?? []) {
          const found = (s.biz_opaque_callback_data ? this.#findMessage(s.biz_opaque_callback_data) : null) ?? this.#findByProviderId(s.id);
          if (!found || (s.status !== 'sent' && s.status !== 'delivered' && s.status !== 'read' && s.status !== 'failed')) continue;
          await this.#receipt(found, s.status);
        }
        for (const msg of change.value.messages ?? []) {
          if (this.#inboundSeen.has(msg.id)) continue; // the Cloud API redelivers webhooks
          this.#inboundSeen.add(msg.id);
          if (this.#inboundSeen.size > 10_000) this.#inboundSeen.delete(this.#inboundSeen.values().next().value as string);
          if (!/^\d{8,15}$/.test(msg.from)) continue;
          const { text: reply, officeId } = await this.#chat(`+${msg.from}`, msg.type === 'text' ? (msg.text?.body ?? '') : '');
          if (reply) await this.#reply(`+${msg.from}`, reply, officeId);
        }
      }
    }
  }

  /** A citizen's WhatsApp message: a ticket code subscribes the chat; STATUS and BATAL act on the ticket it follows. */
  async #chat(e164: string, text: string): Promise<{ text: string; officeId?: string }> {
    const at: { officeId?: string } = {};
    const reply = await this.#chatText(e164, text, at);
    return { text: reply, ...at };
  }

  async #chatText(e164: string, text: string, at: { officeId?: string }): Promise<string> {
    const words = text.trim().split(/\s+/).filter(Boolean).slice(0, 8);
    const command = words[0]?.toUpperCase();
    if (command === 'STATUS' || command === 'BATAL') {
      const linked = this.#chatTicket(e164);
      if (!linked) return CHAT_NO_TICKET;
      at.officeId = linked.day.officeId;
      const office = this.deps.queue.office(linked.day.officeId);
      const number = linked.ticketId.split('/')[1] ?? '';
      if (!office) return CHAT_NO_TICKET;
      if (command === 'STATUS') {
        const state = await this.#state(office, linked.day.officeDay);
        const t = state?.tickets.get(linked.ticketId);
        if (!state || !t) return CHAT_NO_TICKET;
        const p = t.state === 'waiting' ? positions(state, office, this.deps.now().getTime()).get(linked.ticketId) : undefined;
        return statusReply(number, p?.ahead ?? null, p?.wait ?? null, t.state);
      }
      // Exactly the command the page's "Saya batal datang" runs (same actor, reason and idempotency key, so
      // a cancel from both is one cancel); the domain refuses it once the ticket was called (cancel_too_late).
      const key = `holder-cancel:${linked.ticketId.replace('/', ':')}`;
      const res = await this.deps.queue.execute(office.id, { type: 'cancel', ticket: linked.ticketId, reason: CITIZEN_CANCEL_REASON, key }, CITIZEN_ACTOR);
      return res.ok ? CHAT_CANCELLED(number) : CHAT_CANNOT_CANCEL(number);
    }
    const code = parseChatCode(words);
    if (!code) return CHAT_HELP;
    const offices = this.deps.queue.offices();
    const office = code.office ? offices.find((o) => o.id.toLowerCase() === code.office) : offices.length === 1 ? offices[0] : undefined;
    if (!office) return CHAT_HELP;
    at.officeId = office.id;
    const officeDay = officeDayOf(this.deps.now(), office.timeZone);
    const ticketId = `${officeDay}/${code.number}`;
    if (!holderKeyValid(this.deps.secrets.holderKey, office.id, ticketId, code.key)) return CHAT_HELP;
    const outbox = await this.#dayOf(office.id, officeDay);
    const state = await this.#state(office, officeDay);
    const t = state?.tickets.get(ticketId);
    if (!outbox || !state || !t || t.state === 'done' || t.state === 'cancelled' || t.state === 'no_show') return CHAT_NO_TICKET;
    const contact: Contact = { ...outbox.contacts.get(ticketId), phone: { e164, channel: 'whatsapp', chat: true } };
    outbox.contacts.set(ticketId, contact);
    await outbox.saveContacts();
    await outbox.append({ t: 'sub', at: this.deps.now().toISOString(), ticket: ticketId, threshold: outbox.subs.get(ticketId)?.threshold ?? 3 });
    await this.#evaluate(office, state, outbox);
    return CHAT_SUBSCRIBED(code.number);
  }

  #chatTicket(e164: string): { day: OutboxDayStore; ticketId: string } | null {
    for (const day of this.#days.values()) {
      for (const [ticketId, c] of day.contacts) if (c.phone?.chat && c.phone.e164 === e164 && day.subs.has(ticketId)) return { day, ticketId };
    }
    return null;
  }

  /** A chat reply: inside the chat's 24-hour window, free text, one try (the citizen can ask again). */
  async #reply(e164: string, text: string, officeId: string | undefined): Promise<void> {
    // The office's own Cloud API account when it has one (the chat is with its number), else the server's.
    const sender = this.#ownCloud(officeId) ?? this.#senders.whatsapp;
    if (!sender) return;
    const id = `reply.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 8)}`;
    const outcome = await sender.send({ id, channel: 'whatsapp', kind: 'near', officeId: '', ticketId: '', number: '', text, payload: { title: '', body: text, url: '', tag: '' }, to: e164, chat: true });
    if (!outcome.ok) this.deps.log.warn({ id, reason: outcome.reason }, 'notify: chat reply not sent');
  }
}

function emptyStatus(threshold: number): NotifyStatus {
  return { threshold, channels: ['page'], phoneLast4: null, delivered: [] };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw fail('invalid_json');
  }
}

/**
 * The code the track page puts in its "WhatsApp" link: `ANTRE <office> <number> <holder key>`
 * (office optional on a one-office server; the word ANTRE optional). The holder key is required:
 * without it anyone could follow, or cancel, someone else's ticket.
 */
export function parseChatCode(words: string[]): { office?: string; number: string; key: string } | null {
  const w = words[0]?.toUpperCase() === 'ANTRE' ? words.slice(1) : words;
  const at = w.findIndex((x) => /^[A-Za-z]\d{3,4}$/.test(x));
  if (at < 0 || at > 1) return null;
  const key = w[at + 1];
  if (!key || !/^[A-Za-z0-9_-]{11}$/.test(key)) return null;
  const office = at === 1 ? w[0]?.toLowerCase() : undefined;
  return { ...(office ? { office } : {}), number: w[at]!.toUpperCase(), key };
}

