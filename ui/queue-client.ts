// The one socket client every page uses: connects to its role's namespace,
// keeps the queue copy current, and asks for a snapshot when it sees a gap.
import { io, type Socket } from 'socket.io-client';
import type { ApiError } from '../protocol/errors.ts';
import type { QueueServerEvents, ResyncClientEvents, Role } from '../protocol/events.ts';
import type { QueueDelta, QueueSnapshot } from '../protocol/model.ts';
import { applyDelta, classifyDelta } from './queue-model.ts';

export interface QueueClientOptions {
  /** Server origin; defaults to the page's own. */
  url?: string;
  role: Role;
  office: string;
  deviceToken?: string;
  /** Extra socket.io options (tests pass extraHeaders, transports). */
  socketOptions?: Record<string, unknown>;
}

export interface QueueClientEvents {
  onSnapshot?(snap: QueueSnapshot): void;
  onDelta?(delta: QueueDelta, snap: QueueSnapshot): void;
  onConnection?(online: boolean): void;
  onRefused?(error: ApiError): void;
  /** The office's data cannot be read (the server's `unavailable`); null again with the next snapshot. */
  onUnavailable?(error: ApiError | null): void;
}

export class QueueClient<S extends QueueServerEvents = QueueServerEvents, C extends ResyncClientEvents = ResyncClientEvents> {
  readonly socket: Socket<S & QueueServerEvents, C & ResyncClientEvents>;
  snapshot: QueueSnapshot | null = null;
  resyncs = 0;
  // TypeScript-private, not #private: ES2020 would turn these into WeakMap helpers.
  private resyncing = false;
  /**
   * Deltas that arrive while a snapshot is on its way (on connect, after a
   * resync request): the server sends a snapshot only once all it shows is on
   * disk, so newer deltas can overtake it. Replayed onto it when it comes.
   */
  private early: QueueDelta[] = [];

  constructor(opts: QueueClientOptions, private readonly events: QueueClientEvents = {}) {
    const base = opts.url ?? '';
    const auth: Record<string, string> = { office: opts.office };
    if (opts.deviceToken) auth.deviceToken = opts.deviceToken;
    // WebSocket first, polling only when it fails (a proxy that blocks upgrades): a WebSocket stays on the
    // process that accepted it, so a central deployment needs no sticky sessions (docs/central.md).
    // The build leaves WebTransport out (vite.config.ts).
    this.socket = io(`${base}/${opts.role}`, { auth, autoConnect: false, withCredentials: true, transports: ['websocket', 'polling'], tryAllTransports: true, ...opts.socketOptions }) as never;
    const s = this.socket as unknown as Socket<QueueServerEvents, ResyncClientEvents>;
    s.on('snapshot', (snap) => this.handleSnapshot(snap));
    s.on('delta', (delta) => this.handleDelta(delta));
    s.on('unavailable', (e) => this.events.onUnavailable?.(e));
    s.on('connect', () => this.events.onConnection?.(true));
    s.on('disconnect', () => this.events.onConnection?.(false));
    s.on('connect_error', (err: Error & { data?: ApiError }) => {
      this.events.onConnection?.(false);
      if (err.data?.code) this.events.onRefused?.(err.data);
    });
  }

  connect(): this {
    this.socket.connect();
    return this;
  }

  close(): void {
    this.socket.close();
  }

  /** Public, like handleDelta, for tests. */
  handleSnapshot(snap: QueueSnapshot): void {
    const have = this.snapshot;
    this.events.onUnavailable?.(null); // the office's data can be read again
    // An answer to a resync can be overtaken by the deltas replayed from a newer snapshot: never go back.
    if (!have || have.officeDay !== snap.officeDay || snap.version >= have.version) {
      this.snapshot = snap;
      this.events.onSnapshot?.(snap);
    }
    for (const d of this.early.splice(0)) this.handleDelta(d);
  }

  /** Public for tests that simulate a lost delta. */
  handleDelta(delta: QueueDelta): void {
    if (!this.snapshot || this.resyncing) {
      this.early.push(delta);
      if (this.early.length > 1000) this.early.shift(); // a resync that never answers must not hold memory
      return;
    }
    const outcome = classifyDelta(this.snapshot, delta);
    if (outcome === 'stale') return;
    if (outcome === 'gap') return void this.resync();
    this.snapshot = applyDelta(this.snapshot, delta);
    this.events.onDelta?.(delta, this.snapshot);
  }

  resync(): void {
    if (this.resyncing) return;
    this.resyncing = true;
    this.resyncs += 1;
    const s = this.socket as unknown as Socket<QueueServerEvents, ResyncClientEvents>;
    s.timeout(10_000).emit('resync', (err, res) => {
      this.resyncing = false;
      if (err || !res || !res.ok) return void setTimeout(() => this.resync(), 1_000);
      this.handleSnapshot(res.data);
    });
  }
}
