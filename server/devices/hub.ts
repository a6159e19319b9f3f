// The devices service: which printer serves which kiosk, the print jobs for
// issued tickets and "what to bring" slips, the agents, and what to tell
// kiosks and staff. It knows no sockets: server/realtime/kiosk.ts, counter.ts
// and agent.ts register their screens and agents here and deliver what it says.
//
// Routing of a kiosk's jobs (kiosk = the device that issued the ticket, or
// "loopback" for the demo screen on the server machine), first match wins:
//   1. GILIRAN_PRINTERS[kiosk id]  (tcp://, usb:// or agent://ID): the environment overrides
//   2. the kiosk's `printer` in the configuration (set from the admin console, applied live:
//      read for every job, so the next ticket prints there)
//   3. an agent that said in its hello that it serves this kiosk
//   4. GILIRAN_PRINTER             (the quick-start printer)
// A ticket issued by an agent itself (a hardware keypad) prints on that agent.
// Nothing found → the kiosk gets print_result 'no_printer' at once.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { apiError, type Ack } from '../../protocol/errors.ts';
import type { AgentHello, AgentPrintJob, AgentWelcome, PrintResult, PrinterStatus, ReceiptDescription, ScanEvent, SlipRequest } from '../../protocol/devices.ts';
import type { QueueDelta, Ticket } from '../../protocol/model.ts';
import { precheckProblems, requirementText } from '../../protocol/rules.ts';
import { trackUrl } from '../../protocol/urls.ts';
import type { Logger } from '../log.ts';
import type { CommandOrigin, QueueService } from '../queue-service.ts';
import type { Settings } from '../settings.ts';
import type { Store } from '../store/types.ts';
import { parsePrinterUrl, type DeviceConfig, type PrinterTarget } from './config.ts';
import { EscPosPrinter, TcpTransport, type PrinterTransport } from './printer.ts';
import { slipReceipt, ticketReceipt } from './receipt.ts';
import { HidScanner, type HidModule } from './scanner.ts';
import { DEFAULT_TIMING, PrintSpooler, isFault, printerStatus, type SpoolerTiming } from './spooler.ts';
import { UsbTransport, realUsbAdapter, type UsbAdapterFactory } from './usb.ts';

export interface DeviceContext {
  settings: Settings;
  store: Store;
  queue: QueueService;
  log: Logger;
  /** The HTTP server's address (tracking links on receipts when no public URL is set). */
  listenAddress(): AddressInfo | string | null;
  /** The ticket's holder key for its QR link (server/auth/holder-key.ts); absent = a read-only link. */
  holderKeyOf?(officeId: string, ticketId: string): string;
}

export interface HubOptions {
  timing?: Partial<SpoolerTiming>;
  usb?: UsbAdapterFactory;
  hid?: () => HidModule;
  /** An agent gone this long counts as offline (short drops are not reported). */
  agentOfflineGraceMs?: number;
  /** How long print_slip waits for the outcome before answering 'failed'. */
  slipTimeoutMs?: number;
  /** How often unacknowledged agent jobs are sent again while the agent is connected. */
  agentResendMs?: number;
}

/** A kiosk screen connected over a socket (registered by server/realtime/kiosk.ts). */
export interface KioskScreen {
  /** Its socket id: a ticket's print result goes to the screen that issued it. */
  readonly id: string;
  readonly officeId: string;
  /** The device id its jobs are routed by ('loopback' for the demo screen); null for staff. */
  readonly kioskId: string | null;
  printResult(result: PrintResult): void;
  printerStatus(status: PrinterStatus): void;
  scanned(scan: ScanEvent): void;
}

/** One connection of an agent (server/realtime/agent.ts makes one per socket). */
export interface AgentChannel {
  readonly connected: boolean;
  /** Sends a job; `done` gets the agent's acknowledgement, or null when none came in time. */
  print(job: AgentPrintJob, done: (res: Ack<{ jobId: string }> | null) => void): void;
  disconnect(): void;
}

/** Offices whose staff are told of a printer status: office ids, or '*' for all. */
export type StaffStatusListener = (offices: string[], status: PrinterStatus) => void;

