// Client load for bench/phone-load.ts, run as a forked child process (IPC) so
// the phones do not share a process with the counters' clerk: `tickets.length`
// Socket.IO clients on /track (one per ticket, as a phone that scanned its QR
// code: the holder key when given) plus `displays` clients on /display, and
// as many raw ws clients on the baseline server. Each phone notes, in
// `performance.timeOrigin + performance.now()`, when a frame shows its ticket
// called, and the size of every frame it gets (the Socket.IO text packet
// `42["track",{…}]`, as on the wire).
//
// Parent → worker:  {type:'connect', giliranUrl, rawUrl, office, tickets, displays}
//                   {type:'collect'}  → {type:'collected', called, frames, frameBytesMax, frameBytes, raw, disconnects}
//                   {type:'close'}
// Worker → parent:  {type:'ready', phones, displays, raw, ms} | {type:'error', message}
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

export interface PhoneTicket {
  id: string;
  key: string | null;
}

export type ToWorker =
  | { type: 'connect'; giliranUrl: string | null; rawUrl: string | null; office: string; tickets: PhoneTicket[]; displays: number; rawClients: number }
  | { type: 'collect' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; phones: number; displays: number; raw: number; ms: number }
  | {
      type: 'collected';
      /** ticket id → receive instant of the first frame showing it called. */
      called: Record<string, number>;
      /** Frames the phones received (all kinds of change). */
      frames: number;
      frameBytes: number[];
      /** raw frame id → receive instants. */
      raw: Record<string, number[]>;
      disconnects: number;
    }
  | { type: 'error'; message: string };

const wallNow = (): number => performance.timeOrigin + performance.now();
const send = (msg: FromWorker): void => void process.send?.(msg);

let called = new Map<string, number>();
let frames = 0;
/** A sample of frame sizes (every 7th frame; the maximum is kept apart). */
let frameBytes: number[] = [];
let frameMax = 0;
let raw = new Map<string, number[]>();
let disconnects = 0;
const sockets: Socket[] = [];
const raws: WebSocket[] = [];

async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      for (let i = next++; i < n; i = next++) await fn(i);
    }),
  );
}

function opened(s: Socket, event: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    s.once(event, () => resolve());
    s.once('connect_error', (err) => reject(err));
    s.once('unavailable', (e: unknown) => reject(new Error(JSON.stringify(e))));
  });
}

async function connect(msg: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  const t0 = performance.now();
  if (msg.giliranUrl) {
    const base = msg.giliranUrl;
    await pool(msg.tickets.length, 40, async (i) => {
      const t = msg.tickets[i]!;
      const auth: Record<string, string> = { office: msg.office, ticket: t.id };
      if (t.key) auth.key = t.key;
      const s = io(`${base}/track`, { auth, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
      sockets.push(s);
      s.on('track', (f: { state: string; ticketId: string }) => {
        const at = wallNow();
        frames += 1;
        // The wire packet: "42" + JSON of [event, frame].
        const bytes = 2 + Buffer.byteLength(JSON.stringify(['track', f]));
        if (bytes > frameMax) frameMax = bytes;
        if (frames % 7 === 0) frameBytes.push(bytes);
        if (f.state === 'called' && !called.has(f.ticketId)) called.set(f.ticketId, at);
      });
      s.on('disconnect', () => void disconnects++);
      await opened(s, 'track');
    });
    await pool(msg.displays, 20, async () => {
      const s = io(`${base}/display`, { auth: { office: msg.office }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
      sockets.push(s);
      s.on('disconnect', () => void disconnects++);
      await opened(s, 'snapshot');
    });
  }
  if (msg.rawUrl) {
    const url = `${msg.rawUrl.replace(/^http/, 'ws')}/ws`;
    await pool(msg.rawClients, 40, async () => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      raws.push(ws);
      ws.on('message', (data) => {
        const at = wallNow();
        const id = String((JSON.parse(String(data)) as [number])[0]);
        let list = raw.get(id);
        if (!list) raw.set(id, (list = []));
        list.push(at);
      });
      ws.on('close', () => void disconnects++);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    });
  }
  send({ type: 'ready', phones: msg.giliranUrl ? msg.tickets.length : 0, displays: msg.giliranUrl ? msg.displays : 0, raw: raws.length, ms: performance.now() - t0 });
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'connect') {
    connect(msg).catch((err: unknown) => send({ type: 'error', message: String((err as Error)?.message ?? err) }));
  } else if (msg.type === 'collect') {
    if (frameMax > 0) frameBytes.push(frameMax);
    send({ type: 'collected', called: Object.fromEntries(called), frames, frameBytes, raw: Object.fromEntries(raw), disconnects });
    called = new Map();
    frames = 0;
    frameBytes = [];
    frameMax = 0;
    raw = new Map();
  } else if (msg.type === 'close') {
    for (const s of sockets) {
      s.removeAllListeners('disconnect');
      s.disconnect();
    }
    for (const ws of raws) {
      ws.removeAllListeners('close');
      ws.terminate();
    }
    setTimeout(() => process.exit(0), 200);
  }
});

process.on('disconnect', () => process.exit(0));
