// The kiosk's page state: the connection (device session, office,
// availability, figures, printer) and the citizen's flow (flow.ts), whose
// effects it carries out. One instance per page; screens read it and call
// its methods.
import type { PrinterStatus } from '../protocol/devices.ts';
import type { BookingCheckedIn } from '../protocol/booking.ts';
import type { ApiError } from '../protocol/errors.ts';
import type { KioskClientToServer, KioskServerToClient } from '../protocol/events.ts';
import type { PriorityGroup, PublicOffice, QueueSnapshot, ServiceConfig } from '../protocol/model.ts';
import type { OfficeAvailability, ServiceAvailability } from '../server/domain/availability.ts';
import { officeDate } from '../protocol/format.ts';
import { api, newKey } from '../ui/api.ts';
import { deviceSession, type DeviceSession, type PairingRequest } from '../ui/device-session.ts';
import { i18n } from '../ui/i18n.svelte.ts';
import { WedgeScanner } from '../ui/wedge-scanner.ts';
import { readBookingScan } from './booking-code.ts';
import { CheckIn } from './checkin.svelte.ts';
import { initialFlow, next, type Effect, type Flow, type FlowEvent } from './flow.ts';
import { availabilityMayHaveChanged, canChoose, countersFor, unanswered } from './rules.ts';

const ISSUE_TIMEOUT_MS = 10_000;
/** The server waits up to 20 s for a slip's outcome before it answers 'failed' itself. */
const SLIP_TIMEOUT_MS = 25_000;
const AVAILABILITY_EVERY_MS = 60_000;
const OFFICE_EVERY_MS = 5 * 60_000;

export class Kiosk {
  officeId = '';
  office = $state.raw<PublicOffice | null>(null);
  availability = $state.raw<OfficeAvailability | null>(null);
  snapshot = $state.raw<QueueSnapshot | null>(null);
  online = $state(false);
  publicUrl = $state<string | null>(null);
  /** The holder key of the ticket this kiosk issued last (its issue answer): the screen's QR link carries it. */
  holderKey = $state.raw<{ ticketId: string; key: string } | null>(null);
  printer = $state.raw<PrinterStatus | null>(null);
  /** Server time minus this machine's time, from the last snapshot. */
  clockOffset = 0;
  now = $state(Date.now());
  pairing = $state.raw<PairingRequest | null>(null);
  refused = $state.raw<ApiError | null>(null);
  /** The office's data cannot be read (the server said `unavailable`): shown in the offline panel. */
  unavailable = $state.raw<ApiError | null>(null);
  /** The citizen's way through the screens (flow.ts); changed only by `dispatch`. */
  flow = $state.raw<Flow>(initialFlow(Date.now()));

  private session: DeviceSession<KioskServerToClient, KioskClientToServer> | null = null;
  private lastAvailability = 0;
  private lastOffice = 0;
  private availabilityTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingPrechecks: Array<Record<string, unknown>> = [];

  /** Headers of a request made as this kiosk (its device token; none on the loopback demo screen). */
  deviceHeaders(): Record<string, string> {
    return this.session?.headers() ?? {};
  }

  // ---------------------------------------------------------------------------
  // Connection

