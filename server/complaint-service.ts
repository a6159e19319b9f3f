// The shell around the complaint rules (server/domain/complaints.ts): makes
// ids and codes, stores each change durably before answering, and sweeps
// contacts whose purpose has ended (eraseContactDays after closing).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Complaint } from '../protocol/complaints.ts';
import { apiError } from '../protocol/errors.ts';
import type { OfficeConfig } from '../protocol/model.ts';
import { changeComplaint, codeFrom, complaintSettingsOf, contactExpired, newComplaint, withoutContact, type ComplaintChange, type ComplaintRefusal, type NewComplaint } from './domain/complaints.ts';
import type { Logger } from './log.ts';
import type { Result } from './queue-service.ts';
import type { Store } from './store/types.ts';

/** How often closed complaints are checked for contacts to erase. */
export const CONTACT_SWEEP_MS = 60 * 60_000;

export class ComplaintService {
  #timer: NodeJS.Timeout | null = null;
  /** Told after a change is on disk (the notify outbox tells the citizen, server/notify). */
  onChanged: ((office: OfficeConfig, before: Complaint, after: Complaint) => void) | null = null;
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    readonly now: () => Date = () => new Date(),
  ) {}

  async file(office: OfficeConfig, input: NewComplaint): Promise<Complaint> {
    // A code taken already (1 in 31^8) is drawn again.
    for (let i = 0; ; i++) {
      const code = codeFrom(randomBytes(8));
      if (i < 5 && (await this.store.complaints.byCode(office.id, code))) continue;
      const c = newComplaint(office, input, { id: randomUUID(), code }, this.now());
      await this.store.complaints.create(c);
      // No text, no contact in the log: only that one was filed.
      this.log.info({ office: office.id, complaint: c.id, channel: c.channel, category: c.category }, 'complaint filed');
      return c;
    }
  }

  async change(office: OfficeConfig, id: string, change: ComplaintChange, by: { id: string; name: string }): Promise<Result<Complaint>> {
    let refused: ComplaintRefusal | null = null;
    let before: Complaint | null = null;
    const out = await this.store.complaints.update(office.id, id, (c) => {
      before = c;
      const next = changeComplaint(c, change, by, this.now());
      if (typeof next === 'string') {
        refused = next;
        return null;
      }
      return next;
    });
    if (!out) return { ok: false, error: apiError('complaint_not_found') };
    if (refused) return { ok: false, error: apiError(refused) };
    if (before) this.onChanged?.(office, before, out);
    return { ok: true, data: out };
  }

  /** Erases every contact whose complaint was closed eraseContactDays ago or more; resolves with how many. */
  async sweep(offices: readonly OfficeConfig[]): Promise<number> {
    let erased = 0;
    const now = this.now();
    for (const office of offices) {
      const settings = complaintSettingsOf(office);
      for (const c of await this.store.complaints.list(office.id)) {
        if (!contactExpired(c, settings, now)) continue;
        await this.store.complaints.update(office.id, c.id, (x) => (contactExpired(x, settings, now) ? withoutContact(x, now) : null));
        erased++;
      }
    }
    if (erased > 0) this.log.info({ erased }, 'complaint contacts erased');
    return erased;
  }

  startTimers(offices: () => readonly OfficeConfig[], periodMs = CONTACT_SWEEP_MS): void {
    this.#timer ??= setInterval(() => void this.sweep(offices()).catch((err: unknown) => this.log.error({ err }, 'complaint contact sweep failed')), periodMs);
    this.#timer.unref();
  }

  stopTimers(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
