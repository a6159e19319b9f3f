// Figures for whoever looks after the office box: is it keeping up? How long
// the event loop waits, how long a change takes to reach the disk, how many
// screens are connected, how much memory the process holds.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Server } from 'socket.io';
import { NAMESPACES, type Role } from '../protocol/events.ts';
import type { QueueService } from './queue-service.ts';
import { VERSION } from './version.ts';

export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

export interface MetricsSample {
  version: string;
  uptimeSeconds: number;
  memoryMb: { rss: number; heapUsed: number };
  /** How late the event loop ran a 10 ms timer, over the last full minute (the first minute: so far). */
  eventLoopDelayMs: Spread;
  commits: {
    total: number;
    lastMinute: number;
    /** Time from handing a change to the store to it being on disk, over the last 1,000 changes. */
    durableWriteMs: Spread | null;
  };
  /** Sockets connected per namespace. */
  sockets: Record<Role, number>;
}

const WINDOW = 1000;
const round2 = (n: number) => Math.round(n * 100) / 100;

export class Metrics {
  readonly #started = Date.now();
  readonly #loop = monitorEventLoopDelay({ resolution: 10 });
  #lastLoop: Spread | null = null;
  readonly #timer: NodeJS.Timeout;
  readonly #writes = new Float64Array(WINDOW);
  #total = 0;
  #minuteStart = 0;
  #lastMinute = 0;
  #io: Server | null = null;

  constructor(queue: QueueService) {
    this.#loop.enable();
    queue.listen({
      delta: () => undefined,
      reset: () => undefined,
      committed: (_office, durableMs) => {
        this.#writes[this.#total % WINDOW] = durableMs;
        this.#total += 1;
      },
    });
    this.#timer = setInterval(() => this.#roll(), 60_000);
    this.#timer.unref();
  }

  /** The Socket.IO server whose connections are counted (created after the HTTP routes). */
  attach(io: Server): void {
    this.#io = io;
  }

  #loopNow(): Spread {
    const h = this.#loop;
    // The histogram is in nanoseconds; a timer of `resolution` ms is expected to wait that long.
    const late = (ns: number) => round2(Math.max(0, ns / 1e6 - 10));
    return h.count > 0 ? { p50: late(h.percentile(50)), p99: late(h.percentile(99)), max: late(h.max) } : { p50: 0, p99: 0, max: 0 };
  }

  #roll(): void {
    this.#lastLoop = this.#loopNow();
    this.#loop.reset();
    this.#lastMinute = this.#total - this.#minuteStart;
    this.#minuteStart = this.#total;
  }

  sample(): MetricsSample {
    const n = Math.min(this.#total, WINDOW);
    let durableWriteMs: Spread | null = null;
    if (n > 0) {
      const s = Array.from(this.#writes.subarray(0, n)).sort((a, b) => a - b);
      const at = (q: number) => round2(s[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? 0);
      durableWriteMs = { p50: at(0.5), p99: at(0.99), max: round2(s[n - 1] ?? 0) };
    }
    const mem = process.memoryUsage();
    const sockets = Object.fromEntries(NAMESPACES.map((r) => [r, this.#io?.of(`/${r}`).sockets.size ?? 0])) as Record<Role, number>;
    return {
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.#started) / 1000),
      memoryMb: { rss: round2(mem.rss / 2 ** 20), heapUsed: round2(mem.heapUsed / 2 ** 20) },
      eventLoopDelayMs: this.#lastLoop ?? this.#loopNow(),
      commits: { total: this.#total, lastMinute: this.#lastLoop ? this.#lastMinute : this.#total, durableWriteMs },
      sockets,
    };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#loop.disable();
  }
}
