// A network receipt printer on raw TCP ("port 9100"), standing in for an
// Epson TM-T82 / TM-T20 class thermal printer in tests and by hand. Bytes are
// decoded by EscPosDecoder; real-time status requests are answered with the
// status bytes an Epson printer would send; paper-out, cover-open, offline and
// error conditions and connection failures can be switched on and off.
//
// Status bytes (Epson ESC/POS Command Reference, "DLE EOT n" and "GS a" / "GS r",
// https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/dle_eot.html ,
// cross-checked with the TM-U220 / TM-L60II / TM-T88 manuals' tables):
//
//   DLE EOT 1, printer status:   bit1 = 1, bit4 = 1 (fixed); bit2 drawer kick-out
//                                connector pin 3 HIGH; bit3 offline.
//   DLE EOT 2, offline cause:    fixed bits as above; bit2 cover open; bit3 paper
//                                being fed by the FEED button; bit5 printing stopped
//                                by paper end; bit6 error occurred.
//   DLE EOT 3, error cause:      fixed bits as above; bit2 mechanical (recoverable)
//                                error; bit3 autocutter error; bit5 unrecoverable
//                                error; bit6 automatically recoverable error.
//   DLE EOT 4, roll paper sensor: fixed bits as above; bits 2+3 (0x0C) near end;
//                                bits 5+6 (0x60) paper end.
//   GS r 1/49, paper sensor:     bits 0+1 (0x03) near end; bits 2+3 (0x0C) paper end;
//                                bit4 = 0 (fixed), which tells it apart from DLE EOT.
//   GS r 2/50, drawer:           bit0 connector pin 3 HIGH.
//   GS a (ASB), four bytes:      1st bit4 = 1 fixed, bit2 drawer, bit3 offline, bit5
//                                cover open, bit6 FEED button; 2nd bit2 mechanical,
//                                bit3 autocutter, bit5 unrecoverable, bit6 auto-
//                                recoverable error; 3rd 0x03 near end, 0x0C paper end;
//                                4th 0x00. (ASB bytes: 0xx1xx00; DLE EOT: 0xx1xx10.)
//
// So a healthy printer answers 0x12 to each DLE EOT n; out of paper it answers
// 1: 0x1A (offline), 2: 0x32 (paper-end stop), 3: 0x12, 4: 0x72.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { EscPosDecoder, type DecodedReceipt, type StatusRequest } from './escpos-decoder.ts';

export type PrinterErrorKind = 'mechanical' | 'autocutter' | 'unrecoverable' | 'auto-recoverable';

export interface PrinterState {
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  /** Offline for another reason (e.g. waiting for online recovery). */
  offline: boolean;
  error: PrinterErrorKind | null;
  /** Drawer kick-out connector pin 3 (drawer open switch on most drawers). */
  drawerPin3High: boolean;
  /** FEED button held down. */
  feedButton: boolean;
}

const FIXED = 0x12; // bit1 and bit4 are fixed to 1 in every DLE EOT reply.

/** True when the printer does not print: any of paper end, cover open, error, offline. */
export function isOffline(s: PrinterState): boolean {
  return s.paperOut || s.coverOpen || s.offline || s.error !== null || s.feedButton;
}

/** The one-byte reply to DLE EOT n (n = 1..4). */
export function realtimeStatusByte(s: PrinterState, n: 1 | 2 | 3 | 4): number {
  switch (n) {
    case 1:
      return FIXED | (s.drawerPin3High ? 0x04 : 0) | (isOffline(s) ? 0x08 : 0);
    case 2:
      return FIXED | (s.coverOpen ? 0x04 : 0) | (s.feedButton ? 0x08 : 0) | (s.paperOut ? 0x20 : 0) | (s.error ? 0x40 : 0);
    case 3:
      return (
        FIXED |
        (s.error === 'mechanical' ? 0x04 : 0) |
        (s.error === 'autocutter' ? 0x08 : 0) |
        (s.error === 'unrecoverable' ? 0x20 : 0) |
        (s.error === 'auto-recoverable' ? 0x40 : 0)
      );
    case 4:
      return FIXED | (s.paperNearEnd ? 0x0c : 0) | (s.paperOut ? 0x60 : 0);
  }
}

/** The one-byte reply to GS r n, or null when n is not answered. */
export function gsrStatusByte(s: PrinterState, n: number): number | null {
  if (n === 1 || n === 49) return (s.paperNearEnd ? 0x03 : 0) | (s.paperOut ? 0x0c : 0);
  if (n === 2 || n === 50) return s.drawerPin3High ? 0x01 : 0x00;
  return null;
}

