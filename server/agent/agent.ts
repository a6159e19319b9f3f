// The agent: runs on a kiosk PC whose receipt printer and/or scanner are
// attached there, connects to the server's /agent namespace with its device
// token, and drives the printer with the same spooler the server uses.
//
// Exactly once across reconnects: the server sends a job until the agent
// acknowledges it; the agent acknowledges only after it has recorded the job
// id (job-log.ts, on disk), and a job id it has recorded is never printed
// again, whether it arrives twice because an acknowledgement was lost or the
// server resent it after a reconnect. Outcomes go back as print_result and are
// resent until the server acknowledges them. A job received but without an
// outcome when the agent stopped is reported 'failed', never reprinted (it
// may have been half printed).
import { EventEmitter } from 'node:events';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import type { Ack } from '../../protocol/errors.ts';
import type { AgentClientToServer, AgentServerToClient } from '../../protocol/events.ts';
import type { AgentPrintJob, AgentWelcome, PrintResult, PrinterStatus, ScanEvent } from '../../protocol/devices.ts';
import type { Logger } from '../log.ts';
import { parsePrinterUrl, parseScannerUrl } from '../devices/config.ts';
import { EscPosPrinter, TcpTransport, type PrinterTransport } from '../devices/printer.ts';
import { HidScanner, type HidModule } from '../devices/scanner.ts';
import { PrintSpooler, type SpoolerTiming } from '../devices/spooler.ts';
import { UsbTransport, realUsbAdapter, type UsbAdapterFactory } from '../devices/usb.ts';
import { AgentJobLog } from './job-log.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentOptions {
  /** Server base URL, e.g. http://192.168.1.10:3000 */
  server: string;
  /** Device token of a paired device of kind 'agent'. */
  token: string | null;
  /** Office id; default: the paired device's office (GET /api/v1/devices/me). */
  office?: string | null;
  /** tcp://HOST[:PORT] or usb://VID:PID, with ?width=58|80. */
  printer: string | null;
  /** hid://VID:PID */
  scanner: string | null;
  /** Kiosk device ids this agent prints for. */
  kiosks: string[];
  /** Where job ids are kept across restarts; null = memory only. */
  stateFile: string | null;
  log: Logger;
  timing?: Partial<SpoolerTiming>;
  usb?: UsbAdapterFactory;
  hid?: () => HidModule;
  reconnectDelayMs?: number;
}

type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

const blockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().max(2000), align: z.enum(['left', 'center', 'right']).optional(), size: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(), bold: z.boolean().optional() }),
  z.object({ type: z.literal('rule') }),
  z.object({ type: z.literal('qr'), data: z.string().min(1).max(2000) }),
  z.object({ type: z.literal('image'), png: z.string().max(400_000), alt: z.string().max(200) }),
  z.object({ type: z.literal('feed'), lines: z.number().int().min(0).max(10) }),
]);
const jobSchema = z.object({
  jobId: z.string().min(1).max(200),
  officeId: z.string().max(64),
  ticketId: z.string().max(64).nullable(),
  kioskId: z.string().max(64),
  receipt: z.object({ kind: z.enum(['ticket', 'slip']), blocks: z.array(blockSchema).max(200) }),
  hold: z.boolean(),
  createdAt: z.string().max(40),
});

export type AgentEvents = {
  /** Connected and greeted by the server (after every reconnect). */
  welcome: [welcome: AgentWelcome];
  disconnected: [reason: string];
  /** A job was handed to the printer (not a repeat). */
  job: [job: AgentPrintJob];
};

export class Agent extends EventEmitter<AgentEvents> {
  socket: AgentSocket | null = null;
  spooler: PrintSpooler | null = null;
  scanner: HidScanner | null = null;
  welcome: AgentWelcome | null = null;
  /** Test hook: the next N print jobs are printed but their acknowledgement is lost (the connection drops first). */
  loseAcks = 0;
  private jobs!: AgentJobLog;
  private office: string | null = null;
  private closed = false;
  private readonly recording = new Set<Promise<unknown>>();
  private readonly printerUrl: string | null;
  private paper: 58 | 80 = 80;

  constructor(private readonly opts: AgentOptions) {
    super();
    this.printerUrl = opts.printer;
  }

  private get log(): Logger {
    return this.opts.log;
  }

