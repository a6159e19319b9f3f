// The kiosk's state: connection, office, availability, and one citizen's way
// through the screens (service → sub-case → pre-check → NIK → priority →
// ticket). One instance per page; screens read it and call its methods.
import type { IssueBody } from '../protocol/commands.ts';
import type { PrintResult, PrinterStatus } from '../protocol/devices.ts';
import type { ApiError } from '../protocol/errors.ts';
import type { KioskClientToServer, KioskServerToClient } from '../protocol/events.ts';
import type { PriorityGroup, PublicOffice, QueueSnapshot, ServiceConfig, Subcase, Ticket } from '../protocol/model.ts';
import { ageOn, parseNik, NIK_LENGTH, type NikProblem } from '../protocol/nik.ts';
import type { OfficeAvailability, ServiceAvailability } from '../server/domain/availability.ts';
import { api, newKey } from '../ui/api.ts';
import { i18n } from '../ui/i18n.svelte.ts';
import { QueueClient } from '../ui/queue-client.ts';
import { WedgeScanner } from '../ui/wedge-scanner.ts';
import { forgetDevice, pollPairing, postAsKiosk, requestPairing, saveDevice, storedDevice, type PairingRequest } from './device.ts';
import { availabilityMayHaveChanged, countersFor, fitsAge, needsAgeCheck, precheckOutcome, unanswered, type Answers, type PrecheckOutcome } from './flow.ts';

export type Step = 'start' | 'subcase' | 'precheck' | 'bring' | 'nik' | 'age' | 'priority' | 'issuing' | 'failed' | 'ticket';

const ISSUE_TIMEOUT_MS = 10_000;
/** The server waits up to 20 s for a slip's outcome before it answers 'failed' itself. */
const SLIP_TIMEOUT_MS = 25_000;
const AVAILABILITY_EVERY_MS = 60_000;
const OFFICE_EVERY_MS = 5 * 60_000;

type Client = QueueClient<KioskServerToClient, KioskClientToServer>;

export class Kiosk {
  officeId: string;
  office = $state.raw<PublicOffice | null>(null);
  availability = $state.raw<OfficeAvailability | null>(null);
  snapshot = $state.raw<QueueSnapshot | null>(null);
  online = $state(false);
  publicUrl = $state<string | null>(null);
  printer = $state.raw<PrinterStatus | null>(null);
  /** Server time minus this machine's time, from the last snapshot. */
  clockOffset = 0;
  now = $state(Date.now());

  pairing = $state.raw<PairingRequest | null>(null);
  refused = $state.raw<ApiError | null>(null);

  step = $state<Step>('start');
  service = $state.raw<ServiceConfig | null>(null);
  subcase = $state.raw<Subcase | null>(null);
  answers = $state<Answers>({});
  precheckTried = $state(false);
  outcome = $state.raw<PrecheckOutcome | null>(null);
  /** The digits typed on the keypad: never sent, forgotten first on reset. */
  nik = $state('');
  nikProblem = $state<NikProblem | null>(null);
  age = $state<number | null>(null);
  priority = $state<PriorityGroup | null>(null);
  ticket = $state.raw<Ticket | null>(null);
  counters = $state.raw<string[]>([]);
  issueError = $state.raw<ApiError | 'no_answer' | null>(null);
  printResult = $state.raw<PrintResult | null>(null);
  slip = $state<'idle' | 'printing' | 'printed' | 'failed'>('idle');
  idleLeft = $state<number | null>(null);
  scanNotFound = $state(false);

  #client: Client | null = null;
  #history: Step[] = [];
  #attempt: { key: string; body: string } | null = null;
  /** Bumped on every reset, so late answers for an abandoned visit are ignored. */
  #visit = 0;
  #lastActivity = Date.now();
  #lastAvailability = 0;
  #lastOffice = 0;
  #availabilityTimer: ReturnType<typeof setTimeout> | null = null;
  #prints = new Map<string, PrintResult>();
  #pendingPrechecks: Array<{ body: Record<string, unknown> }> = [];
  #stop: Array<() => void> = [];

