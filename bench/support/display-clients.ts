// Client load for bench/broadcast-latency.ts, run as a forked child process
// (IPC channel) so the clients do not share a process with the sender:
// `count` socket.io display clients on Giliran and `count` raw ws clients on
// the baseline server. Each client records `performance.timeOrigin +
// performance.now()` when a delta (socket.io: keyed by its version) or a raw
// frame (keyed by its id) arrives. When every client of this process has a key,
// the parent hears `complete` for it.
//
// Parent → worker:  {type:'connect', giliranUrl, rawUrl, count, office}
//                   {type:'collect'}  → {type:'collected', recv, samples, disconnects}
//                   {type:'close'}
// Worker → parent:  {type:'ready', giliran, raw, ms} | {type:'complete', key} | {type:'error', message}
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

export type ToWorker =
  | { type: 'connect'; giliranUrl: string | null; rawUrl: string | null; count: number; office: string }
  | { type: 'collect' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; giliran: number; raw: number; ms: number }
  | { type: 'complete'; key: string }
  | { type: 'collected'; recv: Record<string, number[]>; samples: Record<string, string>; disconnects: number }
  | { type: 'error'; message: string };

const wallNow = (): number => performance.timeOrigin + performance.now();

function send(msg: FromWorker): void {
  process.send?.(msg);
}

let recv = new Map<string, number[]>();
/** The delta JSON as the first socket.io client received it, per key. */
let samples = new Map<string, string>();
let expected = { g: 0, r: 0 };
let disconnects = 0;
const sockets: Socket[] = [];
const raws: WebSocket[] = [];

function record(key: string, t: number, kind: 'g' | 'r'): void {
  let list = recv.get(key);
  if (!list) {
    list = [];
    recv.set(key, list);
  }
  list.push(t);
  if (list.length === expected[kind]) send({ type: 'complete', key });
}

/** Runs `fn` over 0..n-1 with at most `width` in flight. */
async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      for (let i = next++; i < n; i = next++) await fn(i);
    }),
  );
}

async function connect(msg: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  const t0 = performance.now();
  if (msg.giliranUrl) {
    const url = `${msg.giliranUrl}/display`;
    await pool(msg.count, 50, async (i) => {
      const s = io(url, { auth: { office: msg.office }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
      sockets.push(s);
      s.on('delta', (d: { version: number }) => {
        const t = wallNow();
        const key = `g:${d.version}`;
        if (i === 0 && samples.size < 500) samples.set(key, JSON.stringify(d));
        record(key, t, 'g');
      });
      s.on('disconnect', () => void disconnects++);
      await new Promise<void>((resolve, reject) => {
        s.once('snapshot', () => resolve());
        s.once('connect_error', (err) => reject(err));
      });
    });
    expected.g = sockets.length;
  }
  if (msg.rawUrl) {
    const url = `${msg.rawUrl.replace(/^http/, 'ws')}/ws`;
    await pool(msg.count, 50, async () => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      raws.push(ws);
      ws.on('message', (data) => {
        const t = wallNow();
        const parsed = JSON.parse(String(data)) as [number, unknown];
        record(`r:${parsed[0]}`, t, 'r');
      });
      ws.on('close', () => void disconnects++);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    });
    expected.r = raws.length;
  }
  send({ type: 'ready', giliran: sockets.length, raw: raws.length, ms: performance.now() - t0 });
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'connect') {
    connect(msg).catch((err: unknown) => send({ type: 'error', message: String((err as Error)?.message ?? err) }));
  } else if (msg.type === 'collect') {
    send({ type: 'collected', recv: Object.fromEntries(recv), samples: Object.fromEntries(samples), disconnects });
    recv = new Map();
    samples = new Map();
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