  start(officeId: string): () => void {
    const session = deviceSession<KioskServerToClient, KioskClientToServer>({
      kind: 'kiosk',
      office: officeId,
      officeFromPairing: true,
      onPairing: (p) => (this.pairing = p),
      onPaired: (office) => {
        this.officeId = office;
        void this.loadOffice();
      },
    });
    this.session = session;
    this.officeId = session.office;
    session.start({
      onConnection: (up) => {
        if (up && !this.online) this.reconnected();
        this.online = up;
      },
      onSnapshot: (s) => {
        this.snapshot = s;
        this.clockOffset = Date.parse(s.serverTime) - Date.now();
        this.refreshAvailability();
      },
      // Kiosks receive the queue's figures only (no tickets, no events): see server/realtime.
      onDelta: (_d, s) => {
        const before = this.snapshot;
        this.snapshot = s;
        if (availabilityMayHaveChanged(before, s)) this.refreshAvailability(300);
      },
      onRefused: (e) => (this.refused = e),
      onUnavailable: (e) => (this.unavailable = e),
      onClient: (client) => {
        client.socket.on('print_result', (result) => this.dispatch({ type: 'print_result', result }));
        // A hardware scanner at this kiosk: the same as a wedge scan.
        client.socket.on('scanned', (scan) => this.scanned(scan.code));
        client.socket.on('printer_status', (s) => (this.printer = s));
        // Saved in the admin console: new tiles, texts and hours without a reload (a fresh snapshot follows).
        client.socket.on('office', (o) => (this.office = o));
      },
    });
    void this.loadOffice();
    void api<{ publicUrl: string | null }>('GET', '/api/v1/kiosk/config').then((r) => {
      if (r.ok) this.publicUrl = r.data.publicUrl;
    });
    const timer = setInterval(() => this.tick(), 1000);
    const activity = () => this.dispatch({ type: 'activity' });
    const keys = (e: KeyboardEvent) => this.keypad(e);
    const detach = new WedgeScanner((code) => this.scanned(code)).attach(window);
    window.addEventListener('pointerdown', activity, true);
    window.addEventListener('keydown', activity, true);
    window.addEventListener('keydown', keys);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pointerdown', activity, true);
      window.removeEventListener('keydown', activity, true);
      window.removeEventListener('keydown', keys);
      detach();
      session.close();
    };
  }

  /** Runs one event through the flow and carries out what it asks for. */
  dispatch(e: FlowEvent): void {
    const { flow, effects } = next(this.flow, e, Date.now());
    this.flow = flow;
    i18n.lang = flow.lang;
    for (const fx of effects) this.effect(fx);
  }

  private effect(fx: Effect): void {
    const client = this.session?.client;
    if (fx.type === 'refresh_availability') return this.refreshAvailability(fx.delayMs);
    if (fx.type === 'record_precheck') return void this.sendPrecheck({ ...fx.body, idempotencyKey: newKey('precheck') });
    if (fx.type === 'print_slip') {
      return void client?.socket.timeout(SLIP_TIMEOUT_MS).emit('print_slip', fx.body, (err, res) => {
        this.dispatch({ type: 'slip_printed', visit: fx.visit, printed: !err && res.ok && res.data.state === 'printed' });
      });
    }
    client?.socket.timeout(ISSUE_TIMEOUT_MS).emit('issue', fx.body, (err, res) => {
      const office = this.office;
      if (!err && res.ok && res.data.ticket && res.data.holderKey) this.holderKey = { ticketId: res.data.ticket.id, key: res.data.holderKey };
      this.dispatch({
        type: 'issue_answer',
        visit: fx.visit,
        answer: err ? 'no_answer' : res.ok ? { ok: true, ticket: res.data.ticket } : res,
        countersFor: (id) => (office ? countersFor(office, this.snapshot, id) : []),
      });
    });
  }

  private scanned(code: string): void {
    if (this.pairing) return;
    // A booking QR starts its check-in from any screen (a visit in progress is dropped).
    if (readBookingScan(code)) {
      if (this.flow.step !== 'start') this.dispatch({ type: 'reset' });
      if (this.checkin.scan(code)) return;
    }
    this.dispatch({ type: 'scan_not_found' });
  }

  /** "Saya sudah booking" (kiosk/checkin.svelte.ts): check-in by code or scan, through this kiosk's device session. */
  readonly checkin = new CheckIn({
    send: (code, idempotencyKey) => api<BookingCheckedIn>('POST', `/api/v1/offices/${encodeURIComponent(this.officeId)}/bookings/check-in`, { code, idempotencyKey }, this.session?.headers(), ISSUE_TIMEOUT_MS),
    newKey: () => newKey('checkin'),
    onTicket: (r) => {
      const office = this.office;
      this.holderKey = { ticketId: r.ticket.id, key: r.holderKey };
      this.dispatch({ type: 'issue_answer', visit: this.flow.visit, answer: { ok: true, ticket: r.ticket }, countersFor: (id) => (office ? countersFor(office, this.snapshot, id) : []) });
    },
  });

  private reconnected(): void {
    this.refused = null;
    void this.loadOffice();
    for (const body of this.pendingPrechecks.splice(0)) void this.sendPrecheck(body);
  }

  private async loadOffice(): Promise<void> {
    this.lastOffice = Date.now();
    const r = await api<{ office: PublicOffice }>('GET', `/api/v1/offices/${encodeURIComponent(this.officeId)}`);
    if (r.ok) this.office = r.data.office;
    else if (r.status === 0 && !this.office) setTimeout(() => void this.loadOffice(), 3000);
  }

  /** Re-reads what can be offered; `delayMs` gathers a burst of changes into one request. */
  refreshAvailability(delayMs = 0): void {
    if (this.availabilityTimer) return;
    this.availabilityTimer = setTimeout(async () => {
      this.availabilityTimer = null;
      this.lastAvailability = Date.now();
      const r = await api<OfficeAvailability>('GET', `/api/v1/offices/${encodeURIComponent(this.officeId)}/availability`);
      if (r.ok) this.availability = r.data;
    }, delayMs);
  }

  availabilityOf(serviceId: string): ServiceAvailability | null {
    return this.availability?.services.find((s) => s.serviceId === serviceId) ?? null;
  }

  canChoose(s: ServiceConfig): boolean {
    return canChoose(s, this.availability, this.snapshot);
  }

  private async sendPrecheck(body: Record<string, unknown>): Promise<void> {
    const r = await api('POST', `/api/v1/offices/${encodeURIComponent(this.officeId)}/prechecks`, body, this.session?.headers());
    // For reports only: kept until the connection is back, never shown to the citizen.
    if (!r.ok && (r.status === 0 || r.status >= 500)) this.pendingPrechecks.push(body);
  }

  // ---------------------------------------------------------------------------
  // Time

  private tick(): void {
    const t = Date.now();
    this.checkin.idle(t, this.office?.kiosk.idleSeconds ?? 60);
    this.now = t + this.clockOffset;
    if (t - this.lastAvailability > AVAILABILITY_EVERY_MS) this.refreshAvailability();
    // Office settings (services, texts, idle time) edited by an admin reach an idle kiosk within minutes.
    if (t - this.lastOffice > OFFICE_EVERY_MS && this.flow.step === 'start') void this.loadOffice();
    this.dispatch({ type: 'tick', idleSeconds: this.office?.kiosk.idleSeconds ?? 30 });
  }

  /** The office-local date: the server's office day when known. */
  get officeToday(): string {
    if (this.snapshot?.officeDay) return this.snapshot.officeDay;
    return officeDate(this.now, this.office?.timeZone ?? 'Asia/Makassar');
  }

  private keypad(e: KeyboardEvent): void {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    if (this.checkin.open) {
      if (e.key === 'Backspace') this.checkin.erase();
      else if (e.key === 'Enter') void this.checkin.submit();
      else if (e.key.length === 1) this.checkin.press(e.key);
      else return;
      return e.preventDefault();
    }
    if (this.flow.step !== 'nik') return;
    if (/^[0-9]$/.test(e.key)) this.dispatch({ type: 'digit', digit: e.key });
    else if (e.key === 'Backspace') this.dispatch({ type: 'delete_digit' });
    else return;
    e.preventDefault();
  }

  // ---------------------------------------------------------------------------
  // What the screens read and call besides `dispatch`

  get unansweredCount(): number {
    return this.flow.subcase ? unanswered(this.flow.subcase, this.flow.answers).length : 0;
  }

  /** A printer this kiosk can use right now (known from printer_status). */
  get canPrint(): boolean {
    const s = this.printer?.state;
    return s === 'ok' || s === 'paper_near_end';
  }

  chooseService(service: ServiceConfig): void {
    if (this.canChoose(service)) this.dispatch({ type: 'choose_service', service });
  }

  checkNik(): void {
    this.dispatch({ type: 'check_nik', today: this.officeToday });
  }

  issue(priority: PriorityGroup | null): void {
    if (this.session?.client) this.dispatch({ type: 'issue', priority, online: this.online, key: newKey('kiosk') });
  }

  retry(): void {
    this.dispatch({ type: 'retry', online: this.online, key: newKey('kiosk') });
  }
}

export const kiosk = new Kiosk();
