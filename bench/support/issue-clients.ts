// Client load for bench/issue-throughput.ts, run as a child process with an IPC
// channel (`node --import tsx bench/support/issue-clients.ts`) so the kiosk
// clients are spread over several processes instead of sharing one event loop.
// Each worker owns some of the kiosk clients, identified by their global index
// g (0..totalClients-1; the parent gives worker w the g with g % W == w). Every
// client is a socket.io-client socket on `/kiosk` (auth {office},
// websocket transport), except with `sockets` < clients, where the worker's
// clients share that many sockets (diagnostic).
//
// Modes (times are wall-clock ms, `performance.timeOrigin + performance.now()`,
// comparable across processes; the measured window is [startAt + warmupMs,
// startAt + warmupMs + durationMs)):
//   closed  every client keeps one `issue` outstanding: sends, waits for the
//           ack, sends the next, until the window ends. Latency = ack instant −
//           send instant; a sample counts when its ack arrives in the window.
//   open    the clients together send `rate` issues/s on a fixed grid: client g
//           sends at startAt + g/rate + k·totalClients/rate (k = 0, 1, …), so
//           the combined stream is evenly spaced (1/rate apart), never in
//           bursts. A client sends at its instant whether or not its previous
//           request has been answered. Latency = ack instant − SCHEDULED send
//           instant (a stalled client or server shows up in the latency: no
//           coordinated omission); a sample counts when the request was
//           scheduled in the window, whenever its ack arrives. `sendLag` =
//           actual − scheduled send instant (how late this process was).
// In both modes `acks` counts ok acks arriving in the window (throughput),
// `errors` counts every not-ok ack of the whole run (warm-up included), and
// `unacked` the requests still unanswered `drainMs` after the window ended.
//
// Parent → worker: {type:'connect', …} → {type:'ready'}
//                  {type:'run', …}     → {type:'result', …}
//                  {type:'disconnect'} → {type:'disconnected'}
//                  {type:'exit'}
// Worker → parent: {type:'up'} once loaded; {type:'error', message} on failure.
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';

export type Mode = 'closed' | 'open';

export type ToWorker =
  | { type: 'connect'; url: string; office: string; clients: number[]; sockets: number }
  | {
      type: 'run';
      mode: Mode;
      /** Total offered issues/s over all clients of all workers (open mode). */
      rate: number;
      totalClients: number;
      startAt: number;
      warmupMs: number;
      durationMs: number;
      drainMs: number;
      keyPrefix: string;
      services: readonly string[];
    }
  | { type: 'disconnect' }
  | { type: 'exit' };

export interface RunResult {
  type: 'result';
  /** Latency samples (ms) of ok acks, as defined per mode above. */
  latencies: number[];
  /** Per latency sample: ms from the window's start to its scheduled send (open) or its ack (closed). */
  at: number[];
  /** Open mode: actual − scheduled send instant (ms) of the requests scheduled in the window. */
  sendLag: number[];
  /** Ok acks that arrived in the measured window. */
  acks: number;
  /** Requests sent over the whole run / scheduled in the window (open) or sent in the window (closed). */
  sent: number;
  sentInWindow: number;
  errors: Record<string, number>;
  unacked: number;
  /** Deltas received by this worker's sockets in the window. */
  deltas: number;
  /** Event-loop utilisation of this worker over the window (0..1). */
  elu: number;
  disconnects: number;
}

export type FromWorker =
  | { type: 'up' }
  | { type: 'ready'; sockets: number; ms: number }
  | RunResult
  | { type: 'disconnected' }
  | { type: 'error'; message: string };

const wallNow = (): number => performance.timeOrigin + performance.now();

function send(msg: FromWorker): void {
  process.send?.(msg);
}

let sockets: Socket[] = [];
/** Socket of each local client (index into `clients`). */
let clientSockets: Socket[] = [];
let clients: number[] = [];
let deltas = 0;
let disconnects = 0;

async function connect(msg: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  const t0 = performance.now();
  clients = [...msg.clients].sort((a, b) => a - b);
  const n = Math.max(1, Math.min(msg.sockets, clients.length));
  sockets = Array.from({ length: n }, () =>
    io(`${msg.url}/kiosk`, { auth: { office: msg.office }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20_000 }),
  );
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', (err) => reject(err));
        }),
    ),
  );
  for (const s of sockets) {
    s.on('delta', () => void deltas++);
    s.on('disconnect', () => void disconnects++);
  }
  clientSockets = clients.map((_, i) => sockets[i % sockets.length] as Socket);
  send({ type: 'ready', sockets: sockets.length, ms: performance.now() - t0 });
}

