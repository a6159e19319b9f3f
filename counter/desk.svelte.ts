// The counter screen's state: who is signed in, which counter this PC is,
// the live queue copy, and sending commands. One instance (`desk`).
//
// Commands: each press gets its own idempotency key; a retry of a press whose
// answer never came reuses that key, so the server runs it at most once. No
// command is sent while offline, and none is queued for later: the clerk is
// told it was not sent.
import type { Command } from '../protocol/commands.ts';
import type { ApiError } from '../protocol/errors.ts';
import type { CommandResult, CounterClientToServer, CounterServerToClient } from '../protocol/events.ts';
import type { PrinterStatus } from '../protocol/devices.ts';
import type { Bilingual, PublicOffice, QueueDelta, QueueSnapshot, Role } from '../protocol/model.ts';
import { api, newKey } from '../ui/api.ts';
import { fill, i18n, type Lang } from '../ui/i18n.svelte.ts';
import { QueueClient } from '../ui/queue-client.ts';
import { m } from './strings.ts';

export interface StaffUser {
  id: string;
  username: string;
  name: string;
  role: Role;
  offices: string[];
}

/** A command without its idempotency key (the desk adds one per press). */
export type CommandInput = Command extends infer C ? (C extends Command ? Omit<C, 'key'> : never) : never;

export type Tone = 'ok' | 'info' | 'warn' | 'error';

export interface Feedback {
  seq: number;
  tone: Tone;
  text: Bilingual;
  /** Sends the same press again with the same key. */
  retry?: () => void;
  /** performance.now() when the server's answer arrived, or the message was made (to measure the time to screen). */
  ackAt?: number;
}

export interface SendOptions {
  /** What the command is, for messages ("Panggil berikutnya"). */
  label: Bilingual;
  /** The message after success; default "{label}: selesai". */
  success?: (r: CommandResult) => Bilingual;
  /** Reuse a key (a retry of the same press). */
  key?: string;
  /** Do not show success (background commands). */
  quiet?: boolean;
}

const LANG_KEY = 'giliran.counter.lang';
const counterKey = (office: string) => `giliran.counter.${office}`;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function both(f: (lang: Lang) => string): Bilingual {
  return { id: f('id'), en: f('en') };
}

export function filled(text: Bilingual, values: Record<string, string | number>): Bilingual {
  return { id: fill(text.id, values), en: fill(text.en, values) };
}

class Desk {
  phase = $state<'loading' | 'login' | 'password' | 'desk'>('loading');
  /** The password just typed at sign-in, while it must be changed (so the form need not ask for it again). */
  private signInPassword: string | null = null;
  /** Why the sign-in form is shown again (session ended), or a start-up problem. */
  notice = $state.raw<Bilingual | null>(null);
  officeId = $state('kupang');
  office = $state.raw<PublicOffice | null>(null);
  user = $state.raw<StaffUser | null>(null);
  snap = $state.raw<QueueSnapshot | null>(null);
  /** The socket is up. */
  connected = $state(false);
  /** Up and holding the server's current state (a snapshot came since connecting): commands may go. */
  online = $state(false);
  everOnline = $state(false);
  /** A refusal of the socket other than an ended session (e.g. not staff of this office). */
  refused = $state.raw<ApiError | null>(null);
  /** The office's data cannot be read (the server said `unavailable`): shown in the offline banner. */
  unavailable = $state.raw<ApiError | null>(null);
  counterId = $state<string | null>(null);
  feedback = $state.raw<Feedback | null>(null);
  /** Command types waiting for their answer. */
  pending = $state<Record<string, number>>({});
  printers = $state.raw<PrinterStatus[]>([]);
  /** Server time now, ms; ticks every few seconds. */
  now = $state(Date.now());

  private client: QueueClient<CounterServerToClient, CounterClientToServer> | null = null;
  private offset = 0;
  private seq = 0;
  private tick: ReturnType<typeof setInterval> | null = null;
  /** Counters this page has already signed the user in at (sign_in sent). */
  private claimed = new Set<string>();
  private claimTimer: ReturnType<typeof setTimeout> | null = null;

  get isLead(): boolean {
    return this.user?.role === 'supervisor' || this.user?.role === 'admin';
  }

  async boot(): Promise<void> {
    const lang = storage()?.getItem(LANG_KEY);
    if (lang === 'en' || lang === 'id') i18n.lang = lang;
    const s = await api<{ user: StaffUser; mustChangePassword?: boolean }>('GET', '/api/v1/session');
    if (s.ok && s.data.mustChangePassword) return this.mustChange(s.data.user, null);
    if (s.ok) return this.start(s.data.user);
    if (s.status === 0) {
      this.notice = m.serverUnreachable;
      setTimeout(() => void this.boot(), 3000);
      return;
    }
    this.phase = 'login';
  }

