// The booking page's state: the office, the citizen's draft (saved in
// sessionStorage on every change, so a reload or a dropped line loses
// nothing), the slots, the hold and its proof of work, the confirmation, and
// the manage view. One instance per page; screens read it and call its methods.
import type { ApiError } from '../protocol/errors.ts';
import type { PublicOffice, Requirement, ServiceConfig, Subcase } from '../protocol/model.ts';
import { officeDate } from '../protocol/format.ts';
import { ageOn, parseNik, type NikProblem } from '../protocol/nik.ts';
import { evaluatePrecheck } from '../protocol/rules.ts';
import { api } from '../ui/api.ts';
import { i18n, type Lang } from '../ui/i18n.svelte.ts';
import { fitsAge, needsAgeCheck } from '../kiosk/rules.ts';
import * as A from './booking-api.ts';
import { emptyDraft, normalPhone, parseDraft, shownDays, type Draft, type Step } from './rules.ts';
import { solvePow } from './pow.ts';

/** Answers that mean the chosen slot can no longer be had. */
const SLOT_GONE = new Set(['booking_slot_full', 'booking_slot_blocked', 'booking_quota_full', 'booking_date_past', 'booking_slot_not_found', 'booking_day_closed', 'booking_day_not_open']);
const POW_FAILED: ApiError = { code: 'pow_invalid', message: { id: 'Pemeriksaan keamanan gagal. Silakan coba lagi.', en: 'The security check failed. Please try again.' } };

export type PersonProblem = { field: 'nik'; problem: NikProblem } | { field: 'name' } | { field: 'phone' } | { field: 'consent' };

export interface Storage {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

export class Book {
  officeId = '';
  office = $state.raw<PublicOffice | null>(null);
  draft = $state<Draft>(emptyDraft());
  days = $state.raw<A.BookingDay[] | null>(null);
  online = $state(true);
  busy = $state<'' | 'pow' | 'confirm' | 'cancel' | 'change'>('');
  error = $state.raw<ApiError | null>(null);
  precheckTried = $state(false);
  personTried = $state(false);
  restored = $state(false);
  done = $state.raw<A.BookingCreated | null>(null);
  manage = $state.raw<A.BookingView | null>(null);
  manageRef = $state.raw<{ code: string; secret: string } | null>(null);
  /** Server time minus this machine's, from the slots' answer. */
  clockOffset = 0;

  constructor(private readonly store: Storage | null = typeof sessionStorage === 'undefined' ? null : sessionStorage) {}

  private get key(): string {
    return `giliran-book:${this.officeId}`;
  }

  // ---------------------------------------------------------------- start

  start(search: string): void {
    const q = new URLSearchParams(search);
    this.officeId = q.get('office') ?? 'kupang';
    const code = q.get('code');
    const secret = q.get('k');
    const lang = q.get('lang');
    if (lang === 'en' || lang === 'id') i18n.lang = lang;
    if (code && secret) {
      this.manageRef = { code, secret };
      void this.loadManaged();
    } else {
      const saved = this.store?.getItem(this.key) ?? null;
      this.draft = parseDraft(saved);
      this.restored = saved !== null && this.draft.step !== 'service';
      const last = this.store?.getItem(`${this.key}:done`);
      if (last) {
        try {
          this.done = JSON.parse(last) as A.BookingCreated;
        } catch {
          this.store?.removeItem(`${this.key}:done`);
        }
      }
    }
    void this.loadOffice();
    if (typeof window !== 'undefined') {
      this.online = navigator.onLine;
      addEventListener('online', () => this.reconnected());
      addEventListener('offline', () => (this.online = false));
    }
  }

  private reconnected(): void {
    this.online = true;
    if (!this.office) void this.loadOffice();
    if (this.draft.step === 'slot' || this.draft.step === 'person') void this.loadDays();
  }

  async loadOffice(): Promise<void> {
    const r = await api<{ office: PublicOffice }>('GET', `/api/v1/offices/${encodeURIComponent(this.officeId)}`);
    if (r.ok) {
      this.office = r.data.office;
      if (this.draft.step === 'slot' || this.draft.step === 'person') void this.loadDays();
    } else this.failed(r.error, r.status);
  }

  /** Saves the draft (called on every change by the page's effect). */
  persist(): void {
    if (!this.officeId || this.done) return;
    this.store?.setItem(this.key, JSON.stringify(this.draft));
  }

  private failed(e: ApiError, status: number): void {
    if (status === 0) this.online = false;
    this.error = e;
  }