function run(msg: Extract<ToWorker, { type: 'run' }>): void {
  const mStart = msg.startAt + msg.warmupMs;
  const end = mStart + msg.durationMs;
  const latencies: number[] = [];
  const at: number[] = [];
  const sendLag: number[] = [];
  const errors: Record<string, number> = {};
  let acks = 0;
  let sent = 0;
  let sentInWindow = 0;
  let outstanding = 0;
  let sendingDone = false;
  let reported = false;
  let deltasAtStart = deltas;
  let deltasInWindow = 0;
  let elu0 = performance.eventLoopUtilization();
  let elu = Number.NaN;
  disconnects = 0;

  const timers: NodeJS.Timeout[] = [];
  let tickTimer: NodeJS.Timeout | undefined;
  timers.push(
    setTimeout(() => {
      deltasAtStart = deltas;
      elu0 = performance.eventLoopUtilization();
    }, Math.max(0, mStart - wallNow())),
  );
  timers.push(
    setTimeout(() => {
      deltasInWindow = deltas - deltasAtStart;
      elu = performance.eventLoopUtilization(elu0).utilization;
    }, Math.max(0, end - wallNow())),
  );

  const report = (): void => {
    if (reported) return;
    reported = true;
    for (const t of timers) clearTimeout(t);
    clearTimeout(tickTimer);
    send({ type: 'result', latencies, at, sendLag, acks, sent, sentInWindow, errors, unacked: outstanding, deltas: deltasInWindow, elu, disconnects });
  };
  const maybeDone = (): void => {
    if (sendingDone && outstanding === 0) setTimeout(report, Math.max(0, end - wallNow() + 5));
  };
  const finishSending = (): void => {
    sendingDone = true;
    // Unanswered requests are reported (as `unacked`) drainMs after the window.
    timers.push(setTimeout(report, Math.max(0, end + msg.drainMs - wallNow())));
    maybeDone();
  };

  /** Sends one issue for local client `l`; `onAck` gets the result and the ack instant. */
  const issue = (l: number, seq: number, onAck: (ok: boolean, t1: number) => void): void => {
    const g = clients[l] as number;
    const socket = clientSockets[l] as Socket;
    const payload = { service: msg.services[(g + seq) % msg.services.length], idempotencyKey: `${msg.keyPrefix}-${g}-${seq}` };
    outstanding++;
    sent++;
    socket.emit('issue', payload, (res: any) => {
      const t1 = wallNow();
      if (reported) return;
      outstanding--;
      const ok = res?.ok === true;
      if (!ok) {
        const code = String(res?.error?.code ?? 'unknown');
        errors[code] = (errors[code] ?? 0) + 1;
      } else if (t1 >= mStart && t1 < end) acks++;
      onAck(ok, t1);
      maybeDone();
    });
  };

  if (msg.mode === 'closed') {
    let running = clients.length;
    if (running === 0) finishSending();
    const loop = (l: number, seq: number): void => {
      const t0 = wallNow();
      if (t0 >= end) {
        if (--running === 0) finishSending();
        return;
      }
      if (t0 >= mStart) sentInWindow++;
      issue(l, seq, (ok, t1) => {
        if (ok && t1 >= mStart && t1 < end) {
          latencies.push(t1 - t0);
          at.push(t1 - mStart);
        }
        loop(l, seq + 1);
      });
    };
    timers.push(
      setTimeout(() => {
        for (let l = 0; l < clients.length; l++) loop(l, 0);
      }, Math.max(0, msg.startAt - wallNow())),
    );
  } else {
    // The m-th send of this worker: local client m % n in cycle floor(m / n).
    // Increasing in m because the clients' global indices are sorted and < totalClients.
    const n = clients.length;
    const periodMs = (msg.totalClients * 1000) / msg.rate;
    const sched = (m: number): number => msg.startAt + ((clients[m % n] as number) * 1000) / msg.rate + Math.floor(m / n) * periodMs;
    let m = 0;
    const tick = (): void => {
      let now = wallNow();
      for (;;) {
        const s = sched(m);
        if (s >= end) return finishSending();
        if (s > now) {
          now = wallNow();
          if (s > now) {
            tickTimer = setTimeout(tick, s - now);
            return;
          }
        }
        const inWindow = s >= mStart;
        if (inWindow) {
          sentInWindow++;
          sendLag.push(now - s);
        }
        issue(m % n, Math.floor(m / n), (ok, t1) => {
          if (ok && inWindow) {
            latencies.push(t1 - s);
            at.push(s - mStart);
          }
        });
        m++;
        now = wallNow();
      }
    };
    if (n === 0) finishSending();
    else timers.push(setTimeout(tick, Math.max(0, sched(0) - wallNow())));
  }
}

function disconnectAll(): void {
  for (const s of sockets) {
    s.removeAllListeners();
    s.disconnect();
  }
  sockets = [];
  clientSockets = [];
  clients = [];
  send({ type: 'disconnected' });
}

process.on('message', (msg: ToWorker) => {
  try {
    if (msg.type === 'connect') connect(msg).catch((err: unknown) => send({ type: 'error', message: String((err as Error)?.message ?? err) }));
    else if (msg.type === 'run') run(msg);
    else if (msg.type === 'disconnect') disconnectAll();
    else if (msg.type === 'exit') process.exit(0);
  } catch (err) {
    send({ type: 'error', message: String((err as Error)?.stack ?? err) });
  }
});

process.on('disconnect', () => process.exit(0));
send({ type: 'up' });
