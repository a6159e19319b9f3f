// The booking page without a browser: its rules (book/rules.ts), the proof of
// work it solves (book/pow.ts against altcha-lib's own challenge and check),
// its paths against the contract's, and the page state (book/book.svelte.ts)
// over a stub fetch: the draft kept across a reload, the pre-check that ends
// in "what to bring", a slot gone while the form was filled in, the NIK's
// messages, and the draft dropped after the confirmation.
import { createChallenge, verifySolution } from 'altcha-lib/v1';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BOOKING_PATHS, type BookingCreated, type BookingDay, type BookingSlotsResponse } from '../../protocol/booking.ts';
import type { PublicOffice, ServiceConfig } from '../../protocol/model.ts';
import { Book } from '../../book/book.svelte.ts';
import { PATHS } from '../../book/booking-api.ts';
import { solvePow } from '../../book/pow.ts';
import { emptyDraft, hasRoom, nextDayWithRoom, normalPhone, parseDraft, shownDays, spacedCode } from '../../book/rules.ts';
import { i18n } from '../../ui/i18n.svelte.ts';

const text = (id: string) => ({ id, en: `${id} (en)` });
const slot = (time: string, left: number, blocked = false) => ({ start: `2026-12-07T${time}:00.000Z`, end: `2026-12-07T${time}:30.000Z`, time, capacity: 4, left, full: left === 0, blocked });
const day = (date: string, status: BookingDay['status'], slots = [slot('01:00', 2)]): BookingDay => ({ date, status, label: text(date), note: null, opensAt: null, left: slots.reduce((n, s) => n + s.left, 0), slots });

describe('booking rules', () => {
  it('points a full day to the next day with room, skipping closed and full days', () => {
    const days = [day('2026-12-07', 'full', [slot('01:00', 0)]), day('2026-12-08', 'closed', []), day('2026-12-09', 'open', [slot('01:00', 0, false), slot('01:30', 0)]), day('2026-12-10', 'open')];
    expect(hasRoom(days[2]!)).toBe(false);
    expect(nextDayWithRoom(days, '2026-12-07')?.date).toBe('2026-12-10');
    expect(nextDayWithRoom(days, '2026-12-10')).toBeNull();
    expect(shownDays(days).map((d) => d.date)).toEqual(['2026-12-07', '2026-12-09', '2026-12-10']);
  });
  it('does not count a blocked slot as room', () => {
    expect(hasRoom(day('2026-12-07', 'open', [slot('01:00', 3, true)]))).toBe(false);
  });
  it('spaces an 8-character code in two groups of four', () => {
    expect(spacedCode('K7M4QX2A')).toBe('K7M4 QX2A');
  });
  it('reads Indonesian mobile numbers typed the usual ways and refuses others', () => {
    expect(normalPhone('0812 3456 7890')).toBe('+6281234567890');
    expect(normalPhone('+62 812-3456-7890')).toBe('+6281234567890');
    expect(normalPhone('021 555 1234')).toBeNull();
    expect(normalPhone('08')).toBeNull();
  });
  it('reads a saved draft back, and anything else as an empty draft', () => {
    const d = { ...emptyDraft(), step: 'person' as const, serviceId: 'ktp-el', nik: '5371014501900001', name: 'Maria' };
    expect(parseDraft(JSON.stringify(d))).toEqual(d);
    expect(parseDraft('{not json')).toEqual(emptyDraft());
    expect(parseDraft(JSON.stringify({ step: 'hack', nik: '12ab34', name: 7 }))).toEqual({ ...emptyDraft(), nik: '1234' });
  });
  it('spells the paths as the contract does', () => {
    expect(PATHS.slots('a b')).toBe(BOOKING_PATHS.slots('a b'));
    expect(PATHS.challenge('kupang')).toBe(BOOKING_PATHS.challenge('kupang'));
    expect(PATHS.hold('kupang')).toBe(BOOKING_PATHS.hold('kupang'));
    expect(PATHS.precheckFailed('kupang')).toBe(BOOKING_PATHS.precheckFailed('kupang'));
    expect(PATHS.one('kupang', 'AB23CD45')).toBe(BOOKING_PATHS.one('kupang', 'AB23CD45'));
    expect(`${PATHS.one('kupang', 'X')}/cancel`).toBe(BOOKING_PATHS.cancel('kupang', 'X'));
    expect(`${PATHS.one('kupang', 'X')}/change`).toBe(BOOKING_PATHS.change('kupang', 'X'));
  });
});

