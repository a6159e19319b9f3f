// A Socket.IO client for one namespace over WebSocket only, in ~1.5 KB: the
// phone page's budget (25 KB gzip) cannot carry socket.io-client (~11.5 KB
// gzip with the build's trims). It speaks Engine.IO v4 / Socket.IO v5 text
// packets — open "0", ping "2" → pong "3", message "4" + the Socket.IO packet:
// CONNECT "0", DISCONNECT "1", EVENT "2", ACK "3", CONNECT_ERROR "4" — and
// reconnects with a growing delay. No polling, no binary, no multiplexing:
// the tracking page needs none of them.

type Listener = (...args: any[]) => void;

export interface LeanSocketOptions {
  /** Namespace, e.g. "/track". */
  nsp: string;
  auth: Record<string, string>;
  /** Reconnection delays: from `min`, doubling to `max` (ms), with a little jitter. */
  delay?: { min: number; max: number };
  /** Server origin as ws(s)://host; defaults to the page's. */
  origin?: string;
}

export class LeanSocket {
  connected = false;
  private ws: WebSocket | null = null;
  private listeners = new Map<string, Listener[]>();
  private acks = new Map<number, Listener>();
  private nextAck = 0;
  private attempts = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private alive: ReturnType<typeof setTimeout> | null = null;
  private pingWindow = 20_000;
  /** False after close() or a refusal: no more reconnecting until connect(). */
  private active = false;

  constructor(private readonly opts: LeanSocketOptions) {}

  on(event: string, fn: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(fn);
    this.listeners.set(event, list);
    return this;
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }

  /** Emits an event; a function as the last argument is the acknowledgement. */
  emit(event: string, ...args: unknown[]): void {
    if (!this.connected || !this.ws) return;
    let id = '';
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args.pop();
      const n = this.nextAck++;
      this.acks.set(n, last as Listener);
      id = String(n);
    }
    this.ws.send(`42${this.prefix()}${id}${JSON.stringify([event, ...args])}`);
  }

  connect(): this {
    this.active = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.ws) return this;
    const origin = this.opts.origin ?? location.origin.replace(/^http/, 'ws');
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${origin}/socket.io/?EIO=4&transport=websocket`);
    } catch {
      this.dropped('connect_error', new Error('websocket failed'));
      return this;
    }
    this.ws = ws;
    ws.onmessage = (m) => this.packet(String(m.data));
    ws.onerror = () => undefined; // onclose follows and handles it
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.dropped(this.connected ? 'disconnect' : 'connect_error', new Error('transport closed'));
    };
    return this;
  }

  /** The line is known dead (the phone went offline): drop it now and retry as after any drop. */
  drop(): void {
    if (this.ws) this.dropped('disconnect', new Error('offline'));
  }

  /** Closes for good (until connect()). */
  close(): void {
    this.active = false;
    if (this.retry) clearTimeout(this.retry);
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(`41${this.prefix()}`);
    this.teardown();
    ws?.close();
  }

  private prefix(): string {
    return this.opts.nsp === '/' ? '' : `${this.opts.nsp},`;
  }

  private teardown(): void {
    const was = this.connected;
    this.connected = false;
    this.ws = null;
    this.acks.clear();
    if (this.alive) clearTimeout(this.alive);
    if (was) this.fire('disconnect');
  }

  private dropped(event: 'disconnect' | 'connect_error', err: Error): void {
    const ws = this.ws;
    const was = this.connected;
    this.teardown();
    try {
      ws?.close();
    } catch {
      /* already closed */
    }
    if (!was || event === 'connect_error') this.fire('connect_error', err);
    if (!this.active) return;
    const { min, max } = this.opts.delay ?? { min: 1_000, max: 5_000 };
    const wait = Math.min(max, min * 2 ** this.attempts++) * (0.8 + Math.random() * 0.4);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.active) this.connect();
    }, wait);
  }

  /** No ping within the server's interval + timeout: the line is dead even if the socket says open. */
  private heartbeat(): void {
    if (this.alive) clearTimeout(this.alive);
    this.alive = setTimeout(() => this.dropped('disconnect', new Error('ping timeout')), this.pingWindow);
  }

  private packet(data: string): void {
    const kind = data[0];
    if (kind === '0') {
      const open = JSON.parse(data.slice(1)) as { pingInterval: number; pingTimeout: number };
      this.pingWindow = open.pingInterval + open.pingTimeout;
      this.heartbeat();
      this.ws?.send(`40${this.prefix()}${JSON.stringify(this.opts.auth)}`);
    } else if (kind === '2') {
      this.heartbeat();
      this.ws?.send('3');
    } else if (kind === '1') {
      this.dropped('disconnect', new Error('server closed'));
    } else if (kind === '4') {
      this.sioPacket(data.slice(1));
    }
  }

  private sioPacket(p: string): void {
    const type = p[0];
    let rest = p.slice(1);
    const pre = this.prefix();
    if (pre) {
      if (!rest.startsWith(pre)) return; // another namespace: not ours
      rest = rest.slice(pre.length);
    }
    const m = /^(\d*)([\s\S]*)$/.exec(rest)!;
    const id = m[1] ? Number(m[1]) : null;
    const body = m[2] ? JSON.parse(m[2]) : null;
    if (type === '0') {
      this.connected = true;
      this.attempts = 0;
      this.fire('connect');
    } else if (type === '4') {
      // Refused by the server's middleware: socket.io does not retry this either.
      this.active = false;
      const err = Object.assign(new Error((body as { message?: string })?.message ?? 'refused'), { data: (body as { data?: unknown })?.data });
      const ws = this.ws;
      this.teardown();
      ws?.close();
      this.fire('connect_error', err);
    } else if (type === '1') {
      this.dropped('disconnect', new Error('namespace closed'));
    } else if (type === '2' && Array.isArray(body)) {
      const [event, ...args] = body as [string, ...unknown[]];
      this.fire(event, ...args);
    } else if (type === '3' && id !== null && Array.isArray(body)) {
      const fn = this.acks.get(id);
      this.acks.delete(id);
      fn?.(...(body as unknown[]));
    }
  }
}
