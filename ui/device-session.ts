// A screen's device session (kiosk, TV): its device token kept in
// localStorage, the socket to its role's namespace opened with it, pairing
// when it has none or it was revoked, and coming back by itself after the
// server said goodbye (a restart, a revoked token).
import type { ApiError } from '../protocol/errors.ts';
import type { QueueServerEvents, ResyncClientEvents } from '../protocol/events.ts';
import { api } from './api.ts';
import { QueueClient, type QueueClientEvents } from './queue-client.ts';

export type DeviceKind = 'kiosk' | 'display';

export interface PairingRequest {
  requestId: string;
  code: string;
  secret: string;
  expiresAt: string;
}

export type PairingStatus = { status: 'pending' } | { status: 'approved'; token: string; device: { id: string; officeId: string } };

export interface DeviceSessionOptions {
  kind: DeviceKind;
  /** The office the page was opened for (`?office=`). */
  office: string;
  /** A kiosk works for the office it was paired to; a TV shows the office its address names. */
  officeFromPairing?: boolean;
  /** Shown to the admin who approves the code. */
  name?: string;
  /** Server origin; the page's own by default (tests give one). */
  base?: string;
  /** localStorage by default; null where there is none. */
  storage?: Storage | null;
  socketOptions?: Record<string, unknown>;
  /** A new pairing code to show, or null once paired. */
  onPairing(pairing: PairingRequest | null): void;
  /** Approved: the token is stored, the socket opens next. */
  onPaired?(officeId: string): void;
}

/** After the server's goodbye, socket.io waits for a manual reconnect: this long. */
export const RECONNECT_AFTER_MS = 1_000;
export const POLL_EVERY_MS = 2_000;
export const PAIR_RETRY_MS = 5_000;

export function localStore(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export interface SessionEvents<S extends QueueServerEvents, C extends ResyncClientEvents> extends QueueClientEvents {
  /** Each new socket (after pairing, after a revoked token), for the page's own events. */
  onClient?(client: QueueClient<S, C>): void;
}

export interface DeviceSession<S extends QueueServerEvents, C extends ResyncClientEvents> {
  /** The socket of the moment (a new one after pairing). */
  readonly client: QueueClient<S, C> | null;
  /** The office this screen works for. */
  readonly office: string;
  /** Headers of a request made as this device (none for a loopback demo screen). */
  headers(): Record<string, string>;
  /** Opens the socket with the stored token; the page's handlers get every refusal but "not paired". */
  start(events: SessionEvents<S, C>): void;
  close(): void;
}

// A closure rather than a class: the pages are built for ES2020, where class
// fields turn into helper calls and keep their long names.
export function deviceSession<S extends QueueServerEvents = QueueServerEvents, C extends ResyncClientEvents = ResyncClientEvents>(opts: DeviceSessionOptions): DeviceSession<S, C> {
  const tokenKey = `giliran.${opts.kind}.deviceToken`;
  const officeKey = `giliran.${opts.kind}.office`;
  const store = opts.storage === undefined ? localStore() : opts.storage;
  const base = opts.base ?? '';
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let client: QueueClient<S, C> | null = null;
  let pairing: PairingRequest | null = null;
  let closed = false;
  let events: SessionEvents<S, C> = {};

  const token = () => store?.getItem(tokenKey) ?? null;
  const office = () => (opts.officeFromPairing && token() && store?.getItem(officeKey)) || opts.office;

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  }

  function connect(): void {
    client?.close();
    const deviceToken = token();
    const c = new QueueClient<S, C>(
      { role: opts.kind, office: office(), url: base, ...(deviceToken ? { deviceToken } : {}), ...(opts.socketOptions ? { socketOptions: opts.socketOptions } : {}) },
      {
        ...events,
        onRefused(e: ApiError) {
          if (e.code !== 'device_not_paired') return events.onRefused?.(e);
          store?.removeItem(tokenKey);
          store?.removeItem(officeKey);
          c.close();
          void pair();
        },
      },
    );
    // A server that shuts down cleanly (restart, revoked token) says goodbye and socket.io stays
    // down: connect again; a revoked token's handshake is then refused and pairing begins.
    c.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') later(RECONNECT_AFTER_MS, () => client === c && c.connect());
    });
    client = c;
    events.onClient?.(c);
    c.connect();
  }

  async function pair(): Promise<void> {
    if (pairing || closed) return;
    const r = await api<PairingRequest>('POST', `${base}/api/v1/devices/pairing`, opts.name ? { kind: opts.kind, name: opts.name } : { kind: opts.kind });
    if (closed) return;
    if (!r.ok) return later(PAIR_RETRY_MS, () => void pair());
    pairing = r.data;
    opts.onPairing(r.data);
    poll(r.data);
  }

  function poll(req: PairingRequest): void {
    later(POLL_EVERY_MS, async () => {
      const r = await api<PairingStatus>('GET', `${base}/api/v1/devices/pairing/${encodeURIComponent(req.requestId)}`, undefined, { 'x-pairing-secret': req.secret });
      if (pairing !== req || closed) return;
      if (r.ok && r.data.status === 'approved') {
        store?.setItem(tokenKey, r.data.token);
        store?.setItem(officeKey, r.data.device.officeId);
        pairing = null;
        opts.onPairing(null);
        opts.onPaired?.(r.data.device.officeId);
        connect();
      } else if (!r.ok && r.error.code === 'pairing_not_found') {
        pairing = null; // expired: a new code
        void pair();
      } else {
        poll(req); // pending, or the server is away for a moment
      }
    });
  }

  return {
    get client() {
      return client;
    },
    get office() {
      return office();
    },
    headers(): Record<string, string> {
      const t = token();
      return t ? { authorization: `Bearer ${t}` } : {};
    },
    start(e) {
      events = e;
      connect();
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      client?.close();
    },
  };
}
