// ReceiptPrinter: an ESC/POS printer behind a byte transport (raw TCP port
// 9100, or USB in usb.ts). One print attempt is:
//
//   1. connect; DLE EOT 1–4 → if paper out, cover open, offline or in error,
//      stop here ("not ready": nothing was sent);
//   2. send the body followed by DLE EOT 1–4; the four reply bytes can only
//      come back once the printer has received the whole body;
//   3. send the tail (feed + cut) followed by DLE EOT 1–4; the replies confirm
//      the cut was received.
//
// So an attempt that fails tells how far it got: nothing sent ('none'), part
// of the body may have been printed ('partial'), or the body was received and
// only the cut is in doubt ('body'). The spooler uses that to retry without
// printing a ticket twice. A printer that never answers DLE EOT (some clones,
// or `?status=off`) is driven write-only: step 2 and 3 without the replies.
import net from 'node:net';
import type { PaperWidth } from '../../protocol/devices.ts';
import { STATUS_REPLY_BYTES, STATUS_REQUEST, canPrint, parseStatus, type PrinterCondition } from './escpos-commands.ts';

/** An open byte pipe to a printer. */
export interface PrinterLink {
  /** Resolves once the bytes are handed to the OS/device; rejects when the link broke. */
  write(bytes: Buffer): Promise<void>;
  /** Resolves with exactly `n` bytes from the printer; rejects on timeout or when the link breaks. */
  read(n: number, timeoutMs: number): Promise<Buffer>;
  /** Forgets bytes received but not read (stale replies). */
  discardInput(): void;
  /** False when the transport has no way back from the printer (then no status). */
  readonly canRead: boolean;
  /** Ends the link gracefully; resolves when it is closed (rejects if it broke on the way). */
  close(): Promise<void>;
}

export interface PrinterTransport {
  readonly url: string;
  connect(timeoutMs: number): Promise<PrinterLink>;
  /** Releases a device handle kept between jobs (USB). */
  dispose(): Promise<void>;
}

export interface JobBytes {
  body: Buffer;
  tail: Buffer;
}

/** What to send: the whole job, the job after a fragment note (an earlier attempt was cut off mid-body), or only the tail. */
export type Resume = 'full' | 'after-fragment' | 'tail';

export type PrintAttempt =
  /** Every byte was received (confirmed by status replies, or by a clean close when write-only). */
  | { kind: 'printed'; condition: PrinterCondition | null }
  /** The pre-print status said the printer cannot print: nothing was sent. */
  | { kind: 'not_ready'; condition: PrinterCondition }
  /** The link failed, or the printer stopped mid-job; `reached` is how far the job certainly got. */
  | { kind: 'interrupted'; reached: 'none' | 'partial' | 'body'; error: string; condition: PrinterCondition | null };

export interface ReceiptPrinter {
  readonly url: string;
  readonly paper: PaperWidth;
  /** DLE EOT 1–4 now; null when the printer cannot be asked. Rejects when unreachable. */
  status(): Promise<PrinterCondition | null>;
  print(job: JobBytes, resume: Resume, voidFragment: Buffer): Promise<PrintAttempt>;
  close(): Promise<void>;
}

export interface PrinterTimeouts {
  connectMs: number;
  /** Waiting for the status replies before anything is printed. */
  statusMs: number;
  /** Waiting for the replies after the body / tail: a real printer reads its input only as fast as it prints. */
  confirmMs: number;
}

export const DEFAULT_TIMEOUTS: PrinterTimeouts = { connectMs: 3000, statusMs: 2000, confirmMs: 15_000 };

function message(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String((err as Error)?.message ?? err);
}

export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** Raw TCP ("port 9100", AppSocket/JetDirect): one connection per job or status query. */
export class TcpTransport implements PrinterTransport {
  readonly url: string;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.url = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  connect(timeoutMs: number): Promise<PrinterLink> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`connect to ${this.url} timed out`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TcpLink(socket));
      });
    });
  }

  async dispose(): Promise<void> {}
}

