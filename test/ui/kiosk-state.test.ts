// The kiosk's page state (kiosk/kiosk.svelte.ts) without a browser: how it
// runs the flow and what it derives from the connection's facts. Its
// connection (start) is covered by the device-session and browser tests.
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicOffice, QueueSnapshot, ServiceConfig } from '../../protocol/model.ts';
import { Kiosk, kiosk } from '../../kiosk/kiosk.svelte.ts';
import { i18n } from '../../ui/i18n.svelte.ts';

const text = (id: string) => ({ id, en: `${id} (en)` });
const service = (id: string, over: Partial<ServiceConfig> = {}): ServiceConfig => ({
  id, prefix: 'A', name: text(id), description: text(id), standard: text('1 jam'), fee: 0, icon: 'info',
  subcases: [{ id: 'umum', name: text('umum'), requirements: [{ id: 'kk', text: text('KK'), mandatory: true, staffJudged: false }] }],
  quota: { walkIn: null, online: null }, active: true, ...over,
});
const office = (over: Partial<PublicOffice> = {}): PublicOffice => ({
  id: 'kupang', name: text('Dukcapil Kupang'), shortName: 'Kupang', timeZone: 'Asia/Makassar', hours: {} as PublicOffice['hours'],
  services: [service('ktp-el')], counters: [{ id: '1', name: 'Loket Satu', word: 'loket', services: ['ktp-el'] }],
  complaintChannel: text('SP4N-LAPOR!'), marquee: text('Selamat datang'), kiosk: { idleSeconds: 30 }, displays: [], logo: null,
  rules: { reinstateWindowMinutes: 30, enforceHours: false, priorityPerRegular: 2 }, ...over,
});

afterEach(() => {
  i18n.lang = 'id';
});

describe('kiosk page state', () => {
  it('is one exported instance', () => {
    expect(kiosk).toBeInstanceOf(Kiosk);
  });
  it("runs screen events through the flow and shows the flow's language", () => {
    const k = new Kiosk();
    k.dispatch({ type: 'toggle_language' });
    expect(k.flow.lang).toBe('en');
    expect(i18n.lang).toBe('en');
    k.dispatch({ type: 'reset' });
    expect(i18n.lang).toBe('id');
  });

  it('offers only a service the availability allows, and counts the lines still to answer', () => {
    const k = new Kiosk();
    const ktp = service('ktp-el');
    k.availability = { services: [{ serviceId: 'ktp-el', available: false }] } as never;
    k.chooseService(ktp);
    expect(k.flow.step).toBe('start');
    k.availability = { services: [{ serviceId: 'ktp-el', available: true }] } as never;
    k.chooseService(ktp);
    expect(k.flow.step).toBe('precheck');
    expect(k.unansweredCount).toBe(1);
    k.dispatch({ type: 'answer', requirement: 'kk', has: true });
    expect(k.unansweredCount).toBe(0);
  });

  it("counts ages on the server's office day, else on the date in the office's zone", () => {
    const k = new Kiosk();
    k.office = office({ timeZone: 'Asia/Jayapura' });
    k.now = Date.parse('2026-11-30T16:30:00Z'); // 01:30 on 1 December in Jayapura
    expect(k.officeToday).toBe('2026-12-01');
    k.snapshot = { officeDay: '2026-11-30' } as QueueSnapshot;
    expect(k.officeToday).toBe('2026-11-30');
  });

  it('prints only while its printer says it can', () => {
    const k = new Kiosk();
    expect(k.canPrint).toBe(false);
    k.printer = { state: 'paper_near_end' } as never;
    expect(k.canPrint).toBe(true);
    k.printer = { state: 'paper_out' } as never;
    expect(k.canPrint).toBe(false);
  });

  it('sends nothing before it is connected', () => {
    const k = new Kiosk();
    k.chooseService(service('info', { subcases: [{ id: 'umum', name: text('umum'), requirements: [] }] }));
    k.issue(null);
    expect(k.flow.step).toBe('priority');
  });
});
