// A fixed-window counter per key (IP, username, device). In memory: limits
// reset with the process, which is fine for flood protection.
export class RateLimiter {
  #hits = new Map<string, { count: number; resetAt: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit; false when the key is over its limit in this window. */
  hit(key: string): boolean {
    const t = this.now();
    let e = this.#hits.get(key);
    if (!e || e.resetAt <= t) {
      e = { count: 0, resetAt: t + this.windowMs };
      this.#hits.set(key, e);
      if (this.#hits.size > 10_000) this.#sweep(t);
    }
    e.count += 1;
    return e.count <= this.limit;
  }

  /** 0 when the key may hit now, else the ms until its window ends. */
  retryAfterMs(key: string): number {
    const e = this.#hits.get(key);
    const t = this.now();
    return e && e.resetAt > t && e.count >= this.limit ? e.resetAt - t : 0;
  }

  isBlocked(key: string): boolean {
    const e = this.#hits.get(key);
    return !!e && e.resetAt > this.now() && e.count >= this.limit;
  }

  /** Gives back a hit that turned out not to count (a retry answered from the idempotency record, a refusal). */
  refund(key: string): void {
    const e = this.#hits.get(key);
    if (e && e.count > 0) e.count -= 1;
  }

  reset(key: string): void {
    this.#hits.delete(key);
  }

  #sweep(t: number): void {
    for (const [k, e] of this.#hits) if (e.resetAt <= t) this.#hits.delete(k);
  }
}