  // ---------------------------------------------------------------- derived

  get services(): ServiceConfig[] {
    return (this.office?.services ?? []).filter((s) => s.active);
  }

  get service(): ServiceConfig | null {
    return this.services.find((s) => s.id === this.draft.serviceId) ?? null;
  }

  get subcase(): Subcase | null {
    return this.service?.subcases.find((s) => s.id === this.draft.subcaseId) ?? null;
  }

  /** Step 1 … 5 as the page counts them. */
  get stepNumber(): number {
    return { service: 1, subcase: 1, precheck: 2, bring: 2, slot: 3, person: 4 }[this.draft.step];
  }

  get precheck() {
    const sub = this.subcase;
    return sub ? evaluatePrecheck(sub, this.draft.answers) : null;
  }

  get day(): A.BookingDay | null {
    return this.days?.find((d) => d.date === this.draft.date) ?? null;
  }

  get today(): string {
    return officeDate(Date.now() + this.clockOffset, this.office?.timeZone ?? 'Asia/Makassar');
  }

  /** The NIK's problem, or its age where the sub-case has an age rule and it does not fit. */
  get ageMismatch(): number | null {
    const sub = this.subcase;
    if (!needsAgeCheck(sub) || this.draft.nik.length !== 16) return null;
    const p = parseNik(this.draft.nik, this.today);
    if (!p.ok) return null;
    const age = ageOn(p.info.birthDate, this.today);
    return fitsAge(sub.eligibility, age) ? null : age;
  }

  get personProblems(): PersonProblem[] {
    const d = this.draft;
    const out: PersonProblem[] = [];
    const p = parseNik(d.nik, this.today);
    if (!p.ok) out.push({ field: 'nik', problem: p.problem });
    if (d.name.trim().length === 0) out.push({ field: 'name' });
    if (d.phone.trim() !== '') {
      if (!normalPhone(d.phone)) out.push({ field: 'phone' });
      else if (!d.consent) out.push({ field: 'consent' });
    }
    return out;
  }

  // ---------------------------------------------------------------- steps

  private go(step: Step): void {
    this.error = null;
    this.draft.step = step;
    if (typeof window !== 'undefined') window.scrollTo?.(0, 0);
  }

  toggleLanguage(): void {
    i18n.lang = i18n.lang === 'id' ? 'en' : ('id' as Lang);
  }

  chooseService(s: ServiceConfig): void {
    if (this.draft.serviceId !== s.id) {
      this.draft.serviceId = s.id;
      this.draft.subcaseId = null;
      this.draft.answers = { brought: {}, conditions: {} };
      this.dropSlot();
    }
    if (s.subcases.length > 1) this.go('subcase');
    else this.chooseSubcase(s.subcases[0]!);
  }

  chooseSubcase(sub: Subcase): void {
    if (this.draft.subcaseId !== sub.id) {
      this.draft.subcaseId = sub.id;
      this.draft.answers = { brought: {}, conditions: {} };
    }
    this.precheckTried = false;
    if (sub.requirements.length > 0) this.go('precheck');
    else this.toSlots();
  }

  answer(r: Requirement, has: boolean | string): void {
    this.draft.answers.brought[r.id] = has;
  }

  answerCondition(id: string, yes: boolean): void {
    this.draft.answers.conditions[id] = yes;
  }

  submitPrecheck(): void {
    const ev = this.precheck;
    if (!ev) return;
    this.precheckTried = true;
    if (ev.open.length > 0) return;
    if (ev.result.passed) return this.toSlots();
    this.go('bring');
    const { serviceId, subcaseId, answers } = this.draft;
    // For the reports, as the kiosk records its failed pre-checks; nothing is shown.
    if (serviceId && subcaseId) void A.precheckFailed(this.officeId, { service: serviceId, subcase: subcaseId, missing: ev.result.missing, answers: $state.snapshot(answers) });
  }

  private toSlots(): void {
    this.go('slot');
    void this.loadDays();
  }

  back(): void {
    const s = this.draft.step;
    const service = this.service;
    const many = (service?.subcases.length ?? 0) > 1;
    const hasPrecheck = (this.subcase?.requirements.length ?? 0) > 0;
    if (s === 'subcase') this.go('service');
    else if (s === 'precheck') this.go(many ? 'subcase' : 'service');
    else if (s === 'bring') this.go('precheck');
    else if (s === 'slot') this.go(hasPrecheck ? 'precheck' : many ? 'subcase' : 'service');
    else if (s === 'person') this.go('slot');
  }