  constructor(officeId: string) {
    this.officeId = storedDevice()?.office ?? officeId;
  }

  // ---------------------------------------------------------------------------
  // Connection

  start(): () => void {
    this.#connect();
    void this.#loadOffice();
    void api<{ publicUrl: string | null }>('GET', '/api/v1/kiosk/config').then((r) => {
      if (r.ok) this.publicUrl = r.data.publicUrl;
    });
    const timer = setInterval(() => this.#tick(), 1000);
    // Only the clock is reset here: changing the screen under a finger that is still down would
    // send its click elsewhere. The next tick hides an idle warning.
    const activity = () => (this.#lastActivity = Date.now());
    window.addEventListener('pointerdown', activity, true);
    window.addEventListener('keydown', activity, true);
    const scanner = new WedgeScanner(() => {
      if (!this.pairing) this.scanNotFound = true;
    });
    const detach = scanner.attach(window);
    const keys = (e: KeyboardEvent) => this.#keypad(e);
    window.addEventListener('keydown', keys);
    this.#stop.push(
      () => clearInterval(timer),
      () => window.removeEventListener('pointerdown', activity, true),
      () => window.removeEventListener('keydown', activity, true),
      () => window.removeEventListener('keydown', keys),
      detach,
      () => this.#client?.close(),
    );
    return () => this.#stop.forEach((f) => f());
  }

  #connect(): void {
    this.#client?.close();
    const device = storedDevice();
    const client: Client = new QueueClient<KioskServerToClient, KioskClientToServer>(
      { role: 'kiosk', office: this.officeId, ...(device ? { deviceToken: device.token } : {}) },
      {
        onConnection: (up) => {
          if (up && !this.online) this.#reconnected();
          this.online = up;
        },
        onSnapshot: (s) => this.#setSnapshot(s),
        // Kiosks receive the queue's figures only (no tickets, no events): see server/realtime.
        onDelta: (_d, s) => {
          const before = this.snapshot;
          this.snapshot = s;
          if (availabilityMayHaveChanged(before, s)) this.refreshAvailability(300);
        },
        onRefused: (e) => this.#refused(e),
      },
    );
    // A server that shuts down cleanly (restart, update) says goodbye; socket.io then waits for a
    // manual reconnect. The kiosk must come back by itself.
    client.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') setTimeout(() => this.#client === client && client.socket.connect(), 1000);
    });
    client.socket.on('print_result', (r) => this.#printed(r));
    // A hardware scanner at this kiosk: the same as a wedge scan (bookings come later).
    client.socket.on('scanned', () => {
      if (!this.pairing) this.scanNotFound = true;
    });
    client.socket.on('printer_status', (s) => (this.printer = s));
    this.#client = client.connect();
  }

  #setSnapshot(s: QueueSnapshot): void {
    this.snapshot = s;
    this.clockOffset = Date.parse(s.serverTime) - Date.now();
    this.refreshAvailability();
  }

  #reconnected(): void {
    this.refused = null;
    void this.#loadOffice();
    const pending = this.#pendingPrechecks.splice(0);
    for (const p of pending) void this.#sendPrecheck(p.body);
  }

  #refused(e: ApiError): void {
    if (e.code === 'device_not_paired') {
      forgetDevice();
      void this.#pair();
    } else {
      this.refused = e;
    }
  }

  async #loadOffice(): Promise<void> {
    this.#lastOffice = Date.now();
    const r = await api<{ office: PublicOffice }>('GET', `/api/v1/offices/${encodeURIComponent(this.officeId)}`);
    if (r.ok) this.office = r.data.office;
    else if (r.status === 0 && !this.office) setTimeout(() => void this.#loadOffice(), 3000);
  }

  /** Re-reads what can be offered; `delayMs` gathers a burst of changes into one request. */
  refreshAvailability(delayMs = 0): void {
    if (this.#availabilityTimer) return;
    this.#availabilityTimer = setTimeout(async () => {
      this.#availabilityTimer = null;
      this.#lastAvailability = Date.now();
      const r = await api<OfficeAvailability>('GET', `/api/v1/offices/${encodeURIComponent(this.officeId)}/availability`);
      if (r.ok) this.availability = r.data;
    }, delayMs);
  }

  availabilityOf(serviceId: string): ServiceAvailability | null {
    return this.availability?.services.find((s) => s.serviceId === serviceId) ?? null;
  }

  /** Whether a service may be chosen now (unknown availability falls back to the snapshot). */
  canChoose(s: ServiceConfig): boolean {
    const a = this.availabilityOf(s.id);
    if (a) return a.available;
    return s.active && !this.snapshot?.services.find((x) => x.serviceId === s.id)?.closedToday;
  }

  // ---------------------------------------------------------------------------
  // Pairing

  async #pair(): Promise<void> {
    if (this.pairing) return;
    const r = await requestPairing();
    if (!r.ok) {
      setTimeout(() => void this.#pair(), 5000);
      return;
    }
    this.pairing = r.data;
  }

  async #pollPairing(): Promise<void> {
    const req = this.pairing;
    if (!req) return;
    const r = await pollPairing(req);
    if (this.pairing !== req) return;
    if (r.ok && r.data.status === 'approved') {
      saveDevice(r.data.token, r.data.device.officeId);
      this.officeId = r.data.device.officeId;
      this.pairing = null;
      this.#connect();
      void this.#loadOffice();
    } else if (!r.ok && r.error.code === 'pairing_not_found') {
      this.pairing = null;
      void this.#pair();
    }
  }

  // ---------------------------------------------------------------------------
  // Time, idleness

  touch(): void {
    this.#lastActivity = Date.now();
    this.idleLeft = null;
  }

  /** Seconds of no touch after which the screen goes back to the start. */
  get idleSeconds(): number {
    const idle = this.office?.kiosk.idleSeconds ?? 30;
    // A ticket that could not be printed stays on screen longer: it is the citizen's only copy.
    if (this.step === 'ticket' && this.printResult?.state === 'failed') return idle * 3;
    return idle;
  }

  #tick(): void {
    const t = Date.now();
    this.now = t + this.clockOffset;
    if (this.pairing && t % 3000 < 1000) void this.#pollPairing();
    if (t - this.#lastAvailability > AVAILABILITY_EVERY_MS) this.refreshAvailability();
    // Office settings (services, texts, idle time) edited by an admin reach an idle kiosk within minutes.
    if (t - this.#lastOffice > OFFICE_EVERY_MS && this.step === 'start') void this.#loadOffice();
    const dirty = this.step !== 'start' || i18n.lang !== 'id' || this.scanNotFound;
    if (!dirty || this.step === 'issuing') return void (this.idleLeft = null);
    const left = this.idleSeconds - (t - this.#lastActivity) / 1000;
    if (left <= 0) return this.reset();
    const warnFrom = Math.min(10, Math.floor(this.idleSeconds / 2));
    this.idleLeft = this.step !== 'ticket' && this.step !== 'start' && left <= warnFrom ? Math.ceil(left) : null;
  }

  /** Back to the start screen; everything the citizen entered is forgotten (the NIK first). */
  reset(): void {
    this.nik = '';
    this.nikProblem = null;
    this.age = null;
    this.#visit += 1;
    this.#history = [];
    this.#attempt = null;
    this.step = 'start';
    this.service = null;
    this.subcase = null;
    this.answers = {};
    this.precheckTried = false;
    this.outcome = null;
    this.priority = null;
    this.ticket = null;
    this.issueError = null;
    this.printResult = null;
    this.slip = 'idle';
    this.idleLeft = null;
    this.scanNotFound = false;
    i18n.reset();
    this.touch();
  }

  // ---------------------------------------------------------------------------
  // The citizen's way through the screens

  #go(step: Step): void {
    if (this.step !== step) this.#history.push(this.step);
    this.step = step;
  }

  back(): void {
    if (this.step === 'nik') this.nik = '';
    const prev = this.#history.pop();
    if (!prev || prev === 'start') return this.reset();
    this.step = prev;
  }

  chooseService(s: ServiceConfig): void {
    if (!this.canChoose(s)) return;
    this.service = s;
    if (s.subcases.length > 1) return this.#go('subcase');
    this.chooseSubcase(s.subcases[0] ?? null);
  }

  chooseSubcase(sub: Subcase | null): void {
    this.subcase = sub;
    this.answers = {};
    this.precheckTried = false;
    this.outcome = null;
    if (sub && sub.requirements.length > 0) return this.#go('precheck');
    this.#afterPrecheck();
  }

  answer(requirementId: string, has: boolean): void {
    this.answers = { ...this.answers, [requirementId]: has };
  }

  get unansweredCount(): number {
    return this.subcase ? unanswered(this.subcase, this.answers).length : 0;
  }

  submitPrecheck(): void {
    const sub = this.subcase;
    const service = this.service;
    if (!sub || !service) return;
    this.precheckTried = true;
    if (unanswered(sub, this.answers).length > 0) return;
    const outcome = precheckOutcome(sub, this.answers);
    this.outcome = outcome;
    if (!outcome.result.passed) {
      this.slip = 'idle';
      this.#go('bring');
      void this.#sendPrecheck({ service: service.id, subcase: sub.id, missing: outcome.result.missing, idempotencyKey: newKey('precheck') });
      return;
    }
    this.#afterPrecheck();
  }

  async #sendPrecheck(body: Record<string, unknown>): Promise<void> {
    const r = await postAsKiosk(`/api/v1/offices/${encodeURIComponent(this.officeId)}/prechecks`, body);
    // For reports only: kept until the connection is back, never shown to the citizen.
    if (!r.ok && (r.status === 0 || r.status >= 500)) this.#pendingPrechecks.push({ body });
  }

  printSlip(): void {
    const { service, subcase, outcome } = this;
    if (!service || !subcase || !outcome || this.slip === 'printing') return;
    this.slip = 'printing';
    const visit = this.#visit;
    this.#client?.socket.timeout(SLIP_TIMEOUT_MS).emit('print_slip', { service: service.id, subcase: subcase.id, missing: outcome.result.missing }, (err, res) => {
      if (visit !== this.#visit) return;
      this.slip = !err && res.ok && res.data.state === 'printed' ? 'printed' : 'failed';
    });
  }

  /** A printer this kiosk can use right now (known from printer_status). */
  get canPrint(): boolean {
    const s = this.printer?.state;
    return s === 'ok' || s === 'paper_near_end';
  }

  #afterPrecheck(): void {
    const sub = this.subcase;
    // An age already known to fit (after switching to a suggested service) is not asked again.
    if (needsAgeCheck(sub) && !(this.age !== null && fitsAge(sub.eligibility, this.age))) {
      this.nik = '';
      this.nikProblem = null;
      this.age = null;
      return this.#go('nik');
    }
    this.#go('priority');
  }

  /** The office-local date: the server's office day when known. */
  get officeToday(): string {
    if (this.snapshot?.officeDay) return this.snapshot.officeDay;
    return new Intl.DateTimeFormat('en-CA', { timeZone: this.office?.timeZone ?? 'Asia/Makassar' }).format(this.now);
  }

  typeDigit(d: string): void {
    if (this.nik.length >= NIK_LENGTH) return;
    this.nik += d;
    this.nikProblem = null;
  }

  deleteDigit(): void {
    this.nik = this.nik.slice(0, -1);
    this.nikProblem = null;
  }

  clearNik(): void {
    this.nik = '';
    this.nikProblem = null;
  }

  checkNik(): void {
    const sub = this.subcase;
    if (!sub) return;
    const parsed = parseNik(this.nik, this.officeToday);
    if (!parsed.ok) {
      this.nikProblem = parsed.problem;
      return;
    }
    // Only the age is kept; the number itself is dropped here.
    this.age = ageOn(parsed.info.birthDate, this.officeToday);
    this.nik = '';
    this.nikProblem = null;
    this.#go(fitsAge(sub.eligibility, this.age) ? 'priority' : 'age');
  }

  skipNik(): void {
    this.nik = '';
    this.nikProblem = null;
    this.age = null;
    this.#go('priority');
  }

  /** Let staff decide although the age does not fit. */
  continueAnyway(): void {
    this.#go('priority');
  }

  switchTo(service: ServiceConfig, subcase: Subcase): void {
    this.#history = [];
    this.step = 'start';
    this.service = service;
    this.chooseSubcase(subcase);
  }

  #keypad(e: KeyboardEvent): void {
    if (this.step !== 'nik' || e.ctrlKey || e.altKey || e.metaKey) return;
    if (/^[0-9]$/.test(e.key)) this.typeDigit(e.key);
    else if (e.key === 'Backspace') this.deleteDigit();
    else return;
    e.preventDefault();
  }

  // ---------------------------------------------------------------------------
  // Issuing

  issue(priority: PriorityGroup | null): void {
    const service = this.service;
    if (!service || this.step === 'issuing' || !this.#client) return;
    this.priority = priority;
    const body: IssueBody = { service: service.id, priority };
    if (this.outcome) body.precheck = this.outcome.result;
    const fingerprint = JSON.stringify(body);
    // The same request keeps its key, so a retry after a lost answer cannot give a second ticket.
    if (this.#attempt?.body !== fingerprint) this.#attempt = { key: newKey('kiosk'), body: fingerprint };
    body.idempotencyKey = this.#attempt.key;
    this.issueError = null;
    if (!this.online) {
      this.issueError = 'no_answer';
      return this.#go('failed');
    }
    this.#go('issuing');
    const visit = this.#visit;
    this.#client.socket.timeout(ISSUE_TIMEOUT_MS).emit('issue', body, (err, res) => {
      if (visit !== this.#visit) return;
      this.touch();
      if (err) {
        this.issueError = 'no_answer';
        return this.#replace('failed');
      }
      if (!res.ok) {
        this.issueError = res.error;
        this.refreshAvailability();
        return this.#replace('failed');
      }
      const t = res.data.ticket;
      if (!t) {
        this.issueError = 'no_answer';
        return this.#replace('failed');
      }
      this.#issued(t);
    });
  }

  retry(): void {
    if (this.step !== 'failed' || this.issueError !== 'no_answer') return;
    this.#history.pop();
    this.step = 'priority';
    this.issue(this.priority);
  }

  #replace(step: Step): void {
    this.step = step;
  }

  #issued(t: Ticket): void {
    this.ticket = t;
    this.counters = this.office ? countersFor(this.office, this.snapshot, t.serviceId) : [];
    this.printResult = this.#prints.get(t.id) ?? null;
    this.#attempt = null;
    this.#history = [];
    // The NIK-derived age and the answers are no longer needed.
    this.age = null;
    this.step = 'ticket';
    this.refreshAvailability(300);
  }

  #printed(r: PrintResult): void {
    if (!r.ticketId) return;
    this.#prints.set(r.ticketId, r);
    if (this.#prints.size > 20) this.#prints.delete(this.#prints.keys().next().value!);
    if (this.ticket?.id === r.ticketId) {
      this.printResult = r;
      this.touch();
    }
  }
}