/** The four Automatic Status Back bytes. */
export function asbStatusBytes(s: PrinterState): Buffer {
  return Buffer.of(
    0x10 | (s.drawerPin3High ? 0x04 : 0) | (isOffline(s) ? 0x08 : 0) | (s.coverOpen ? 0x20 : 0) | (s.feedButton ? 0x40 : 0),
    (s.error === 'mechanical' ? 0x04 : 0) |
      (s.error === 'autocutter' ? 0x08 : 0) |
      (s.error === 'unrecoverable' ? 0x20 : 0) |
      (s.error === 'auto-recoverable' ? 0x40 : 0),
    (s.paperNearEnd ? 0x03 : 0) | (s.paperOut ? 0x0c : 0),
    0x00,
  );
}

export interface ConnectionInfo {
  connectionId: number;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
}

export interface StatusReplyEvent {
  connectionId: number;
  request: StatusRequest;
  /** What was sent back (empty when nothing is sent, e.g. GS a 0). */
  reply: Buffer;
}

export type PrinterEmulatorEvents = {
  /** A receipt was cut. */
  receipt: [receipt: DecodedReceipt];
  /** Bytes arrived (before any paper-out discarding). */
  data: [chunk: Buffer, info: { connectionId: number }];
  status: [event: StatusReplyEvent];
  connection: [info: ConnectionInfo];
  disconnect: [info: { connectionId: number; bytes: number; dropped: boolean }];
};

export interface PrinterEmulatorOptions {
  /**
   * Serve one connection at a time, as the printer's network interface does:
   * later connections are accepted but not read until the current one closes.
   * Default true. With false, bytes of concurrent connections interleave.
   */
  exclusive?: boolean;
  /** Clock for firstByteAt / completedAt; default performance.now. */
  now?: () => number;
}

interface Conn {
  id: number;
  socket: net.Socket;
  bytes: number;
  /** Bytes still allowed before the socket is destroyed (dropNextConnectionAfter). */
  dropBudget: number | null;
  dropped: boolean;
  /** GS a n value for this connection. */
  asb: number;
  /** Unmatched tail of a DLE EOT seen by the raw scanner. */
  rtTail: number[];
  closed: boolean;
}

type Held = { conn: Conn; data: Buffer; at: number } | { conn: Conn; data: null };

export class PrinterEmulator extends EventEmitter<PrinterEmulatorEvents> {
  /** Bytes received over all connections (including those discarded while paper is out). */
  bytesReceived = 0;
  /** Bytes discarded because paper was out. */
  rejectedWhilePaperOut = 0;
  /** Connections accepted so far. */
  connectionsAccepted = 0;
  /** Status replies sent (DLE EOT, GS r, ASB). */
  statusRepliesSent = 0;

  readonly decoder: EscPosDecoder;

  private readonly exclusive: boolean;
  private readonly now: () => number;
  private server: net.Server | null = null;
  private host = '127.0.0.1';
  private port = 0;
  private started = false;
  private refuseMode: 'refuse' | 'reset' | null = null;
  private readonly conns = new Set<Conn>();
  private active: Conn | null = null;
  private readonly waiting: Conn[] = [];
  private nextId = 1;
  private dropArm: number | null = null;
  private held: Held[] = [];
  private replyTo: Conn | null = null;
  private suppressRealtime = false;
  private state: PrinterState = {
    paperOut: false,
    paperNearEnd: false,
    coverOpen: false,
    offline: false,
    error: null,
    drawerPin3High: false,
    feedButton: false,
  };

  constructor(options: PrinterEmulatorOptions = {}) {
    super();
    this.exclusive = options.exclusive ?? true;
    this.now = options.now ?? (() => performance.now());
    this.decoder = new EscPosDecoder({
      now: this.now,
      onReceipt: (r) => this.emit('receipt', r),
      onStatusRequest: (req) => this.answer(req),
    });
  }

  /** Receipts ended by a cut, in order, over all connections. */
  get receipts(): DecodedReceipt[] {
    return this.decoder.completed;
  }

  /** Cut receipts plus the open one if anything has been printed on it. */
  get allReceipts(): DecodedReceipt[] {
    return this.decoder.result;
  }

  get openReceipt(): DecodedReceipt | null {
    return this.decoder.openReceipt;
  }

  get status(): Readonly<PrinterState> {
    return { ...this.state };
  }

  /** Bytes held (not yet printed) while the cover is open, offline or in error. */
  get heldBytes(): number {
    let n = 0;
    for (const h of this.held) n += h.data?.length ?? 0;
    return n;
  }