describe('proof of work', () => {
  it("solves altcha-lib's challenge so that altcha-lib accepts it, and a forged number fails", async () => {
    const hmacKey = 'test-key';
    const c = await createChallenge({ hmacKey, maxnumber: 2000 });
    const payload = await solvePow(c);
    expect(payload).not.toBeNull();
    expect(await verifySolution(payload!, hmacKey)).toBe(true);
    const forged = { ...JSON.parse(atob(payload!)), number: (JSON.parse(atob(payload!)).number + 1) % 2001 };
    expect(await verifySolution(btoa(JSON.stringify(forged)), hmacKey)).toBe(false);
  });
  it('gives up (null) when no number up to maxnumber fits', async () => {
    expect(await solvePow({ algorithm: 'SHA-256', challenge: 'f'.repeat(64), salt: 's', signature: 'x', maxnumber: 50 })).toBeNull();
  });
});

// ---------------------------------------------------------------- page state over a stub fetch

const ktp: ServiceConfig = {
  id: 'ktp-el', prefix: 'A', name: text('KTP-el'), description: text('KTP'), standard: text('1 jam'), fee: 0, icon: 'id-card',
  subcases: [
    { id: 'baru', name: text('Baru'), eligibility: { minAge: 17 }, requirements: [{ id: 'kk', text: text('KK'), mandatory: true, staffJudged: false }] },
    { id: 'hilang', name: text('Hilang'), requirements: [{ id: 'kk', text: text('KK'), mandatory: true, staffJudged: false }, { id: 'polisi', text: text('Surat polisi'), mandatory: true, staffJudged: false }] },
  ],
  quota: { walkIn: null, online: null }, active: true, booking: { enabled: true, places: 4, serviceMinutes: 15 },
};
const office = { id: 'kupang', name: text('Dukcapil Kupang'), timeZone: 'Asia/Makassar', services: [ktp], booking: { enabled: true } } as unknown as PublicOffice;
const slotsAnswer = (days: BookingDay[]): BookingSlotsResponse => ({ officeId: 'kupang', serviceId: 'ktp-el', serverTime: new Date().toISOString(), slotMinutes: 30, days, nextWithRoom: null });

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

type Route = (method: string, body: unknown) => { status: number; body: unknown };
let routes: Record<string, Route>;
let calls: Array<{ method: string; path: string; body: unknown }>;

beforeEach(() => {
  calls = [];
  routes = {
    'GET /api/v1/offices/kupang': () => ({ status: 200, body: { office } }),
    'GET /api/v1/offices/kupang/booking-slots': () => ({ status: 200, body: slotsAnswer([day('2026-12-07', 'open', [slot('01:00', 2), slot('01:30', 0)])]) }),
    'POST /api/v1/offices/kupang/booking-prechecks': () => ({ status: 204, body: null }),
  };
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: init.method!, path, body });
    const route = routes[`${init.method} ${path.split('?')[0]}`];
    const r = route ? route(init.method!, body) : { status: 404, body: { error: { code: 'not_found', message: text('tidak ada') } } };
    return new Response(r.status === 204 ? null : JSON.stringify(r.body), { status: r.status, headers: { 'content-type': 'application/json' } });
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  i18n.lang = 'id';
});

async function started(store = new MemoryStorage(), search = '?office=kupang'): Promise<Book> {
  const b = new Book(store);
  b.start(search);
  await vi.waitFor(() => expect(b.office).not.toBeNull());
  return b;
}