  /** Opens the devices and connects; resolves with the first welcome. */
  async start(): Promise<AgentWelcome> {
    this.jobs = await AgentJobLog.open(this.opts.stateFile);
    // Received before a restart and never finished: maybe half printed, so never reprinted; the server is told.
    for (const j of this.jobs.all()) {
      if (j.state === 'received') {
        await this.jobs.put({ ...j, state: 'failed', result: { jobId: j.jobId, ticketId: null, state: 'failed', printer: null }, resultAcked: false });
        this.log.warn({ job: j.jobId }, 'job without an outcome from before a restart: reported failed, not reprinted');
      }
    }
    if (this.opts.printer) this.openPrinter(this.opts.printer);
    if (this.opts.scanner) this.openScanner(this.opts.scanner);
    this.office = this.opts.office ?? (await this.officeOfDevice());
    return this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.scanner?.close();
    await this.spooler?.close();
    // Outcomes being written to the state file, so a restart knows them.
    await Promise.all([...this.recording]);
    this.socket?.disconnect();
  }

  private openPrinter(url: string): void {
    const target = parsePrinterUrl(url, '--printer');
    if (target.kind === 'agent') throw new Error('--printer: an agent drives a local printer (tcp:// or usb://), not agent://');
    const transport: PrinterTransport = target.kind === 'tcp' ? new TcpTransport(target.host, target.port) : new UsbTransport(target.vendorId, target.productId, this.opts.usb ? () => this.opts.usb! : realUsbAdapter);
    this.paper = target.paper;
    const printer = new EscPosPrinter(transport, {
      paper: target.paper,
      status: target.status,
      onNoStatus: () => this.log.warn({ url: transport.url }, 'printer does not answer status requests (DLE EOT): printing without paper/cover checks'),
    });
    const spooler = new PrintSpooler(printer, { printerId: 'local', log: this.log, ...(this.opts.timing ? { timing: this.opts.timing } : {}) });
    spooler.on('status', (status) => this.sendStatus(status));
    spooler.on('result', (job, result) => {
      const p = this.outcome(job.id, result).catch((err: unknown) => this.log.error({ err, job: job.id }, 'cannot record a print outcome'));
      this.recording.add(p);
      void p.finally(() => this.recording.delete(p));
    });
    this.spooler = spooler;
    spooler.start();
  }

  private openScanner(url: string): void {
    const target = parseScannerUrl(url, '--scanner');
    const scanner = new HidScanner(target, { source: target.url, log: this.log, ...(this.opts.hid ? { load: this.opts.hid } : {}) });
    scanner.on('scan', (scan) => this.sendScan(scan));
    if (scanner.start()) this.scanner = scanner;
  }

  private async officeOfDevice(): Promise<string> {
    const res = await fetch(new URL('/api/v1/devices/me', this.opts.server), { headers: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {} });
    if (!res.ok) throw new Error(`the server does not know this agent (GET /api/v1/devices/me → ${res.status}); check --token`);
    const body = (await res.json()) as { device: { officeId: string } };
    if (body.device.officeId === '*') throw new Error('a loopback agent serves no office of its own: give --office');
    return body.device.officeId;
  }

  private connect(): Promise<AgentWelcome> {
    const auth: Record<string, string> = { office: this.office! };
    if (this.opts.token) auth.deviceToken = this.opts.token;
    const delay = this.opts.reconnectDelayMs ?? 1000;
    const socket: AgentSocket = io(new URL('/agent', this.opts.server).toString(), {
      auth,
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: delay,
      reconnectionDelayMax: Math.max(delay, 10_000),
    });
    this.socket = socket;
    socket.on('print', (job: unknown, ack: unknown) => void this.onJob(job, typeof ack === 'function' ? (ack as (r: Ack<{ jobId: string }>) => void) : () => {}));
    socket.on('disconnect', (reason) => {
      this.log.warn({ reason }, 'disconnected from the server');
      this.emit('disconnected', reason);
    });
    return new Promise((resolve, reject) => {
      let first = true;
      socket.on('connect', () => {
        socket.timeout(10_000).emit('hello', this.hello(), (err: Error | null, res?: Ack<AgentWelcome>) => {
          if (err || !res) return void socket.disconnect().connect();
          if (!res.ok) {
            this.log.error({ error: res.error.code }, `the server refused this agent: ${res.error.message.en}`);
            if (first) reject(new Error(res.error.message.en));
            return;
          }
          this.welcome = res.data;
          this.log.info({ server: this.opts.server, office: res.data.officeId, agent: res.data.agentId }, 'connected to the server');
          if (this.spooler) socket.emit('status', this.spooler.status);
          void this.flushOutcomes();
          this.emit('welcome', res.data);
          if (first) {
            first = false;
            resolve(res.data);
          }
        });
      });
      socket.on('connect_error', (err: Error & { data?: { code?: string; message?: { en?: string } } }) => {
        const code = err.data?.code;
        this.log.error({ error: code ?? err.message }, `cannot connect to ${this.opts.server}: ${err.data?.message?.en ?? err.message}`);
        // Refused by the server (revoked, wrong office): socket.io does not retry those by itself.
        if (code && !this.closed) setTimeout(() => !this.closed && socket.connect(), Math.max(delay, 10_000)).unref();
        if (first && code) {
          first = false;
          reject(new Error(err.data?.message?.en ?? code));
        }
      });
    });
  }