  setLang(lang: Lang): void {
    i18n.lang = lang;
    storage()?.setItem(LANG_KEY, lang);
  }

  async login(username: string, password: string): Promise<ApiError | null> {
    const r = await api<{ user: StaffUser; mustChangePassword?: boolean }>('POST', '/api/v1/session', { username, password });
    if (!r.ok) return r.error;
    this.notice = null;
    if (r.data.mustChangePassword) this.mustChange(r.data.user, password);
    else await this.start(r.data.user);
    return null;
  }

  /** The account's password was set by an admin: nothing but a change is allowed until it is changed. */
  private mustChange(user: StaffUser, typed: string | null): void {
    this.user = user;
    this.signInPassword = typed;
    this.phase = 'password';
  }

  /** Whether the form must ask for the current password (not when it was just typed at sign-in). */
  get needsCurrentPassword(): boolean {
    return this.signInPassword === null;
  }

  async changePassword(current: string | null, next: string): Promise<ApiError | null> {
    const r = await api('POST', '/api/v1/session/password', { current: current ?? this.signInPassword ?? '', next });
    if (!r.ok) return r.error;
    this.signInPassword = null;
    if (this.user) await this.start(this.user);
    return null;
  }

  async logout(): Promise<void> {
    // Free the counter first, so another clerk may sign in there (protocol/rules.ts signInRefusal).
    const c = this.snap?.counters.find((x) => x.id === this.counterId);
    if (c && this.user && c.staff?.id === this.user.id && this.online) {
      await this.send({ type: 'sign_out', counterId: c.id }, { label: m.signOut, quiet: true });
    }
    await api('DELETE', '/api/v1/session');
    this.stop();
    this.signInPassword = null;
    this.phase = 'login';
  }

  async start(user: StaffUser): Promise<void> {
    this.user = user;
    const fromUrl = new URLSearchParams(location.search).get('office');
    const own = user.offices.find((o) => o !== '*');
    this.officeId = fromUrl ?? (user.offices.includes('*') ? 'kupang' : own ?? 'kupang');
    for (;;) {
      const o = await api<{ office: PublicOffice }>('GET', `/api/v1/offices/${encodeURIComponent(this.officeId)}`);
      if (o.ok) {
        this.office = o.data.office;
        break;
      }
      if (o.status !== 0) {
        this.notice = o.error.message;
        this.phase = 'login';
        return;
      }
      this.notice = m.serverUnreachable;
      await new Promise((r) => setTimeout(r, 3000));
    }
    this.notice = null;
    const saved = storage()?.getItem(counterKey(this.officeId)) ?? null;
    this.counterId = this.office.counters.some((c) => c.id === saved) ? saved : null;
    this.connect();
    this.phase = 'desk';
  }

  stop(): void {
    this.client?.close();
    this.client = null;
    if (this.tick) clearInterval(this.tick);
    if (this.claimTimer) clearTimeout(this.claimTimer);
    this.tick = null;
    this.user = null;
    this.snap = null;
    this.connected = false;
    this.online = false;
    this.everOnline = false;
    this.feedback = null;
    this.refused = null;
    this.unavailable = null;
    this.pending = {};
    this.claimed.clear();
  }

