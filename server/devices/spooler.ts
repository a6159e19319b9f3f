// The print queue of one printer, used by the server for its own printers and
// by the agent for its local one. Jobs have ids and are printed one at a time,
// in order, exactly once:
//
// - `submit` with an id already known returns the existing job: a job id is
//   never queued twice.
// - A job is sent until an attempt ends 'printed'; a printed job is never sent
//   again.
// - A failed attempt is retried according to how far it got (printer.ts):
//   nothing sent → the whole job again; the body was confirmed → only the feed
//   and cut; part of the body may be on paper → the whole job again, after a
//   note and a cut that separate the fragment ("CETAKAN TERPUTUS — ABAIKAN
//   POTONGAN INI"), so no second usable ticket can come out.
// - Paper out / cover open / offline / error before printing: nothing is sent;
//   the job is held (tickets) or failed (slips), and the printer is polled
//   until it can print, then held jobs print once, in order.
//
// What is NOT guaranteed: the job table lives in this process's memory, so a
// job pending when the process stops is lost (never printed twice, maybe not
// at all; the kiosk has been told 'failed' if it waited that long). And a
// printer that answers no status is driven write-only: then "printed" means
// the bytes went out and the connection closed in order.
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import type { PaperWidth, PrintResult, PrinterState, PrinterStatus, ReceiptDescription } from '../../protocol/devices.ts';
import type { Bilingual } from '../../protocol/model.ts';
import type { PrinterCondition } from './escpos-commands.ts';
import type { JobBytes, PrintAttempt, ReceiptPrinter, Resume } from './printer.ts';
import { encodeReceipt, encodeVoidFragment } from './receipt-escpos.ts';

export interface SpoolJob {
  id: string;
  ticketId: string | null;
  receipt: ReceiptDescription;
  /** Hold while the printer cannot print, and print later (tickets); or fail at once (slips). */
  hold: boolean;
}

export type JobState = 'queued' | 'held' | 'printed' | 'failed';

export interface JobRecord extends SpoolJob {
  state: JobState;
  /** Print attempts made (each one connection to the printer). */
  attempts: number;
  resume: Resume;
  lastError: string | null;
  createdAt: number;
  printedAt: number | null;
  /** Whether the kiosk has been told 'failed' for this job (told once). */
  toldFailed: boolean;
}

export interface SpoolerTiming {
  /** Status poll while a job is held or the printer is unreachable. */
  pollMs: number;
  /** Status poll while idle, so staff learn of an empty roll before a citizen does (0 = never). */
  idlePollMs: number;
  /** Waits before quick retries after a transient failure; after the last, the printer counts as offline. */
  retryDelaysMs: number[];
  /** A held ticket older than this is dropped instead of printed for nobody. */
  holdMaxMs: number;
}

export const DEFAULT_TIMING: SpoolerTiming = { pollMs: 2000, idlePollMs: 30_000, retryDelaysMs: [100, 300, 1000], holdMaxMs: 15 * 60_000 };

export interface SpoolerOptions {
  printerId: string;
  timing?: Partial<SpoolerTiming>;
  log: Logger;
  now?: () => Date;
}

export type SpoolerEvents = {
  /** A job was printed, or failed (for a held ticket: printing follows later). */
  result: [job: JobRecord, result: PrintResult];
  /** The printer's state changed. */
  status: [status: PrinterStatus];
};

const MESSAGES: Record<PrinterState, Bilingual> = {
  ok: { id: 'Printer siap.', en: 'The printer is ready.' },
  paper_near_end: { id: 'Kertas printer hampir habis.', en: 'The printer paper is running low.' },
  paper_out: { id: 'Kertas printer habis. Petugas akan mengganti kertas.', en: 'The printer is out of paper. Staff will replace it.' },
  cover_open: { id: 'Tutup printer terbuka.', en: 'The printer cover is open.' },
  offline: { id: 'Printer tidak terhubung.', en: 'The printer cannot be reached.' },
  error: { id: 'Printer mengalami gangguan.', en: 'The printer reports an error.' },
  unknown: { id: 'Status printer belum diketahui.', en: 'The printer status is not known yet.' },
};

export function printerStatus(printerId: string, state: PrinterState, at: Date): PrinterStatus {
  return { printerId, state, message: MESSAGES[state], at: at.toISOString() };
}

