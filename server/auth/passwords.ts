// Password hashing with scrypt (node:crypto): "scrypt$N$r$p$salt$hash", base64.
// Each stored hash carries its own parameters, so the cost can be raised and
// old hashes upgraded at the next successful sign-in. scrypt at N=2^17 takes
// a core (and 128 MB) for a few hundred ms: sign-in checks run through a small
// queue, each on a worker thread of the lowest CPU priority, so neither the
// event loop nor the journal's writes (libuv's thread pool) wait behind them.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** OWASP's current minimum for scrypt: N=2^17, r=8, p=1. */
export const DEFAULT_PASSWORD_COST = 17;
const R = 8;
const P = 1;
const KEYLEN = 32;
/** Hashes run at once: one core fewer than the machine has, at most 2 (each holds 128 MB while it runs). */
export const HASH_CONCURRENCY = Math.max(1, Math.min(2, availableParallelism() - 1));
/** Hashes waiting beyond which a sign-in is refused as rate_limited rather than queued. */
export const HASH_QUEUE_LIMIT = 256;
/** Highest N accepted from a stored hash (a damaged file must not ask for gigabytes). */
const MAX_LOG2_N = 20;

function scrypt(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// Runs on its own thread (scryptSync: not libuv's pool), reniced to 10 on Linux (/proc/thread-self names the
// thread): the event loop wins the CPU when both want it, yet sign-ins still get ~10 % of a busy core.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
try { require('node:os').setPriority(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()), 10); } catch {}
parentPort.on('message', (m) => {
  try { parentPort.postMessage({ key: scryptSync(m.password, Buffer.from(m.salt), m.keylen, m.opts) }); }
  catch (e) { parentPort.postMessage({ error: String((e && e.message) || e) }); }
});
`;
/** An idle hashing thread ends after this long (an office box signs in a few times a day). */
const WORKER_IDLE_MS = 30_000;

/** Low-priority hashing threads, started when needed; one job at a time each (the queue sees to it). */
class ScryptThreads {
  #idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];
  #all = new Set<Worker>();

  run(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
    const spare = this.#idle.pop();
    if (spare) clearTimeout(spare.timer);
    const worker = spare?.worker ?? this.#spawn();
    return new Promise<Buffer>((resolve, reject) => {
      const done = (m: { key?: Uint8Array; error?: string }) => {
        worker.off('error', failed);
        if (m.key) resolve(Buffer.from(m.key));
        else reject(new Error(m.error ?? 'scrypt failed'));
        this.#park(worker);
      };
      const failed = (err: Error) => {
        worker.off('message', done);
        this.#all.delete(worker);
        reject(err);
      };
      worker.once('message', done);
      worker.once('error', failed);
      worker.postMessage({ password, salt, keylen: KEYLEN, opts });
    });
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    this.#all.add(worker);
    worker.once('exit', () => this.#all.delete(worker));
    worker.on('error', () => this.#all.delete(worker)); // a job's own listener rejects it; idle, it is just dropped
    return worker;
  }

  #park(worker: Worker): void {
    if (!this.#all.has(worker)) return;
    const timer = setTimeout(() => {
      this.#idle = this.#idle.filter((x) => x.worker !== worker);
      void worker.terminate();
    }, WORKER_IDLE_MS);
    timer.unref();
    this.#idle.push({ worker, timer });
  }

  async close(): Promise<void> {
    for (const { timer } of this.#idle) clearTimeout(timer);
    this.#idle = [];
    await Promise.all([...this.#all].map((w) => w.terminate()));
  }
}

function options(n: number, r: number, p: number): ScryptOptions {
  // scrypt needs 128·N·r bytes; node's default maxmem (32 MB) is below N=2^17.
  return { N: n, r, p, maxmem: 256 * n * r };
}

async function hashWith(password: string, log2N: number): Promise<string> {
  const n = 2 ** log2N;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, options(n, R, P));
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(stored: string): { n: number; r: number; p: number; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const ok = Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0 && n <= 2 ** MAX_LOG2_N && Number.isInteger(r) && r >= 1 && r <= 32 && Number.isInteger(p) && p >= 1 && p <= 16;
  if (!ok) return null;
  return { n, r, p, salt: Buffer.from(parts[4] ?? '', 'base64'), hash: Buffer.from(parts[5] ?? '', 'base64') };
}

export class BusyError extends Error {}

/** Hashes and checks passwords at one cost, at most `concurrency` at a time. */
export class PasswordHasher {
  #running = 0;
  #waiting: Array<() => void> = [];
  #dummy: Promise<string> | null = null;
  #threads = new ScryptThreads();
  /** Password checks that ran a hash (tests: a throttle must stop them before they cost anything). */
  verified = 0;

  constructor(
    readonly log2N = DEFAULT_PASSWORD_COST,
    readonly concurrency = HASH_CONCURRENCY,
    readonly queueLimit = HASH_QUEUE_LIMIT,
  ) {}

  async #slot<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.queueLimit) throw new BusyError('password queue full');
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      signal?.throwIfAborted(); // the client left while this waited: its hash would cost others their turn
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Hashes running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  hash(password: string): Promise<string> {
    return this.#slot(async () => {
      const n = 2 ** this.log2N;
      const salt = randomBytes(16);
      const key = await this.#threads.run(password, salt, options(n, R, P));
      return `scrypt$${n}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
    });
  }

  /** Ends the hashing threads (a server closing). */
  close(): Promise<void> {
    return this.#threads.close();
  }

  /** Whether `password` matches `stored` (a null `stored` checks against a dummy, same timing), and whether to store a new hash. */
  async verify(password: string, stored: string | null, signal?: AbortSignal): Promise<{ ok: boolean; rehash: boolean }> {
    const target = stored ?? (await (this.#dummy ??= this.hash(randomBytes(16).toString('hex'))));
    const parsed = parse(target);
    if (!parsed) return { ok: false, rehash: false };
    const key = await this.#slot(() => {
      this.verified++;
      return this.#threads.run(password, parsed.salt, options(parsed.n, parsed.r, parsed.p));
    }, signal);
    const ok = stored !== null && key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
    return { ok, rehash: ok && (parsed.n < 2 ** this.log2N || parsed.r !== R || parsed.p !== P || parsed.hash.length !== KEYLEN) };
  }
}

/** One hash at the default cost (the demo seed). */
export function hashPassword(password: string, log2N = DEFAULT_PASSWORD_COST): Promise<string> {
  return hashWith(password, log2N);
}