  startOver(): void {
    this.draft = emptyDraft();
    this.done = null;
    this.restored = false;
    this.store?.removeItem(this.key);
    this.store?.removeItem(`${this.key}:done`);
    this.go('service');
  }

  // ---------------------------------------------------------------- slots

  async loadDays(): Promise<void> {
    const service = this.draft.serviceId;
    if (!service) return;
    const r = await A.slots(this.officeId, service);
    if (!r.ok) return this.failed(r.error, r.status);
    this.online = true;
    this.clockOffset = Date.parse(r.data.serverTime) - Date.now();
    this.days = r.data.days;
    const shown = shownDays(r.data.days);
    if (!this.draft.date || !shown.some((d) => d.date === this.draft.date)) {
      this.draft.date = r.data.nextWithRoom?.date ?? shown[0]?.date ?? null;
    }
  }

  chooseDate(date: string): void {
    this.draft.date = date;
  }

  private dropSlot(): void {
    this.draft.slot = null;
    this.draft.date = null;
    this.days = null;
  }

  chooseSlot(start: string): void {
    this.draft.slot = start;
    this.personTried = false;
    this.go('person');
  }

  private refused(e: ApiError, status: number): false {
    this.failed(e, status);
    return false;
  }

  // ---------------------------------------------------------------- confirm

  /** Solves the proof of work, then holds and confirms the place in one request. */
  async confirm(): Promise<void> {
    this.personTried = true;
    const d = this.draft;
    if (this.personProblems.length > 0 || this.busy || !d.serviceId || !d.subcaseId || !d.slot) return;
    this.error = null;
    this.busy = 'pow';
    try {
      const c = await A.challenge(this.officeId);
      if (!c.ok) return void this.failed(c.error, c.status);
      const altcha = await solvePow(c.data);
      if (!altcha) return void this.failed(POW_FAILED, 400);
      this.busy = 'confirm';
      const phone = d.phone.trim() ? normalPhone(d.phone) : null;
      const r = await A.book(this.officeId, {
        service: d.serviceId, subcase: d.subcaseId, slot: d.slot, answers: d.answers, nik: d.nik, name: d.name.trim(),
        ...(phone ? { phone: { number: phone, consent: true as const } } : {}), altcha, confirm: true,
      });
      if (!r.ok) {
        this.failed(r.error, r.status);
        // The slot went while the form was filled in: back to the slots, with the message.
        if (SLOT_GONE.has(r.error.code)) {
          this.draft.slot = null;
          this.draft.step = 'slot';
          void this.loadDays();
        }
        return;
      }
      this.online = true;
      this.done = r.data;
      // What was typed is no longer needed on this phone; the confirmation (no NIK) stays for a reload.
      this.store?.removeItem(this.key);
      this.store?.setItem(`${this.key}:done`, JSON.stringify(r.data));
      this.draft = emptyDraft();
    } finally {
      this.busy = '';
    }
  }

  // ---------------------------------------------------------------- manage

  async loadManaged(): Promise<void> {
    const m = this.manageRef;
    if (!m) return;
    const r = await A.getBooking(this.officeId, m.code, m.secret);
    if (!r.ok) return this.failed(r.error, r.status);
    this.error = null;
    this.manage = r.data.booking;
    this.draft.serviceId = r.data.booking.serviceId;
  }

  async cancelBooking(): Promise<boolean> {
    const m = this.manageRef;
    if (!m || this.busy) return false;
    this.busy = 'cancel';
    this.error = null;
    try {
      const r = await A.cancel(this.officeId, m.code, m.secret);
      if (!r.ok) return this.refused(r.error, r.status);
      this.manage = r.data.booking;
      return true;
    } finally {
      this.busy = '';
    }
  }

  /** A new booking in the new slot (a new code and link); the old one is cancelled by the server. */
  async changeSlot(start: string): Promise<boolean> {
    const m = this.manageRef;
    if (!m || this.busy) return false;
    this.busy = 'change';
    this.error = null;
    try {
      const r = await A.change(this.officeId, m.code, m.secret, start);
      if (!r.ok) {
        void this.loadDays();
        return this.refused(r.error, r.status);
      }
      this.manage = r.data.booking;
      this.manageRef = { code: r.data.booking.code, secret: r.data.manageKey };
      if (typeof history !== 'undefined') history.replaceState(null, '', r.data.manageUrl);
      return true;
    } finally {
      this.busy = '';
    }
  }
}

export const book = new Book();