export function stateOf(c: PrinterCondition | null): PrinterState {
  if (!c) return 'ok';
  if (c.paperOut) return 'paper_out';
  if (c.coverOpen) return 'cover_open';
  if (c.error) return 'error';
  if (c.offline) return 'offline';
  if (c.paperNearEnd) return 'paper_near_end';
  return 'ok';
}

/** States in which nothing prints. */
export function isFault(state: PrinterState): boolean {
  return state === 'paper_out' || state === 'cover_open' || state === 'offline' || state === 'error';
}

const KEEP_DONE_MS = 6 * 3_600_000;
const KEEP_DONE_MAX = 2000;

export class PrintSpooler extends EventEmitter<SpoolerEvents> {
  readonly printerId: string;
  readonly timing: SpoolerTiming;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly queue: JobRecord[] = [];
  private readonly bytes = new Map<string, Promise<JobBytes>>();
  private voidFragment: Promise<Buffer> | null = null;
  private current: PrinterStatus;
  private closed = false;
  private wake: (() => void) | null = null;
  private worker: Promise<void> | null = null;

  constructor(
    readonly printer: ReceiptPrinter,
    opts: SpoolerOptions,
  ) {
    super();
    this.printerId = opts.printerId;
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.log = opts.log;
    this.now = opts.now ?? (() => new Date());
    this.current = printerStatus(this.printerId, 'unknown', this.now());
  }

  get paper(): PaperWidth {
    return this.printer.paper;
  }

  get status(): PrinterStatus {
    return this.current;
  }

  job(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  /** Jobs not yet printed or failed. */
  get pending(): JobRecord[] {
    return [...this.queue];
  }

  /** Starts the worker: an immediate status query, then jobs and polls. */
  start(): void {
    this.worker ??= this.run().catch((err: unknown) => this.log.error({ err, printer: this.printerId }, 'print spooler stopped'));
  }

  /** Queues a job; a known id returns the job as it is (never queued twice). */
  submit(spec: SpoolJob): JobRecord {
    const known = this.jobs.get(spec.id);
    if (known) return known;
    const job: JobRecord = { ...spec, state: 'queued', attempts: 0, resume: 'full', lastError: null, createdAt: Date.now(), printedAt: null, toldFailed: false };
    this.jobs.set(job.id, job);
    this.queue.push(job);
    // Encode now, while the worker may still be busy.
    this.bytesOf(job).catch(() => {});
    this.prune();
    this.wake?.();
    return job;
  }

  /** Stops after the attempt in progress (waiting at most 2 s for it: a shutdown must not hang on a silent printer). */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.worker, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    await this.printer.close().catch(() => {});
  }

  // ------------------------------------------------------------ worker