/** KTP-el "Baru", the KK answered yes, the first slot of the first day: the person step. */
async function toPersonStep(b: Book): Promise<void> {
  b.chooseService(ktp);
  b.chooseSubcase(ktp.subcases[0]!);
  b.answer(ktp.subcases[0]!.requirements[0]!, true);
  b.submitPrecheck();
  await vi.waitFor(() => expect(b.days).not.toBeNull());
  b.chooseSlot(b.days![0]!.slots[0]!.start);
}

describe('booking page state', () => {
  it('ends a missing mandatory document in "what to bring", records it, and makes no booking', async () => {
    const b = await started();
    b.chooseService(ktp);
    expect(b.draft.step).toBe('subcase');
    b.chooseSubcase(ktp.subcases[1]!);
    b.submitPrecheck();
    expect(b.draft.step).toBe('precheck'); // every line must be answered first
    b.answer(ktp.subcases[1]!.requirements[0]!, true);
    b.answer(ktp.subcases[1]!.requirements[1]!, false);
    b.submitPrecheck();
    expect(b.draft.step).toBe('bring');
    expect(b.precheck?.blocking.map((r) => r.id)).toEqual(['polisi']);
    await vi.waitFor(() => expect(calls.some((c) => c.path.endsWith('/booking-prechecks'))).toBe(true));
    expect(calls.find((c) => c.path.endsWith('/booking-prechecks'))!.body).toMatchObject({ service: 'ktp-el', subcase: 'hilang', missing: ['polisi'] });
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/bookings'))).toBe(false);
  });

  it('keeps what was typed across a reload (sessionStorage) and says so', async () => {
    const store = new MemoryStorage();
    const b = await started(store);
    await toPersonStep(b);
    b.draft.nik = '5371014501900001';
    b.draft.name = 'Maria';
    b.persist();
    const again = await started(store);
    expect(again.restored).toBe(true);
    expect(again.draft).toMatchObject({ step: 'person', serviceId: 'ktp-el', subcaseId: 'baru', nik: '5371014501900001', name: 'Maria', slot: '2026-12-07T01:00:00.000Z' });
    await vi.waitFor(() => expect(again.days).not.toBeNull()); // the slots are read again for the person step
  });

  it("shows the kiosk's NIK message, asks for a name, and wants consent for a phone", async () => {
    const b = await started();
    b.chooseService(ktp);
    b.draft.nik = '1234';
    b.draft.phone = '0812 3456 7890';
    expect(b.personProblems.map((p) => p.field)).toEqual(['nik', 'name', 'consent']);
    expect(b.personProblems[0]).toEqual({ field: 'nik', problem: 'wrong_length' });
    b.draft.phone = '12';
    expect(b.personProblems.map((p) => p.field)).toContain('phone');
  });

  it('warns when the NIK says the age does not fit the sub-case', async () => {
    const b = await started();
    b.chooseService(ktp);
    b.chooseSubcase(ktp.subcases[0]!);
    b.draft.nik = `537101450120${'0001'}`; // born 5 Jan 2020: 6 years old
    expect(b.ageMismatch).toBeGreaterThanOrEqual(6);
    expect(b.ageMismatch).toBeLessThan(17);
    b.draft.nik = '5371014501900001';
    expect(b.ageMismatch).toBeNull();
  });

  it('solves the proof of work, books in one request, then forgets the draft and keeps the confirmation', async () => {
    const hmacKey = 'k';
    routes['POST /api/v1/offices/kupang/booking-challenge'] = () => ({ status: 200, body: null });
    const challenge = await createChallenge({ hmacKey, maxnumber: 500 });
    routes['POST /api/v1/offices/kupang/booking-challenge'] = () => ({ status: 200, body: challenge });
    const created = { booking: { code: 'AB23CD45' }, manageKey: 'x'.repeat(16), manageUrl: '/book/?office=kupang&code=AB23CD45&k=xxxxxxxxxxxxxxxx', icsUrl: '/i', qrUrl: '/q' } as unknown as BookingCreated;
    let verified = false;
    routes['POST /api/v1/offices/kupang/bookings'] = (_m, body) => {
      void verifySolution((body as { altcha: string }).altcha, hmacKey).then((ok) => (verified = ok));
      return { status: 201, body: created };
    };
    const store = new MemoryStorage();
    const b = await started(store);
    await toPersonStep(b);
    Object.assign(b.draft, { nik: '5371 0145 0190 0001', name: ' Maria ', phone: '0812 3456 7890', consent: true });
    b.draft.nik = '5371014501900001';
    b.persist();
    await b.confirm();
    expect(b.done).toEqual(created);
    const sent = calls.find((c) => c.method === 'POST' && c.path.endsWith('/bookings'))!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ service: 'ktp-el', subcase: 'baru', slot: '2026-12-07T01:00:00.000Z', nik: '5371014501900001', name: 'Maria', phone: { number: '+6281234567890', consent: true }, confirm: true, answers: { brought: { kk: true }, conditions: {} } });
    await vi.waitFor(() => expect(verified).toBe(true));
    expect(store.getItem('giliran-book:kupang')).toBeNull();
    expect(JSON.parse(store.getItem('giliran-book:kupang:done')!)).toEqual(created);
    expect(JSON.stringify([...store.data.values()])).not.toContain('5371014501900001');
  });

  it('goes back to the slots with the message when the slot was taken meanwhile, keeping the person data', async () => {
    routes['POST /api/v1/offices/kupang/booking-challenge'] = () => ({ status: 200, body: { algorithm: 'SHA-256', challenge: '5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9', salt: '', signature: 's', maxnumber: 10 } });
    routes['POST /api/v1/offices/kupang/bookings'] = () => ({ status: 409, body: { error: { code: 'booking_slot_full', message: text('Slot ini sudah penuh.') } } });
    const b = await started();
    await toPersonStep(b);
    Object.assign(b.draft, { nik: '5371014501900001', name: 'Maria' });
    await b.confirm();
    expect(b.done).toBeNull();
    expect(b.draft.step).toBe('slot');
    expect(b.draft.slot).toBeNull();
    expect(b.error?.code).toBe('booking_slot_full');
    expect(b.draft.nik).toBe('5371014501900001');
  });

  it('shows offline when the server cannot be reached, and keeps the draft', async () => {
    const store = new MemoryStorage();
    const b = await started(store);
    b.chooseService(ktp);
    b.chooseSubcase(ktp.subcases[0]!);
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('network down');
    });
    b.answer(ktp.subcases[0]!.requirements[0]!, true);
    b.submitPrecheck();
    await vi.waitFor(() => expect(b.online).toBe(false));
    b.persist();
    expect(parseDraft(store.getItem('giliran-book:kupang')).step).toBe('slot');
  });

  it('opens the manage view from the link, cancels, and follows a change of slot to its new code', async () => {
    const view = (code: string, state = 'confirmed') => ({ booking: { code, serviceId: 'ktp-el', state } });
    routes['GET /api/v1/offices/kupang/bookings/AB23CD45'] = () => ({ status: 200, body: view('AB23CD45') });
    routes['POST /api/v1/offices/kupang/bookings/AB23CD45/change'] = () => ({ status: 201, body: { ...view('AB23EF67'), manageKey: 'y'.repeat(16), manageUrl: '/book/?office=kupang&code=AB23EF67&k=yyyyyyyyyyyyyyyy' } });
    routes['POST /api/v1/offices/kupang/bookings/AB23EF67/cancel'] = () => ({ status: 200, body: view('AB23EF67', 'cancelled') });
    const b = await started(new MemoryStorage(), '?office=kupang&code=AB23CD45&k=xxxxxxxxxxxxxxxx');
    await vi.waitFor(() => expect(b.manage?.code).toBe('AB23CD45'));
    expect(await b.changeSlot('2026-12-07T01:00:00.000Z')).toBe(true);
    expect(b.manageRef).toEqual({ code: 'AB23EF67', secret: 'y'.repeat(16) });
    expect(calls.at(-1)!.body).toEqual({ k: 'x'.repeat(16), slot: '2026-12-07T01:00:00.000Z' });
    expect(await b.cancelBooking()).toBe(true);
    expect(b.manage?.state).toBe('cancelled');
    expect(calls.at(-1)!.body).toEqual({ k: 'y'.repeat(16) });
  });
});
