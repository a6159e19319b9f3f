// What sign-in refusals leave in the audit log, and what no audit line may
// hold. A refused sign-in costs the client nothing but the server a durable
// write, so only the first few of each window are written one by one; the
// rest are counted and written as one summary per window (count per address).
import type { AuditEntry, AuditLog } from '../store/types.ts';

/** Sixteen digits in a row (a NIK) anywhere in a string. */
const NIK_SHAPED = /(?<!\d)\d{16}(?!\d)/g;

/** Masks every NIK-shaped run of digits, keeping the last four ("************3456"). */
export function maskNik<T>(value: T): T {
  if (typeof value === 'string') return value.replace(NIK_SHAPED, (m) => `${'*'.repeat(12)}${m.slice(12)}`) as T;
  if (Array.isArray(value)) return value.map((v) => maskNik(v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskNik(v)])) as T;
  return value;
}

/** An audit log that masks NIK-shaped strings in every entry's detail before it is written. */
export function nikMaskingAudit(log: AuditLog): AuditLog {
  return {
    append: (entry: AuditEntry) => log.append(entry.detail ? { ...entry, detail: maskNik(entry.detail) } : entry),
    read: (day: string) => log.read(day),
  };
}

export interface RefusalLimits {
  /** Length of a summary window. */
  windowMs: number;
  /** Refusals written one by one per window, before the rest are only counted. */
  firstPerWindow: number;
  /** Addresses named in a summary (the busiest; the rest are counted together). */
  addressesPerSummary: number;
}

export const REFUSAL_LIMITS: RefusalLimits = { windowMs: 5 * 60_000, firstPerWindow: 10, addressesPerSummary: 20 };

interface Window {
  from: number;
  written: number;
  counted: Map<string, { count: number; reasons: Record<string, number> }>;
  timer: NodeJS.Timeout | null;
}

export class RefusalAudit {
  #w: Window | null = null;
  #pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: AuditLog,
    private readonly now: () => Date,
    readonly limits: RefusalLimits = REFUSAL_LIMITS,
  ) {}

  /** Records one refused sign-in: written (durable before this resolves) while the window's quota lasts, else counted. */
  async refused(r: { username: string; address: string; reason: string }): Promise<void> {
    const t = this.now().getTime();
    if (this.#w && t >= this.#w.from + this.limits.windowMs) await this.flush();
    const w = (this.#w ??= { from: t, written: 0, counted: new Map(), timer: null });
    if (w.written < this.limits.firstPerWindow) {
      w.written++;
      await this.log.append({ at: new Date(t).toISOString(), actor: { kind: 'system', id: 'auth' }, action: 'login_failed', detail: { username: r.username.slice(0, 64), address: r.address, reason: r.reason } });
      return;
    }
    let c = w.counted.get(r.address);
    if (!c) w.counted.set(r.address, (c = { count: 0, reasons: {} }));
    c.count++;
    c.reasons[r.reason] = (c.reasons[r.reason] ?? 0) + 1;
    if (!w.timer) {
      w.timer = setTimeout(() => void this.flush().catch(() => undefined), Math.max(0, w.from + this.limits.windowMs - t));
      w.timer.unref();
    }
  }

  /** Ends the current window: writes its summary when refusals were only counted. */
  flush(): Promise<void> {
    const w = this.#w;
    this.#w = null;
    if (w?.timer) clearTimeout(w.timer);
    if (!w || w.counted.size === 0) return this.#pending;
    const sorted = [...w.counted.entries()].sort((a, b) => b[1].count - a[1].count);
    const named = sorted.slice(0, this.limits.addressesPerSummary);
    const rest = sorted.slice(this.limits.addressesPerSummary);
    const entry: AuditEntry = {
      at: this.now().toISOString(),
      actor: { kind: 'system', id: 'auth' },
      action: 'login_failed_summary',
      detail: {
        from: new Date(w.from).toISOString(),
        refused: sorted.reduce((n, [, c]) => n + c.count, 0),
        addresses: named.map(([address, c]) => ({ address, count: c.count, reasons: c.reasons })),
        otherAddresses: rest.length,
        otherRefused: rest.reduce((n, [, c]) => n + c.count, 0),
      },
    };
    const written = this.#pending.then(() => this.log.append(entry));
    this.#pending = written.catch(() => undefined);
    return written;
  }
}