  private bytesOf(job: JobRecord): Promise<JobBytes> {
    let p = this.bytes.get(job.id);
    if (!p) {
      p = encodeReceipt(job.receipt, this.printer.paper);
      this.bytes.set(job.id, p);
    }
    return p;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async run(): Promise<void> {
    await this.poll();
    let failures = 0;
    while (!this.closed) {
      this.expireHeld();
      const job = this.queue[0];
      if (!job) {
        failures = 0;
        if (this.timing.idlePollMs > 0) {
          await this.sleep(this.timing.idlePollMs);
          if (!this.closed && this.queue.length === 0) await this.poll();
        } else {
          await this.sleep(3_600_000);
        }
        continue;
      }
      let bytes: JobBytes;
      try {
        bytes = await this.bytesOf(job);
      } catch (err) {
        this.log.error({ err, job: job.id, printer: this.printerId }, 'cannot encode receipt; job dropped');
        this.finish(job, 'failed');
        continue;
      }
      this.voidFragment ??= encodeVoidFragment(this.printer.paper);
      const attempt = await this.printer.print(bytes, job.resume, await this.voidFragment);
      job.attempts += 1;
      if (this.closed && attempt.kind !== 'printed') break;
      if (attempt.kind === 'printed') {
        failures = 0;
        this.setState(attempt.condition ? stateOf(attempt.condition) : 'ok');
        job.printedAt = Date.now();
        this.finish(job, 'printed');
        continue;
      }
      if (attempt.kind === 'not_ready') {
        failures = 0;
        this.setState(stateOf(attempt.condition));
        this.holdOrFail(job, `printer not ready: ${this.current.state}`);
        await this.sleep(this.timing.pollMs);
        continue;
      }
      this.interrupted(job, attempt);
      if (attempt.condition && isFault(stateOf(attempt.condition))) {
        // The printer stopped mid-job (paper ran out): hold until it can print.
        failures = 0;
        this.setState(stateOf(attempt.condition));
        this.holdOrFail(job, attempt.error);
        await this.sleep(this.timing.pollMs);
        continue;
      }
      const delay = this.timing.retryDelaysMs[failures];
      failures += 1;
      if (delay !== undefined) {
        await this.sleep(delay);
        continue;
      }
      // Quick retries used up: the printer is unreachable for now.
      this.setState('offline', attempt.error);
      this.holdOrFail(job, attempt.error);
      await this.sleep(this.timing.pollMs);
    }
  }

  /** Records how far an interrupted attempt got, so the next one neither skips nor repeats paper. */
  private interrupted(job: JobRecord, attempt: Extract<PrintAttempt, { kind: 'interrupted' }>): void {
    job.lastError = attempt.error;
    if (attempt.reached === 'body') job.resume = 'tail';
    else if (attempt.reached === 'partial') job.resume = 'after-fragment';
    // reached 'none': nothing new on paper, resume stays as it was.
    this.log.warn({ printer: this.printerId, job: job.id, ticket: job.ticketId, attempt: job.attempts, reached: attempt.reached, error: attempt.error, next: job.resume }, 'print attempt interrupted');
  }

  private holdOrFail(job: JobRecord, reason: string): void {
    job.lastError = reason;
    if (!job.hold) {
      this.finish(job, 'failed');
      return;
    }
    if (job.state !== 'held') {
      job.state = 'held';
      this.log.warn({ printer: this.printerId, job: job.id, ticket: job.ticketId, state: this.current.state }, 'print job held until the printer can print');
    }
    this.tellFailed(job);
  }

  private tellFailed(job: JobRecord): void {
    if (job.toldFailed) return;
    job.toldFailed = true;
    this.emit('result', job, { jobId: job.id, ticketId: job.ticketId, state: 'failed', printer: this.current });
  }

  private finish(job: JobRecord, state: 'printed' | 'failed'): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
    this.bytes.delete(job.id);
    job.state = state;
    if (state === 'printed') {
      this.log.info({ printer: this.printerId, job: job.id, ticket: job.ticketId, attempts: job.attempts }, 'printed');
      this.emit('result', job, { jobId: job.id, ticketId: job.ticketId, state: 'printed', printer: this.current });
    } else {
      this.log.warn({ printer: this.printerId, job: job.id, ticket: job.ticketId, error: job.lastError }, 'print job failed');
      this.tellFailed(job);
    }
  }

  private expireHeld(): void {
    const limit = Date.now() - this.timing.holdMaxMs;
    for (const job of [...this.queue]) {
      if (job.state === 'held' && job.createdAt < limit) {
        job.lastError = 'held too long';
        this.log.warn({ printer: this.printerId, job: job.id, ticket: job.ticketId }, 'held print job dropped: too old to print');
        this.finish(job, 'failed');
      }
    }
  }

  private async poll(): Promise<void> {
    try {
      this.setState(stateOf(await this.printer.status()));
    } catch (err) {
      this.setState('offline', (err as Error).message);
    }
  }

  private setState(state: PrinterState, detail?: string): void {
    if (state === this.current.state) return;
    const before = this.current.state;
    this.current = printerStatus(this.printerId, state, this.now());
    const fields = { printer: this.printerId, url: this.printer.url, from: before, to: state, ...(detail ? { detail } : {}) };
    if (isFault(state)) this.log.warn(fields, `printer ${this.printerId}: ${MESSAGES[state].en}`);
    else this.log.info(fields, `printer ${this.printerId}: ${MESSAGES[state].en}`);
    this.emit('status', this.current);
  }

  private prune(): void {
    const limit = Date.now() - KEEP_DONE_MS;
    const done = [...this.jobs.values()].filter((j) => j.state === 'printed' || j.state === 'failed');
    for (const j of done) if (j.createdAt < limit || this.jobs.size > KEEP_DONE_MAX) this.jobs.delete(j.id);
  }
}