  private hello() {
    return {
      kiosks: this.opts.kiosks,
      printer: this.printerUrl ? { url: this.printerUrl, paper: this.paper } : null,
      scanner: this.opts.scanner ? { url: this.opts.scanner } : null,
      version: AGENT_VERSION,
    };
  }

  private async onJob(payload: unknown, ack: (r: Ack<{ jobId: string }>) => void): Promise<void> {
    const parsed = jobSchema.safeParse(payload);
    if (!parsed.success) {
      ack({ ok: false, error: { code: 'bad_request', message: { id: 'Tugas cetak tidak valid.', en: 'Invalid print job.' } } });
      return;
    }
    const job = parsed.data as AgentPrintJob;
    const known = this.jobs.get(job.jobId);
    if (known) {
      // Seen before: acknowledge again, never print again.
      this.log.info({ job: job.jobId, state: known.state }, 'print job received again: not reprinted');
      ack({ ok: true, data: { jobId: job.jobId } });
      if (known.result && !known.resultAcked) void this.sendOutcome(known.result);
      return;
    }
    if (!this.spooler) {
      await this.jobs.put({ jobId: job.jobId, receivedAt: new Date().toISOString(), state: 'failed', result: null, resultAcked: false });
      ack({ ok: true, data: { jobId: job.jobId } });
      void this.outcome(job.jobId, { jobId: job.jobId, ticketId: job.ticketId, state: 'no_printer', printer: null });
      return;
    }
    await this.jobs.put({ jobId: job.jobId, receivedAt: new Date().toISOString(), state: 'received', result: null, resultAcked: false });
    this.spooler.submit({ id: job.jobId, ticketId: job.ticketId, receipt: job.receipt, hold: job.hold });
    this.emit('job', job);
    if (this.loseAcks > 0) {
      this.loseAcks -= 1;
      this.socket?.io.engine?.close();
      return;
    }
    ack({ ok: true, data: { jobId: job.jobId } });
  }

  private async outcome(jobId: string, result: PrintResult): Promise<void> {
    const entry = this.jobs.get(jobId) ?? { jobId, receivedAt: new Date().toISOString(), state: 'received' as const, result: null, resultAcked: false };
    // A held ticket is told 'failed' but stays in the queue: it is finished only when printed or dropped.
    const stillQueued = this.spooler?.job(jobId)?.state === 'held';
    const state = result.state === 'printed' ? 'printed' : stillQueued ? 'received' : 'failed';
    await this.jobs.put({ ...entry, state, result, resultAcked: false });
    await this.sendOutcome(result);
  }

  private sendOutcome(result: PrintResult): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected || !this.welcome) return Promise.resolve();
    return new Promise((resolve) => {
      socket.timeout(10_000).emit('print_result', result, (err: Error | null, res?: Ack<null>) => {
        const entry = this.jobs.get(result.jobId);
        if (!err && res?.ok && entry && entry.result?.state === result.state) void this.jobs.put({ ...entry, resultAcked: true }).then(resolve, resolve);
        else resolve();
      });
    });
  }

  private async flushOutcomes(): Promise<void> {
    for (const j of this.jobs.all()) if (j.result && !j.resultAcked) await this.sendOutcome(j.result);
  }

  private sendStatus(status: PrinterStatus): void {
    if (this.socket?.connected && this.welcome) this.socket.emit('status', status);
  }

  private sendScan(scan: ScanEvent): void {
    if (this.socket?.connected && this.welcome) this.socket.emit('scanned', scan);
    else this.log.warn({ source: scan.source }, 'scan dropped: not connected to the server');
  }
}