  private connect(): void {
    const client = new QueueClient<CounterServerToClient, CounterClientToServer>(
      { role: 'counter', office: this.officeId },
      {
        onSnapshot: (s) => {
          this.offset = Date.parse(s.serverTime) - Date.now();
          this.now = Date.now() + this.offset;
          this.snap = s;
          if (this.client?.socket.connected) {
            this.online = true;
            this.everOnline = true;
          }
          this.claimCounter();
        },
        onDelta: (d, s) => {
          this.snap = s;
          this.noticeFrom(d.events, s);
        },
        onConnection: (up) => {
          this.connected = up;
          if (up) this.refused = null;
          else this.online = false;
        },
        onUnavailable: (e) => (this.unavailable = e),
        onRefused: (e) => {
          if (e.code === 'unauthenticated') {
            this.stop();
            this.notice = m.sessionEnded;
            this.phase = 'login';
          } else {
            this.refused = e;
          }
        },
      },
    );
    // The server hangs up on purpose when the session ends (logout elsewhere, expiry):
    // socket.io does not reconnect then, so ask whether the session still holds.
    client.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') void this.recheckSession();
    });
    client.socket.on('office', (o) => (this.office = o)); // saved in the admin console
    client.socket.on('printer_status', (p) => {
      this.printers = [...this.printers.filter((x) => x.printerId !== p.printerId), p];
    });
    this.client = client.connect();
    this.tick = setInterval(() => (this.now = Date.now() + this.offset), 5000);
  }

  private async recheckSession(): Promise<void> {
    const s = await api<{ user: StaffUser }>('GET', '/api/v1/session');
    if (!this.client) return;
    if (s.ok) {
      this.client.socket.connect();
    } else if (s.status === 401) {
      this.stop();
      this.notice = m.sessionEnded;
      this.phase = 'login';
    } else {
      setTimeout(() => void this.recheckSession(), 3000);
    }
  }

  chooseCounter(id: string): void {
    this.counterId = id;
    storage()?.setItem(counterKey(this.officeId), id);
    this.claimed.delete(id); // chosen again: try again (it may have been taken when last tried)
    // Arrow keys walk through counters: sign in only at the one the clerk stays on.
    if (this.claimTimer) clearTimeout(this.claimTimer);
    this.claimTimer = setTimeout(() => this.claimCounter(), 700);
  }

  /** Signs the user in at the chosen counter: it is theirs until they sign out (other clerks are refused there). */
  claimCounter(): void {
    const id = this.counterId;
    const c = this.snap?.counters.find((x) => x.id === id);
    if (!id || !c || !this.user || !this.online || this.claimed.has(id)) return;
    this.claimed.add(id);
    if (c.staff?.id === this.user.id) return;
    // A supervisor looking in never takes a counter from the clerk working there.
    if (c.staff && this.isLead) return;
    void this.send({ type: 'sign_in', counterId: id }, { label: m.actSignIn, quiet: true });
  }

  /** Changes at this counter that nobody here pressed for: tell the clerk. */
  private noticeFrom(events: QueueDelta['events'], s: QueueSnapshot): void {
    if (this.feedback?.retry) return; // keep an unanswered press on screen
    const number = (id: string) => s.tickets.find((t) => t.id === id)?.number ?? id.split('/')[1] ?? id;
    for (const e of events) {
      if (e.type === 'ticket_no_show' && e.counterId === this.counterId && e.actor.kind === 'system') {
        this.say('warn', filled(m.autoNoShow, { n: number(e.ticketId) }));
      } else if (e.type === 'ticket_transferred' && e.toCounterId === this.counterId && e.fromCounterId !== this.counterId) {
        this.say('info', filled(e.precedence ? m.transferredHereFirst : m.transferredHere, { n: number(e.ticketId) }));
      }
    }
  }

  say(tone: Tone, text: Bilingual, extra: Partial<Feedback> = {}): void {
    this.feedback = { seq: ++this.seq, tone, text, ackAt: performance.now(), ...extra };
  }

  /** Sends one press. Resolves with the result, or null when it failed or was not sent. */
  send(cmd: CommandInput, opts: SendOptions): Promise<CommandResult | null> {
    const socket = this.client?.socket;
    if (!socket || !this.online || !socket.connected) {
      this.say('error', both((l) => fill(m.notSent[l], { action: opts.label[l] })));
      return Promise.resolve(null);
    }
    const slot = cmd.type;
    if (this.pending[slot]) {
      this.say('info', both((l) => fill(m.stillWaiting[l], { action: opts.label[l] })));
      return Promise.resolve(null);
    }
    const key = opts.key ?? newKey(`c${this.counterId ?? 'x'}`);
    this.pending[slot] = Date.now();
    return new Promise((resolve) => {
      socket.timeout(8000).emit('command', { ...cmd, key } as Command, (err, res) => {
        delete this.pending[slot];
        const ackAt = performance.now();
        if (err || !res) {
          this.say('warn', both((l) => fill(m.noAnswer[l], { action: opts.label[l] })), {
            retry: () => void this.send(cmd, { ...opts, key }),
            ackAt,
          });
          return resolve(null);
        }
        if (!res.ok) {
          this.say('error', both((l) => `${opts.label[l]}: ${res.error.message[l]}`), { ackAt });
          return resolve(null);
        }
        if (!opts.quiet) {
          const text = opts.success?.(res.data) ?? both((l) => fill(m.done[l], { action: opts.label[l] }));
          this.say('ok', res.data.replayed ? both((l) => `${text[l]} ${m.replayed[l]}`) : text, { ackAt });
        }
        resolve(res.data);
      });
    });
  }
}

export const desk = new Desk();