  get listeningPort(): number {
    return this.port;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<{ port: number }> {
    if (this.started) throw new Error('printer emulator already started');
    this.host = host;
    this.port = port;
    await this.listen();
    this.started = true;
    return { port: this.port };
  }

  async stop(): Promise<void> {
    this.started = false;
    const server = this.server;
    this.server = null;
    for (const c of this.conns) c.socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ------------------------------------------------------------ simulation

  setPaperOut(on: boolean): void {
    this.update({ paperOut: on });
  }

  setPaperNearEnd(on: boolean): void {
    this.update({ paperNearEnd: on });
  }

  setCoverOpen(on: boolean): void {
    this.update({ coverOpen: on });
  }

  setOffline(on: boolean): void {
    this.update({ offline: on });
  }

  setError(kind: PrinterErrorKind | null): void {
    this.update({ error: kind });
  }

  setDrawerOpen(pin3High: boolean): void {
    this.update({ drawerPin3High: pin3High });
  }

  setFeedButton(pressed: boolean): void {
    this.update({ feedButton: pressed });
  }

  /**
   * The next connection to send data has its socket destroyed once it has sent
   * `bytes` bytes; the bytes up to that point are printed.
   */
  dropNextConnectionAfter(bytes: number): void {
    this.dropArm = Math.max(0, Math.floor(bytes));
  }

  /**
   * Stop accepting connections. 'refuse' (default) closes the listening socket,
   * so connecting fails with ECONNREFUSED; 'reset' accepts and immediately
   * resets. Existing connections are unaffected. Await it when turning
   * refusal off: the port is listened on again.
   */
  async refuseConnections(on: boolean, mode: 'refuse' | 'reset' = 'refuse'): Promise<void> {
    if (on) {
      this.refuseMode = mode;
      if (mode === 'refuse' && this.server) {
        const s = this.server;
        this.server = null;
        s.close();
      }
      return;
    }
    this.refuseMode = null;
    if (this.started && !this.server) await this.listen();
  }

  /** Resolves when at least `count` receipts have been cut. */
  waitForReceipts(count: number, timeoutMs = 5000): Promise<DecodedReceipt[]> {
    if (this.receipts.length >= count) return Promise.resolve([...this.receipts]);
    return new Promise((resolve, reject) => {
      const onReceipt = (): void => {
        if (this.receipts.length >= count) {
          clearTimeout(timer);
          this.off('receipt', onReceipt);
          resolve([...this.receipts]);
        }
      };
      const timer = setTimeout(() => {
        this.off('receipt', onReceipt);
        reject(new Error(`timed out waiting for ${count} receipts (have ${this.receipts.length})`));
      }, timeoutMs);
      this.on('receipt', onReceipt);
    });
  }

  /** Forget receipts and counters (printer state and connections are kept). */
  clear(): void {
    this.decoder.reset();
    this.held = [];
    this.bytesReceived = 0;
    this.rejectedWhilePaperOut = 0;
    this.statusRepliesSent = 0;
  }

  // ------------------------------------------------------------ internals

  private listen(): Promise<void> {
    const server = net.createServer((socket) => this.onConnection(socket));
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        server.on('error', () => {
          /* a listening server does not fail in ways we can recover from here */
        });
        const addr = server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        this.server = server;
        resolve();
      });
    });
  }

  private onConnection(socket: net.Socket): void {
    if (this.refuseMode !== null || !this.started) {
      socket.on('error', () => {});
      socket.resetAndDestroy();
      return;
    }
    socket.setNoDelay(true);
    const conn: Conn = {
      id: this.nextId++,
      socket,
      bytes: 0,
      dropBudget: null,
      dropped: false,
      asb: 0,
      rtTail: [],
      closed: false,
    };
    this.connectionsAccepted++;
    this.conns.add(conn);
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', () => {
      /* ECONNRESET and the like: 'close' follows */
    });
    socket.on('close', () => this.onClose(conn));
    this.emit('connection', { connectionId: conn.id, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
    if (this.exclusive && this.active) {
      socket.pause();
      this.waiting.push(conn);
    } else {
      this.active = conn;
    }
  }

  private onClose(conn: Conn): void {
    conn.closed = true;
    this.conns.delete(conn);
    const w = this.waiting.indexOf(conn);
    if (w >= 0) this.waiting.splice(w, 1);
    // A command cut short by the disconnect must not swallow the next job.
    if (this.held.length > 0) this.held.push({ conn, data: null });
    else this.decoder.abortPartialCommand();
    this.emit('disconnect', { connectionId: conn.id, bytes: conn.bytes, dropped: conn.dropped });
    if (this.active === conn) {
      this.active = null;
      const next = this.waiting.shift();
      if (next) {
        this.active = next;
        next.socket.resume();
      }
    }
  }

  private onData(conn: Conn, chunk: Buffer): void {
    if (conn.dropped) return;
    if (conn.dropBudget === null && this.dropArm !== null) {
      conn.dropBudget = this.dropArm;
      this.dropArm = null;
    }
    let data = chunk;
    let drop = false;
    if (conn.dropBudget !== null) {
      if (chunk.length >= conn.dropBudget) {
        data = chunk.subarray(0, conn.dropBudget);
        drop = true;
      }
      conn.dropBudget -= data.length;
    }
    const at = this.now();
    conn.bytes += data.length;
    this.bytesReceived += data.length;
    if (data.length > 0) {
      this.emit('data', data, { connectionId: conn.id });
      this.process(conn, data, at);
    }
    if (drop) {
      conn.dropped = true;
      conn.socket.destroy();
    }
  }

  private process(conn: Conn, data: Buffer, at: number): void {
    if (this.state.paperOut) {
      this.scanRealtime(conn, data);
      this.rejectedWhilePaperOut += data.length;
      return;
    }
    if (this.holding()) {
      this.scanRealtime(conn, data);
      this.held.push({ conn, data, at });
      return;
    }
    conn.rtTail = [];
    this.feed(conn, data, at, false);
  }

  /** Cover open, offline or error: data is kept in the receive buffer, unprinted. */
  private holding(): boolean {
    return this.state.coverOpen || this.state.offline || this.state.error !== null;
  }

  private feed(conn: Conn, data: Buffer, at: number, replayed: boolean): void {
    this.replyTo = conn;
    this.suppressRealtime = replayed;
    try {
      this.decoder.push(data, at);
    } finally {
      this.replyTo = null;
      this.suppressRealtime = false;
    }
  }

  /**
   * Real-time commands are executed on receipt even when nothing is being
   * printed: find DLE EOT 1..4 in raw bytes (also across chunk boundaries).
   */
  private scanRealtime(conn: Conn, data: Buffer): void {
    const bytes = conn.rtTail.length > 0 ? Buffer.concat([Buffer.from(conn.rtTail), data]) : data;
    let k = 0;
    while (k + 2 < bytes.length) {
      const n = bytes[k + 2]!;
      if (bytes[k] === 0x10 && bytes[k + 1] === 0x04 && n >= 1 && n <= 4) {
        this.replyTo = conn;
        this.answer({ command: 'DLE EOT', n: n as 1 | 2 | 3 | 4, kind: (['printer', 'offline-cause', 'error-cause', 'paper-sensor'] as const)[n - 1]! });
        this.replyTo = null;
        k += 3;
      } else {
        k++;
      }
    }
    const rest = [...bytes.subarray(k)];
    if (rest[0] === 0x10 && (rest.length === 1 || rest[1] === 0x04)) conn.rtTail = rest;
    else conn.rtTail = rest[rest.length - 1] === 0x10 ? [0x10] : [];
  }

  private answer(req: StatusRequest): void {
    const conn = this.replyTo;
    if (!conn) return;
    let reply: Buffer;
    if (req.command === 'DLE EOT') {
      if (this.suppressRealtime) return; // already answered when it arrived
      reply = Buffer.of(realtimeStatusByte(this.state, req.n));
    } else if (req.command === 'GS r') {
      const b = gsrStatusByte(this.state, req.n);
      reply = b === null ? Buffer.alloc(0) : Buffer.of(b);
    } else {
      conn.asb = req.n;
      reply = req.n === 0 ? Buffer.alloc(0) : asbStatusBytes(this.state);
    }
    this.send(conn, reply);
    this.emit('status', { connectionId: conn.id, request: req, reply });
  }

  private send(conn: Conn, bytes: Buffer): void {
    if (bytes.length === 0 || conn.closed || conn.socket.destroyed || !conn.socket.writable) return;
    conn.socket.write(bytes);
    this.statusRepliesSent++;
  }

  private update(patch: Partial<PrinterState>): void {
    const before = this.state;
    const after = { ...before, ...patch };
    this.state = after;
    if (after.paperOut && !before.paperOut) {
      // Whatever command was half-received is lost with the discarded bytes.
      this.decoder.abortPartialCommand();
    }
    this.notifyAsb(before, after);
    if (!after.paperOut && !this.holding() && this.held.length > 0) this.flushHeld();
  }

  private notifyAsb(before: PrinterState, after: PrinterState): void {
    const a = asbStatusBytes(before);
    const b = asbStatusBytes(after);
    // GS a n bits: 0 drawer, 1 online/offline (incl. cover), 2 error, 3 paper sensor.
    let changed = 0;
    if ((a[0]! ^ b[0]!) & 0x04) changed |= 0x01;
    if ((a[0]! ^ b[0]!) & 0x68) changed |= 0x02;
    if (a[1] !== b[1]) changed |= 0x04;
    if (a[2] !== b[2]) changed |= 0x08;
    if (changed === 0) return;
    for (const c of this.conns) {
      if ((c.asb & changed) !== 0) {
        this.send(c, b);
        this.emit('status', { connectionId: c.id, request: { command: 'GS a', n: c.asb }, reply: b });
      }
    }
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) {
      if (h.data === null) this.decoder.abortPartialCommand();
      else this.feed(h.conn, h.data, h.at, true);
    }
  }
}
