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
import type { DayView } from './booking-api.ts';
import * as A from './booking-api.ts';
import { emptyDraft, normalPhone, parseDraft, type Draft, type Step } from './rules.ts';
import { solvePow } from './pow.ts';

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
  days = $state.raw<DayView[] | null>(null);
  online = $state(true);
  busy = $state<'' | 'hold' | 'pow' | 'confirm' | 'cancel' | 'change'>('');
  error = $state.raw<ApiError | null>(null);
  precheckTried = $state(false);
  personTried = $state(false);
  restored = $state(false);
  done = $state.raw<A.Confirmation | null>(null);
  manage = $state.raw<A.ManagedBooking | null>(null);
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
    const secret = q.get('s');
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
          this.done = JSON.parse(last) as A.Confirmation;
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

  get day(): DayView | null {
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
    if (ev.result.passed) this.toSlots();
    else this.go('bring');
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
    void this.releaseHold();
    this.draft = emptyDraft();
    this.done = null;
    this.restored = false;
    this.store?.removeItem(this.key);
    this.store?.removeItem(`${this.key}:done`);
    this.go('service');
  }

  // ---------------------------------------------------------------- slots and hold

  async loadDays(): Promise<void> {
    const service = this.draft.serviceId;
    if (!service) return;
    const r = await A.slots(this.officeId, service);
    if (!r.ok) return this.failed(r.error, r.status);
    this.online = true;
    this.clockOffset = Date.parse(r.data.serverTime) - Date.now();
    this.days = r.data.days;
    if (!this.draft.date || !this.days.some((d) => d.date === this.draft.date)) {
      this.draft.date = this.days.find((d) => d.open)?.date ?? null;
    }
  }

  chooseDate(date: string): void {
    this.draft.date = date;
  }

  private dropSlot(): void {
    void this.releaseHold();
    this.draft.slot = null;
    this.draft.date = null;
    this.days = null;
  }

  private async releaseHold(): Promise<void> {
    const h = this.draft.hold;
    if (!h) return;
    this.draft.hold = null;
    await A.releaseHold(this.officeId, h.id);
  }

  /** Holds a place in the slot (solving the proof of work first), then on to step 4. */
  async chooseSlot(start: string): Promise<void> {
    if (this.busy) return;
    this.error = null;
    if (this.draft.hold && this.draft.hold.slot !== start) await this.releaseHold();
    this.draft.slot = start;
    if (!(await this.ensureHold())) return;
    this.personTried = false;
    this.go('person');
  }

  private holdValid(): boolean {
    const h = this.draft.hold;
    return !!h && h.slot === this.draft.slot && Date.parse(h.expiresAt) - 5000 > Date.now() + this.clockOffset;
  }

  private async ensureHold(): Promise<boolean> {
    if (this.holdValid()) return true;
    const service = this.draft.serviceId;
    const slot = this.draft.slot;
    if (!service || !slot) return false;
    this.busy = 'pow';
    try {
      const c = await A.challenge(this.officeId);
      if (!c.ok) return this.refused(c.error, c.status);
      const pow = await solvePow(c.data);
      if (!pow) return this.refused({ code: 'pow_invalid', message: { id: 'Pemeriksaan keamanan gagal. Silakan coba lagi.', en: 'The security check failed. Please try again.' } }, 400);
      this.busy = 'hold';
      const r = await A.hold(this.officeId, { service, slot, pow });
      if (!r.ok) {
        void this.loadDays();
        return this.refused(r.error, r.status);
      }
      this.draft.hold = { id: r.data.holdId, expiresAt: r.data.expiresAt, slot };
      return true;
    } finally {
      this.busy = '';
    }
  }

  private refused(e: ApiError, status: number): false {
    this.failed(e, status);
    return false;
  }

  // ---------------------------------------------------------------- confirm

  async confirm(): Promise<void> {
    this.personTried = true;
    if (this.personProblems.length > 0 || this.busy) return;
    this.error = null;
    if (!(await this.ensureHold())) return;
    const d = this.draft;
    const phone = d.phone.trim() ? normalPhone(d.phone) : null;
    this.busy = 'confirm';
    try {
      const r = await A.confirm(this.officeId, {
        holdId: d.hold!.id, nik: d.nik, name: d.name.trim(), phone, consent: phone ? d.consent : false,
        subcase: d.subcaseId, answers: d.answers, lang: i18n.lang,
      });
      if (!r.ok) {
        if (r.error.code === 'booking_hold_expired') d.hold = null;
        return void this.failed(r.error, r.status);
      }
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
    this.manage = r.data;
    this.draft.serviceId = r.data.booking.service;
  }

  async cancelBooking(): Promise<boolean> {
    const m = this.manageRef;
    if (!m || this.busy) return false;
    this.busy = 'cancel';
    try {
      const r = await A.cancel(this.officeId, m.code, m.secret);
      if (!r.ok) return this.refused(r.error, r.status);
      this.manage = r.data;
      return true;
    } finally {
      this.busy = '';
    }
  }

  async changeSlot(start: string): Promise<boolean> {
    const m = this.manageRef;
    if (!m || this.busy) return false;
    this.busy = 'change';
    this.error = null;
    try {
      const c = await A.challenge(this.officeId);
      if (!c.ok) return this.refused(c.error, c.status);
      const pow = await solvePow(c.data);
      if (!pow) return false;
      const r = await A.change(this.officeId, m.code, m.secret, { slot: start, pow });
      if (!r.ok) {
        void this.loadDays();
        return this.refused(r.error, r.status);
      }
      this.manage = r.data;
      return true;
    } finally {
      this.busy = '';
    }
  }
}

export const book = new Book();
