// Sign-in throttling. Every attempt is counted when it arrives, before its
// password is checked, so a burst of parallel requests cannot slip past the
// limit while their hashes run. Three limits:
//   - per account and address: `attempts` in 15 minutes;
//   - per address across accounts: 4 × `attempts` in 15 minutes;
//   - per account across addresses: after 2 × `attempts`, one attempt per
//     delay, the delay doubling from 1 s up to 15 minutes. A delay, never a
//     lock: staff are never shut out for good, and an address this account
//     signed in from before is not held up by it at all.
// A successful sign-in gives its attempts back. In memory, like every limit here.
import { RateLimiter } from './rate-limit.ts';

const WINDOW_MS = 15 * 60_000;
const MAX_DELAY_MS = 15 * 60_000;
/** An account's tally is forgotten after this long without attempts. */
const FORGET_MS = 60 * 60_000;
/** An address keeps its "signed in here before" standing this long. */
const KNOWN_MS = 30 * 24 * 3_600_000;
const KNOWN_PER_ACCOUNT = 32;
const MAX_ACCOUNTS = 50_000;

interface AccountTally {
  attempts: number;
  lastAt: number;
  nextAt: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export class LoginThrottle {
  readonly byAccountAddress: RateLimiter;
  readonly byAddress: RateLimiter;
  /** Attempts per account (from unknown addresses) before the delay starts. */
  readonly accountFree: number;
  #accounts = new Map<string, AccountTally>();
  #known = new Map<string, Map<string, number>>();

  constructor(
    attempts: number,
    private readonly now: () => number = Date.now,
  ) {
    this.byAccountAddress = new RateLimiter(attempts, WINDOW_MS, now);
    this.byAddress = new RateLimiter(attempts * 4, WINDOW_MS, now);
    this.accountFree = attempts * 2;
  }

  /** Counts an attempt before anything is checked, or refuses it. Synchronous, so parallel requests queue up on the counts. */
  admit(username: string, address: string): Admission {
    const t = this.now();
    const account = username.toLowerCase();
    const pair = `${account}|${address}`;
    const waits = [this.byAccountAddress.retryAfterMs(pair), this.byAddress.retryAfterMs(address)];
    const known = this.#isKnown(account, address, t);
    const tally = this.#tally(account, t);
    if (!known && tally.attempts >= this.accountFree && tally.nextAt > t) waits.push(tally.nextAt - t);
    const wait = Math.max(...waits);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    this.byAccountAddress.hit(pair);
    this.byAddress.hit(address);
    if (!known) {
      tally.attempts += 1;
      tally.lastAt = t;
      if (tally.attempts >= this.accountFree) tally.nextAt = t + Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(30, tally.attempts - this.accountFree));
    }
    return { ok: true };
  }

  /** The attempt was right: its counts are given back and the address becomes known for the account. */
  succeeded(username: string, address: string): void {
    const t = this.now();
    const account = username.toLowerCase();
    this.byAccountAddress.reset(`${account}|${address}`);
    this.byAddress.refund(address);
    const tally = this.#accounts.get(account);
    if (tally && tally.attempts > 0 && !this.#isKnown(account, address, t)) tally.attempts -= 1;
    let known = this.#known.get(account);
    if (!known) this.#known.set(account, (known = new Map()));
    known.delete(address);
    known.set(address, t);
    while (known.size > KNOWN_PER_ACCOUNT) known.delete(known.keys().next().value as string);
  }

  #isKnown(account: string, address: string, t: number): boolean {
    const at = this.#known.get(account)?.get(address);
    return at !== undefined && t - at < KNOWN_MS;
  }

  #tally(account: string, t: number): AccountTally {
    let e = this.#accounts.get(account);
    if (e && t - e.lastAt > FORGET_MS) {
      this.#accounts.delete(account);
      e = undefined;
    }
    if (!e) {
      e = { attempts: 0, lastAt: t, nextAt: 0 };
      this.#accounts.set(account, e);
      if (this.#accounts.size > MAX_ACCOUNTS) this.#sweep(t);
    }
    return e;
  }

  #sweep(t: number): void {
    for (const [k, e] of this.#accounts) if (t - e.lastAt > FORGET_MS) this.#accounts.delete(k);
    // Still full (made-up names from many addresses): drop the oldest, which only ever loosens a delay.
    for (const k of this.#accounts.keys()) {
      if (this.#accounts.size <= MAX_ACCOUNTS / 2) break;
      this.#accounts.delete(k);
    }
  }
}
