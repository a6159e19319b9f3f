// Password hashing with scrypt (node:crypto): "scrypt$N$r$p$salt$hash", base64.
// Each stored hash carries its own parameters, so the cost can be raised and
// old hashes upgraded at the next successful sign-in. Hashes run through a
// small queue: scrypt at N=2^17 holds a libuv thread (and 128 MB) for a few
// hundred ms, and the journal's durable writes share that thread pool.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OWASP's current minimum for scrypt: N=2^17, r=8, p=1. */
export const DEFAULT_PASSWORD_COST = 17;
const R = 8;
const P = 1;
const KEYLEN = 32;
/** Hashes run at once; below the thread pool size (scripts/run-server.sh) so writes always find a thread. */
export const HASH_CONCURRENCY = 2;
/** Hashes waiting beyond which a sign-in is refused as rate_limited rather than queued. */
export const HASH_QUEUE_LIMIT = 256;
/** Highest N accepted from a stored hash (a damaged file must not ask for gigabytes). */
const MAX_LOG2_N = 20;

function scrypt(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
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
  /** Password checks started (tests: a throttle must stop them before they cost anything). */
  verified = 0;

  constructor(
    readonly log2N = DEFAULT_PASSWORD_COST,
    readonly concurrency = HASH_CONCURRENCY,
    readonly queueLimit = HASH_QUEUE_LIMIT,
  ) {}

  async #slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.queueLimit) throw new BusyError('password queue full');
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
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
    return this.#slot(() => hashWith(password, this.log2N));
  }

  /** Whether `password` matches `stored` (a null `stored` checks against a dummy, same timing), and whether to store a new hash. */
  async verify(password: string, stored: string | null): Promise<{ ok: boolean; rehash: boolean }> {
    this.verified++;
    const target = stored ?? (await (this.#dummy ??= this.hash(randomBytes(16).toString('hex'))));
    const parsed = parse(target);
    if (!parsed) return { ok: false, rehash: false };
    const key = await this.#slot(() => scrypt(password, parsed.salt, options(parsed.n, parsed.r, parsed.p)));
    const ok = stored !== null && key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
    return { ok, rehash: ok && (parsed.n < 2 ** this.log2N || parsed.r !== R || parsed.p !== P || parsed.hash.length !== KEYLEN) };
  }
}

/** One hash at the default cost (the demo seed). */
export function hashPassword(password: string, log2N = DEFAULT_PASSWORD_COST): Promise<string> {
  return hashWith(password, log2N);
}