class TcpLink implements PrinterLink {
  readonly canRead = true;
  private input: Buffer[] = [];
  private inputLength = 0;
  private waiter: (() => void) | null = null;
  /** Why reads and writes fail from now on (an error, or the printer closing its side). */
  private broken: Error | null = null;
  /** A socket error, as opposed to an orderly close. */
  private error: Error | null = null;
  private readonly closed: Promise<void>;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.input.push(d);
      this.inputLength += d.length;
      this.waiter?.();
    });
    socket.on('error', (err) => {
      this.error ??= err;
      this.broken ??= err;
      this.waiter?.();
    });
    this.closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.broken ??= Object.assign(new Error('connection closed by the printer'), { code: 'ECONNRESET' });
        this.waiter?.();
        resolve();
      });
    });
  }

  write(bytes: Buffer): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => (err ? reject(err) : this.broken ? reject(this.broken) : resolve()));
    });
  }

  read(n: number, timeoutMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.inputLength >= n) {
          done();
          const all = Buffer.concat(this.input, this.inputLength);
          this.input = all.length > n ? [all.subarray(n)] : [];
          this.inputLength = all.length - n;
          resolve(all.subarray(0, n));
        } else if (this.broken) {
          done();
          reject(this.broken);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`no reply from the printer in ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiter = null;
      };
      this.waiter = check;
      check();
    });
  }

  discardInput(): void {
    this.input = [];
    this.inputLength = 0;
  }

  /** Rejects when the socket failed (reset, timeout) rather than closing in order. */
  async close(): Promise<void> {
    if (!this.socket.destroyed) {
      const timer = setTimeout(() => this.socket.destroy(Object.assign(new Error('close timed out'), { code: 'ETIMEDOUT' })), 2000);
      this.socket.end();
      await this.closed;
      clearTimeout(timer);
    }
    await this.closed;
    if (this.error) throw this.error;
  }
}

export interface EscPosPrinterOptions {
  paper: PaperWidth;
  /** 'auto': ask, and print write-only if the printer never answers; 'off': never ask. */
  status: 'auto' | 'off';
  timeouts?: Partial<PrinterTimeouts>;
  /** Told once when an 'auto' printer turns out not to answer DLE EOT. */
  onNoStatus?: () => void;
}

export class EscPosPrinter implements ReceiptPrinter {
  readonly paper: PaperWidth;
  private readonly timeouts: PrinterTimeouts;
  /** Set once the printer has answered DLE EOT: from then on a missing answer is a failure, not a quiet printer. */
  private answersStatus = false;
  /** Set when a query went unanswered before any was answered: jobs then go write-only, without waiting for replies. */
  private silent = false;

  constructor(
    private readonly transport: PrinterTransport,
    private readonly opts: EscPosPrinterOptions,
  ) {
    this.paper = opts.paper;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  }

  get url(): string {
    return this.transport.url;
  }

  async status(): Promise<PrinterCondition | null> {
    const link = await this.transport.connect(this.timeouts.connectMs);
    try {
      return await this.ask(link, true);
    } finally {
      await link.close().catch(() => {});
    }
  }

  /**
   * DLE EOT 1–4 on an open link; null when this printer is not asked or does
   * not answer. A silent printer is asked again only by status polls (`probe`),
   * so its jobs do not each wait for the timeout.
   */
  private async ask(link: PrinterLink, probe = false): Promise<PrinterCondition | null> {
    if (this.opts.status === 'off' || !link.canRead || (this.silent && !probe)) return null;
    link.discardInput();
    await link.write(STATUS_REQUEST);
    let reply: Buffer;
    try {
      reply = await link.read(STATUS_REPLY_BYTES, this.timeouts.statusMs);
    } catch (err) {
      if (err instanceof TimeoutError && !this.answersStatus) {
        if (!this.silent) {
          this.silent = true;
          this.opts.onNoStatus?.();
        }
        return null;
      }
      throw err;
    }
    this.answersStatus = true;
    this.silent = false;
    return parseStatus(reply);
  }

  async print(job: JobBytes, resume: Resume, voidFragment: Buffer): Promise<PrintAttempt> {
    let link: PrinterLink;
    try {
      link = await this.transport.connect(this.timeouts.connectMs);
    } catch (err) {
      return { kind: 'interrupted', reached: 'none', error: message(err), condition: null };
    }
    let reached: 'none' | 'partial' | 'body' = 'none';
    let condition: PrinterCondition | null = null;
    try {
      condition = await this.ask(link);
      if (condition && !canPrint(condition)) return { kind: 'not_ready', condition };
      const confirm = condition !== null;
      const first = resume === 'tail' ? null : resume === 'after-fragment' ? Buffer.concat([voidFragment, job.body]) : job.body;
      if (first) {
        reached = 'partial';
        await link.write(confirm ? Buffer.concat([first, STATUS_REQUEST]) : first);
        if (confirm) {
          condition = parseStatus(await link.read(STATUS_REPLY_BYTES, this.timeouts.confirmMs));
          // Paper ran out (or the cover opened) while printing: part of the body may be on paper.
          if (condition && !canPrint(condition)) return { kind: 'interrupted', reached, error: 'the printer stopped while printing', condition };
        }
      }
      reached = 'body';
      await link.write(confirm ? Buffer.concat([job.tail, STATUS_REQUEST]) : job.tail);
      if (confirm) condition = parseStatus(await link.read(STATUS_REPLY_BYTES, this.timeouts.confirmMs));
      // Write-only: a clean close is the best evidence there is that the bytes arrived.
      else await link.close();
      return { kind: 'printed', condition };
    } catch (err) {
      return { kind: 'interrupted', reached, error: message(err), condition };
    } finally {
      await link.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.transport.dispose();
  }
}