/** Where a kiosk's jobs go. */
type Route = { kind: 'local'; printer: LocalPrinter } | { kind: 'agent'; agent: AgentLink };

interface LocalPrinter {
  key: string;
  printerId: string;
  spooler: PrintSpooler;
}

interface AgentLink {
  agentId: string;
  officeId: string;
  printerId: string;
  kiosks: Set<string>;
  hasPrinter: boolean;
  hasScanner: boolean;
  socket: AgentChannel | null;
  status: PrinterStatus;
  /** Jobs sent but not yet acknowledged: sent again after a reconnect. */
  unacked: Map<string, { job: AgentPrintJob; sentAt: number }>;
  offlineTimer: NodeJS.Timeout | null;
}

interface ServerJob {
  id: string;
  officeId: string;
  kioskId: string | null;
  /** The kiosk socket that issued the ticket, when it came over a socket: its results go to that screen alone. */
  socketId?: string | undefined;
  ticketId: string | null;
  kind: 'ticket' | 'slip';
  route: Route;
  told: Set<PrintResult['state']>;
  createdAt: number;
  waiters: Array<(r: PrintResult) => void>;
}

function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

export class DeviceHub {
  private readonly log: Logger;
  /** Kiosk screens by socket id. */
  private readonly screens = new Map<string, KioskScreen>();
  private readonly staffListeners: StaffStatusListener[] = [];
  /** Local printers by printer URL (several kiosks may share one). */
  private readonly printers = new Map<string, LocalPrinter>();
  private readonly agents = new Map<string, AgentLink>();
  private readonly jobs = new Map<string, ServerJob>();
  private scanner: HidScanner | null = null;
  /** Uploaded office logos (PNG, base64) by their URL, which names their hash: read once each. */
  private readonly logos = new Map<string, string | null>();
  /** Printer URLs of the configuration, parsed once each. */
  private readonly parsed = new Map<string, PrinterTarget | null>();
  private resendTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly ctx: DeviceContext,
    private readonly config: DeviceConfig,
    private readonly opts: HubOptions,
    log: Logger,
  ) {
    this.log = log;
  }

  start(): void {
    const env = this.config.printer;
    if (env && env.kind !== 'agent') this.localPrinter(env, 'env');
    for (const [kioskId, target] of Object.entries(this.config.printers)) {
      if (target.kind !== 'agent') this.localPrinter(target, kioskId);
    }
    this.ctx.queue.listen({
      delta: (officeId, delta, origin) => this.onDelta(officeId, delta, origin),
      reset: () => {},
    });
    if (this.config.scanner) {
      const scanner = new HidScanner(this.config.scanner, {
        source: this.config.scanner.url,
        log: this.log,
        ...(this.opts.hid ? { load: this.opts.hid } : {}),
      });
      scanner.on('scan', (scan) => this.deliverScan(scan, null));
      if (scanner.start()) this.scanner = scanner;
    }
    const resendMs = this.opts.agentResendMs ?? 5000;
    this.resendTimer = setInterval(() => this.resendUnacked(resendMs), resendMs);
    this.resendTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.resendTimer) clearInterval(this.resendTimer);
    this.scanner?.close();
    for (const a of this.agents.values()) if (a.offlineTimer) clearTimeout(a.offlineTimer);
    await Promise.all([...this.printers.values()].map((p) => p.spooler.close()));
  }

  // ------------------------------------------------------------ introspection (tests, admin)

  /** The local printer spoolers, by printer id. */
  get localPrinters(): Map<string, PrintSpooler> {
    return new Map([...this.printers.values()].map((p) => [p.printerId, p.spooler]));
  }

  job(id: string): { id: string; told: PrintResult['state'][]; route: string } | undefined {
    const j = this.jobs.get(id);
    if (!j) return undefined;
    return { id: j.id, told: [...j.told], route: j.route.kind === 'local' ? j.route.printer.printerId : `agent:${j.route.agent.agentId}` };
  }

  /** Every printer status of an office (what a counter gets on connect). */
  statusesFor(officeId: string): PrinterStatus[] {
    const out: PrinterStatus[] = [];
    for (const p of this.printers.values()) if (this.officesOfLocal(p).some((o) => o === '*' || o === officeId)) out.push(p.spooler.status);
    for (const a of this.agents.values()) if (a.hasPrinter && (a.officeId === '*' || a.officeId === officeId)) out.push(a.status);
    return out;
  }

  // ------------------------------------------------------------ printers and routing

  private localPrinter(target: Exclude<PrinterTarget, { kind: 'agent' }>, printerId: string): LocalPrinter {
    const key = target.kind === 'tcp' ? `tcp://${target.host}:${target.port}` : target.url;
    const known = this.printers.get(key);
    if (known) return known;
    let transport: PrinterTransport;
    if (target.kind === 'tcp') transport = new TcpTransport(target.host, target.port);
    else transport = new UsbTransport(target.vendorId, target.productId, this.opts.usb ? () => this.opts.usb! : realUsbAdapter);
    const printer = new EscPosPrinter(transport, {
      paper: target.paper,
      status: target.status,
      onNoStatus: () => this.log.warn({ printer: printerId, url: transport.url }, 'printer does not answer status requests (DLE EOT): printing without paper/cover checks'),
    });
    const spooler = new PrintSpooler(printer, { printerId, log: this.log, now: this.ctx.queue.now, ...(this.opts.timing ? { timing: this.opts.timing } : {}) });
    const local: LocalPrinter = { key, printerId, spooler };
    spooler.on('status', (status) => this.onPrinterStatus(status, { kind: 'local', printer: local }));
    spooler.on('result', (job, result) => {
      const sj = this.jobs.get(job.id);
      if (sj) this.deliverResult(sj, result);
    });
    this.printers.set(key, local);
    this.log.info({ printer: printerId, url: transport.url, paper: target.paper }, 'receipt printer configured');
    spooler.start();
    return local;
  }

  /** The kiosk's printer in the configuration (DeviceRecord.printer), parsed; null when none or unreadable. */
  private configuredPrinter(kioskId: string): PrinterTarget | null {
    const url = this.ctx.store.config.get().devices.find((d) => d.id === kioskId)?.printer;
    if (!url) return null;
    let target = this.parsed.get(url);
    if (target === undefined) {
      try {
        target = parsePrinterUrl(url, `devices.${kioskId}.printer`);
      } catch (err) {
        this.log.warn({ kiosk: kioskId, err: (err as Error).message }, 'configured printer URL unreadable: ignored');
        target = null;
      }
      this.parsed.set(url, target);
    }
    return target;
  }

  /** The printer a kiosk's jobs go to by rules 1 and 2 (environment, then configuration). */
  private mappedPrinter(kioskId: string): { target: PrinterTarget; source: 'env' | 'config' } | null {
    const env = this.config.printers[kioskId];
    if (env) return { target: env, source: 'env' };
    const configured = this.configuredPrinter(kioskId);
    return configured ? { target: configured, source: 'config' } : null;
  }

  /** Where the jobs of a kiosk (device id, 'loopback', or null for staff) of an office go. */
  private route(kioskId: string | null, officeId: string): Route | null {
    if (kioskId !== null) {
      const mapped = this.mappedPrinter(kioskId)?.target;
      if (mapped) {
        if (mapped.kind === 'agent') return { kind: 'agent', agent: this.agentLink(mapped.agentId) };
        return { kind: 'local', printer: this.localPrinter(mapped, kioskId) };
      }
      // An agent claims kiosks in its hello; only those of its own office.
      for (const a of this.agents.values()) if (a.hasPrinter && a.kiosks.has(kioskId) && (a.officeId === '*' || a.officeId === officeId)) return { kind: 'agent', agent: a };
    }
    if (this.config.printer) {
      const t = this.config.printer;
      if (t.kind === 'agent') return { kind: 'agent', agent: this.agentLink(t.agentId) };
      return { kind: 'local', printer: this.localPrinter(t, 'env') };
    }
    return null;
  }

  private sameRoute(a: Route | null, b: Route): boolean {
    if (!a) return false;
    if (a.kind === 'local' && b.kind === 'local') return a.printer === b.printer;
    if (a.kind === 'agent' && b.kind === 'agent') return a.agent === b.agent;
    return false;
  }

  private statusOf(route: Route): PrinterStatus {
    return route.kind === 'local' ? route.printer.spooler.status : route.agent.status;
  }

  /** Offices whose staff hear about a local printer: those of the kiosks mapped to it, or all for the quick-start one. */
  private officesOfLocal(p: LocalPrinter): string[] {
    if (this.isEnvKey(p.key)) return ['*'];
    const devices = this.ctx.store.config.get().devices;
    const out = new Set<string>();
    const mapped: Array<[string, PrinterTarget]> = Object.entries(this.config.printers);
    for (const d of devices) {
      const t = this.configuredPrinter(d.id);
      if (t && !this.config.printers[d.id]) mapped.push([d.id, t]);
    }
    for (const [kioskId, target] of mapped) {
      if (target.kind === 'agent') continue;
      const key = target.kind === 'tcp' ? `tcp://${target.host}:${target.port}` : target.url;
      if (key !== p.key) continue;
      if (kioskId === 'loopback') out.add('*');
      const d = devices.find((x) => x.id === kioskId);
      if (d) out.add(d.officeId);
    }
    return [...out];
  }

  private isEnvKey(key: string): boolean {
    const t = this.config.printer;
    if (!t || t.kind === 'agent') return false;
    return (t.kind === 'tcp' ? `tcp://${t.host}:${t.port}` : t.url) === key;
  }

  // ------------------------------------------------------------ tickets

  /**
   * The logo on an office's receipts: GILIRAN_RECEIPT_LOGO when set, else the
   * logo uploaded in the admin console when it is a PNG (the ESC/POS raster
   * code reads PNG only; a JPEG or WebP logo shows on screens, not on paper).
   */
  private logoFor(officeId: string): string | null {
    if (this.config.logoPng) return this.config.logoPng;
    const url = this.ctx.queue.office(officeId)?.logo;
    if (!url || !url.startsWith(`/api/v1/offices/${officeId}/logo`)) return null;
    let png = this.logos.get(url);
    if (png === undefined) {
      try {
        png = readFileSync(path.join(this.ctx.settings.dataDir, 'offices', officeId, 'logo.png')).toString('base64');
      } catch {
        png = null; // not a PNG (or gone)
      }
      this.logos.set(url, png);
      if (this.logos.size > 64) this.logos.delete(this.logos.keys().next().value!);
    }
    return png;
  }

  private baseUrl(): string {
    if (this.ctx.settings.publicUrl) return this.ctx.settings.publicUrl;
    const addr = this.ctx.listenAddress();
    const port = addr && typeof addr === 'object' ? addr.port : this.ctx.settings.port;
    const configured = this.ctx.settings.host;
    const host = configured === '0.0.0.0' || configured === '::' || configured === '' ? (lanAddress() ?? '127.0.0.1') : configured;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  private onDelta(officeId: string, delta: QueueDelta, origin: CommandOrigin): void {
    if (this.closed) return;
    for (const e of delta.events) {
      if (e.type !== 'ticket_issued' || e.actor.kind !== 'device') continue;
      if (e.actor.role !== 'kiosk' && e.actor.role !== 'agent') continue;
      try {
        this.printTicket(officeId, e.actor.id, e.actor.role, e.ticket, origin.socketId);
      } catch (err) {
        this.log.error({ err, office: officeId, ticket: e.ticket.id }, 'cannot print ticket');
      }
    }
  }

  private printTicket(officeId: string, deviceId: string, role: string, ticket: Ticket, socketId: string | undefined): void {
    const office = this.ctx.queue.office(officeId);
    const service = office?.services.find((s) => s.id === ticket.serviceId);
    if (!office || !service) return;
    const kioskId = role === 'agent' ? null : deviceId;
    let route: Route | null;
    if (role === 'agent') {
      const link = this.agents.get(deviceId);
      route = link?.hasPrinter ? { kind: 'agent', agent: link } : null;
    } else {
      route = this.route(deviceId, officeId);
    }
    const jobId = `${officeId}/${ticket.id}`;
    if (!route) {
      if (kioskId) this.toKiosk(officeId, kioskId, { jobId, ticketId: ticket.id, state: 'no_printer', printer: null }, socketId);
      return;
    }
    const receipt = ticketReceipt({
      office,
      service,
      ticket,
      peopleAhead: ticket.aheadAtIssue,
      etaMinutes: ticket.etaMinutesAtIssue,
      wait: ticket.waitAtIssue,
      trackingUrl: trackUrl(this.baseUrl(), officeId, ticket.id, this.ctx.holderKeyOf?.(officeId, ticket.id)),
      logoPng: this.logoFor(officeId),
    });
    this.submit({ id: jobId, officeId, kioskId, socketId, ticketId: ticket.id, kind: 'ticket', route }, receipt);
  }

  private submit(spec: Omit<ServerJob, 'told' | 'createdAt' | 'waiters'>, receipt: ReceiptDescription, waiter?: (r: PrintResult) => void): ServerJob {
    const known = this.jobs.get(spec.id);
    if (known) return known;
    const job: ServerJob = { ...spec, told: new Set(), createdAt: Date.now(), waiters: waiter ? [waiter] : [] };
    this.jobs.set(job.id, job);
    this.pruneJobs();
    const hold = job.kind === 'ticket';
    if (job.route.kind === 'local') {
      job.route.printer.spooler.submit({ id: job.id, ticketId: job.ticketId, receipt, hold });
    } else {
      const agent = job.route.agent;
      const aj: AgentPrintJob = { jobId: job.id, officeId: job.officeId, ticketId: job.ticketId, kioskId: job.kioskId ?? '', receipt, hold, createdAt: new Date().toISOString() };
      agent.unacked.set(aj.jobId, { job: aj, sentAt: 0 });
      if (agent.socket?.connected) this.sendToAgent(agent, aj);
      else {
        this.deliverResult(job, { jobId: job.id, ticketId: job.ticketId, state: 'failed', printer: agent.status });
        // A slip is of no use later; a ticket waits for the agent (it prints it once when it is back).
        if (!hold) agent.unacked.delete(aj.jobId);
      }
    }
    return job;
  }

  /** Tells the kiosk (tickets) or the waiting print_slip (slips); each outcome once, 'printed' is final. */
  private deliverResult(job: ServerJob, result: PrintResult): void {
    if (job.told.has('printed') || job.told.has(result.state)) return;
    job.told.add(result.state);
    for (const w of job.waiters.splice(0)) w(result);
    if (job.kind === 'ticket' && job.kioskId) this.toKiosk(job.officeId, job.kioskId, result, job.socketId);
  }

  private pruneJobs(): void {
    if (this.jobs.size <= 5000) return;
    const limit = Date.now() - 6 * 3_600_000;
    for (const [id, j] of this.jobs) if (j.createdAt < limit || this.jobs.size > 5000) this.jobs.delete(id);
  }

  // ------------------------------------------------------------ screens

  /** A kiosk screen connected: it is told its printer's state at once. */
  kioskConnected(screen: KioskScreen): void {
    this.screens.set(screen.id, screen);
    const route = this.route(screen.kioskId, screen.officeId);
    if (route) screen.printerStatus(this.statusOf(route));
  }

  kioskGone(screenId: string): void {
    this.screens.delete(screenId);
  }

  /** Staff screens hear of printer problems through this (server/realtime/counter.ts sends them to the offices' rooms). */
  onStaffStatus(listener: StaffStatusListener): void {
    this.staffListeners.push(listener);
  }

  /** Kiosk screens of one device (all "loopback" demo screens for the loopback device). */
  private kioskScreens(officeId: string | '*', kioskId: string): KioskScreen[] {
    const out = [];
    for (const s of this.screens.values()) {
      if (officeId !== '*' && s.officeId !== officeId) continue;
      if (s.kioskId === kioskId) out.push(s);
    }
    return out;
  }

  private toKiosk(officeId: string | '*', kioskId: string, result: PrintResult, socketId?: string): void {
    // The issuing screen when it is still connected; else every screen of that device.
    const origin = socketId === undefined ? undefined : this.screens.get(socketId);
    const targets = origin ? [origin] : this.kioskScreens(officeId, kioskId);
    for (const s of targets) s.printResult(result);
  }

  /** Prints a "what to bring" slip for a kiosk (its request already validated) and answers with the outcome. */
  async printSlip(screen: Pick<KioskScreen, 'officeId' | 'kioskId'>, slip: SlipRequest): Promise<Ack<PrintResult>> {
    const office = this.ctx.queue.office(screen.officeId);
    if (!office) return { ok: false, error: apiError('office_not_found') };
    const service = office.services.find((s) => s.id === slip.service || s.prefix === slip.service);
    if (!service) return { ok: false, error: apiError('service_not_found') };
    const problems = precheckProblems(service, slip);
    const subcase = service.subcases.find((s) => s.id === slip.subcase);
    if (problems.length > 0 || !subcase) return { ok: false, error: apiError('bad_request', problems) };
    const kioskId = screen.kioskId;
    const jobId = `slip-${randomUUID()}`;
    const route = this.route(kioskId, office.id);
    if (!route) return { ok: true, data: { jobId, ticketId: null, state: 'no_printer', printer: null } };
    // Checklist order, whatever order the kiosk sent.
    const missing = subcase.requirements.filter((r) => slip.missing.includes(r.id)).map((r) => requirementText(r).id);
    const receipt = slipReceipt({ office, service, subcase, missing, at: this.ctx.queue.now().toISOString(), logoPng: this.logoFor(office.id) });
    const outcome = await new Promise<PrintResult>((resolve) => {
      const t = setTimeout(() => resolve({ jobId, ticketId: null, state: 'failed', printer: this.statusOf(route) }), this.opts.slipTimeoutMs ?? 20_000);
      t.unref();
      this.submit({ id: jobId, officeId: office.id, kioskId, ticketId: null, kind: 'slip', route }, receipt, (r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
    return { ok: true, data: outcome };
  }

  // ------------------------------------------------------------ admin console

  /** Which printer serves a kiosk now, from where, and its last known state (creating no printer connection). */
  printerOf(kioskId: string, officeId: string): { target: string | null; source: 'config' | 'env' | null; status: PrinterStatus | null } {
    const mapped = this.mappedPrinter(kioskId);
    let target: string | null = mapped?.target.url ?? null;
    let source: 'config' | 'env' | null = mapped?.source ?? null;
    if (!mapped) {
      const claimed = [...this.agents.values()].find((a) => a.hasPrinter && a.kiosks.has(kioskId) && (a.officeId === '*' || a.officeId === officeId));
      if (claimed) target = `agent://${claimed.agentId}`;
      else if (this.config.printer) {
        target = this.config.printer.url;
        source = 'env';
      }
    }
    return { target, source, status: this.knownStatus(kioskId, officeId) };
  }

  /** An agent's own printer (the one it reported in its hello). */
  agentPrinterOf(agentId: string): { target: string | null; source: null; status: PrinterStatus | null } {
    const link = this.agents.get(agentId);
    return { target: link?.hasPrinter ? `agent://${agentId}` : null, source: null, status: link?.hasPrinter ? link.status : null };
  }

  /** The state of the printer a kiosk's jobs go to (a configured local printer is opened here if it was not yet). */
  private knownStatus(kioskId: string, officeId: string): PrinterStatus | null {
    const route = this.route(kioskId, officeId);
    return route ? this.statusOf(route) : null;
  }

  /** The configuration of a kiosk's printer changed: its screens hear the state of the new one at once. */
  printerChanged(kioskId: string): void {
    for (const s of this.screens.values()) {
      if (s.kioskId !== kioskId) continue;
      const route = this.route(kioskId, s.officeId);
      if (route) s.printerStatus(this.statusOf(route));
    }
  }

  /** Prints a test receipt where a kiosk's tickets would go and answers with the outcome ('no_printer' when none). */
  async testPrint(kioskId: string, officeId: string, by: string): Promise<PrintResult> {
    const office = this.ctx.queue.office(officeId);
    const jobId = `test-${randomUUID()}`;
    const route = this.route(kioskId, officeId);
    if (!office || !route) return { jobId, ticketId: null, state: 'no_printer', printer: null };
    const at = this.ctx.queue.now().toISOString();
    const receipt: ReceiptDescription = {
      kind: 'slip',
      blocks: [
        ...((logo) => (logo ? [{ type: 'image' as const, png: logo, alt: office.shortName }] : []))(this.logoFor(officeId)),
        { type: 'text', text: office.name.id.toUpperCase(), align: 'center', bold: true },
        { type: 'rule' },
        { type: 'text', text: 'TES PRINTER', align: 'center', size: 2, bold: true },
        { type: 'text', text: `Perangkat: ${kioskId}`, align: 'left' },
        { type: 'text', text: `Waktu: ${at}`, align: 'left' },
        { type: 'text', text: `Oleh: ${by}`, align: 'left' },
        { type: 'rule' },
      ],
    };
    return new Promise<PrintResult>((resolve) => {
      const t = setTimeout(() => resolve({ jobId, ticketId: null, state: 'failed', printer: this.statusOf(route) }), this.opts.slipTimeoutMs ?? 20_000);
      t.unref();
      this.submit({ id: jobId, officeId, kioskId, ticketId: null, kind: 'slip', route }, receipt, (r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }

  // ------------------------------------------------------------ status and scans

  private onPrinterStatus(status: PrinterStatus, route: Route): void {
    if (this.closed) return;
    const offices = route.kind === 'local' ? this.officesOfLocal(route.printer) : [route.agent.officeId];
    for (const l of this.staffListeners) l(offices, status);
    for (const s of this.screens.values()) {
      if (this.sameRoute(this.route(s.kioskId, s.officeId), route)) s.printerStatus(status);
    }
  }

  /** Scans go to the kiosks the scanner belongs to: an agent's kiosks, or (server scanner) every kiosk not served by an agent scanner. */
  private deliverScan(scan: ScanEvent, agent: AgentLink | null): void {
    for (const s of this.screens.values()) {
      const kioskId = s.kioskId;
      if (kioskId === null) continue;
      if (agent) {
        if (agent.kiosks.has(kioskId) && (agent.officeId === '*' || agent.officeId === s.officeId)) s.scanned(scan);
      } else if (![...this.agents.values()].some((a) => a.hasScanner && a.kiosks.has(kioskId))) {
        s.scanned(scan);
      }
    }
  }

  // ------------------------------------------------------------ agents

  private agentLink(agentId: string): AgentLink {
    let link = this.agents.get(agentId);
    if (!link) {
      const device = this.ctx.store.config.get().devices.find((d) => d.id === agentId);
      const printerId = `agent:${agentId}`;
      link = {
        agentId,
        officeId: device?.officeId ?? '*',
        printerId,
        kiosks: new Set(),
        hasPrinter: true,
        hasScanner: false,
        socket: null,
        status: printerStatus(printerId, 'offline', this.ctx.queue.now()),
        unacked: new Map(),
        offlineTimer: null,
      };
      this.agents.set(agentId, link);
    }
    return link;
  }

  /** An agent said hello on `channel` (its payload validated): it serves `hello.kiosks` of `officeId`. */
  agentHello(agentId: string, officeId: string, hello: AgentHello, channel: AgentChannel): AgentWelcome {
    const link = this.agentLink(agentId);
    link.officeId = officeId;
    link.kiosks = new Set(hello.kiosks);
    link.hasPrinter = hello.printer !== null;
    link.hasScanner = hello.scanner !== null;
    if (link.socket && link.socket !== channel) link.socket.disconnect();
    link.socket = channel;
    if (link.offlineTimer) {
      clearTimeout(link.offlineTimer);
      link.offlineTimer = null;
    }
    this.log.info({ agent: agentId, office: link.officeId, kiosks: hello.kiosks, printer: hello.printer?.url, scanner: hello.scanner?.url }, 'agent connected');
    return { agentId, officeId: link.officeId, printerId: link.printerId };
  }

  /** Once the hello is acknowledged: the jobs the agent has not acknowledged go again; it prints each job id once. */
  agentReady(agentId: string, channel: AgentChannel): void {
    const link = this.agents.get(agentId);
    if (!link || link.socket !== channel) return;
    for (const { job } of link.unacked.values()) this.sendToAgent(link, job);
  }

  /** The agent's printer changed state (ignored from a connection that is no longer the agent's). */
  agentStatus(agentId: string, channel: AgentChannel, reported: PrinterStatus): void {
    const link = this.agents.get(agentId);
    if (!link || link.socket !== channel) return;
    const status: PrinterStatus = { ...reported, printerId: link.printerId };
    const changed = status.state !== link.status.state;
    link.status = status;
    if (changed) {
      const fields = { printer: link.printerId, to: status.state };
      if (isFault(status.state)) this.log.warn(fields, `printer ${link.printerId}: ${status.message.en}`);
      else this.log.info(fields, `printer ${link.printerId}: ${status.message.en}`);
      this.onPrinterStatus(status, { kind: 'agent', agent: link });
    }
  }

  /** A job's outcome from an agent. Unknown jobs (the server restarted) and other agents' are ignored: the caller acknowledges anyway, so the agent stops resending. */
  agentPrintResult(agentId: string, result: PrintResult): void {
    const job = this.jobs.get(result.jobId);
    const link = this.agents.get(agentId);
    if (job && link && job.route.kind === 'agent' && job.route.agent === link) {
      link.unacked.delete(job.id);
      this.deliverResult(job, { ...result, printer: result.printer ? { ...result.printer, printerId: link.printerId } : null });
    }
  }

  agentScanned(agentId: string, channel: AgentChannel, scan: ScanEvent): void {
    const link = this.agents.get(agentId);
    if (link && link.socket === channel) this.deliverScan(scan, link);
  }

  /** The agent's connection closed: after a grace period its printer counts as offline. */
  agentGone(agentId: string, channel: AgentChannel): void {
    const link = this.agents.get(agentId);
    if (!link || link.socket !== channel) return;
    link.socket = null;
    this.log.info({ agent: agentId }, 'agent disconnected');
    if (this.closed) return;
    link.offlineTimer = setTimeout(() => {
      link.offlineTimer = null;
      if (link.socket || !link.hasPrinter) return;
      link.status = printerStatus(link.printerId, 'offline', this.ctx.queue.now());
      this.log.warn({ printer: link.printerId }, `printer ${link.printerId}: the agent is not connected`);
      this.onPrinterStatus(link.status, { kind: 'agent', agent: link });
    }, this.opts.agentOfflineGraceMs ?? 10_000);
    link.offlineTimer.unref();
  }

  private sendToAgent(link: AgentLink, job: AgentPrintJob): void {
    const socket = link.socket;
    if (!socket?.connected) return;
    const entry = link.unacked.get(job.jobId);
    if (entry) entry.sentAt = Date.now();
    socket.print(job, (res) => {
      if (res?.ok) link.unacked.delete(job.jobId);
      else if (res && !res.ok) this.log.warn({ agent: link.agentId, job: job.jobId, error: res.error.code }, 'agent refused a print job');
    });
  }

  private resendUnacked(olderThanMs: number): void {
    const limit = Date.now() - olderThanMs;
    // A ticket nobody printed for this long is not worth printing any more (the kiosk was told 'failed').
    const expired = Date.now() - (this.opts.timing?.holdMaxMs ?? DEFAULT_TIMING.holdMaxMs);
    for (const link of this.agents.values()) {
      for (const [id, entry] of link.unacked) {
        if (Date.parse(entry.job.createdAt) < expired) {
          link.unacked.delete(id);
          this.log.warn({ agent: link.agentId, job: id }, 'print job for an absent agent dropped: too old to print');
        } else if (link.socket?.connected && entry.sentAt < limit) this.sendToAgent(link, entry.job);
      }
    }
  }
}
