// The TV's page state (display/display.svelte.ts) without a browser: what it
// derives from the office and the connection. The call list is calls.ts
// (display-calls.test.ts); the connection is covered by the browser tests.
import { describe, expect, it } from 'vitest';
import type { DisplayProfile, PublicOffice, ServiceConfig } from '../../protocol/model.ts';
import { Display, display } from '../../display/display.svelte.ts';

const text = (id: string) => ({ id, en: `${id} (en)` });
const service = (id: string, over: Partial<ServiceConfig> = {}): ServiceConfig => ({
  id, prefix: 'A', name: text(id), description: text(id), standard: text('1 jam'), fee: 0, icon: 'info',
  subcases: [{ id: 'umum', name: text('umum'), requirements: [{ id: 'kk', text: text('KK'), mandatory: true, staffJudged: false }] }],
  quota: { walkIn: null, online: null }, active: true, ...over,
});
const profile = (id: string, over: Partial<DisplayProfile> = {}): DisplayProfile => ({
  id, name: id, services: [], counters: [], layout: 'landscape', secondLanguage: 'en', historySize: 4, showCounterStates: true, voice: 'off', reloadAt: null, ...over,
});
const office = (over: Partial<PublicOffice> = {}): PublicOffice => ({
  id: 'kupang', name: text('Dukcapil Kupang'), shortName: 'Kupang', timeZone: 'Asia/Makassar', hours: {} as PublicOffice['hours'],
  services: [service('ktp-el')], counters: [{ id: '1', name: 'Loket Satu', word: 'loket', services: ['ktp-el'] }],
  complaintChannel: text('SP4N-LAPOR!'), marquee: text('Selamat datang'), kiosk: { idleSeconds: 30 }, displays: [], logo: null,
  rules: { reinstateWindowMinutes: 30, enforceHours: false, priorityPerRegular: 2 }, ...over,
});

describe('display page state', () => {
  it('is one exported instance', () => {
    expect(display).toBeInstanceOf(Display);
  });

  it('shows the profile its address names, else the first of the office, else the default', () => {
    const d = new Display();
    expect(d.profile.id).toBe('default');
    d.office = office({ displays: [profile('ruang-a'), profile('ruang-kk', { services: ['kk'] })] });
    expect(d.profile.id).toBe('ruang-a');
    d.profileId = 'ruang-kk';
    expect(d.profile.services).toEqual(['kk']);
    d.profileId = 'unknown';
    expect(d.profile.id).toBe('ruang-a');
  });

  it('names a counter from the office, or "Loket N" before the office is known', () => {
    const d = new Display();
    expect(d.counter('3').name).toBe('Loket 3');
    d.office = office();
    expect(d.counter('1').name).toBe('Loket Satu');
  });

  it('is online only with the socket up, the network there and the server answering', () => {
    const d = new Display();
    expect(d.online).toBe(false);
    d.view.socketUp = true;
    expect(d.online).toBe(true);
    d.view.reachable = false;
    expect(d.online).toBe(false);
    d.view.reachable = true;
    d.view.browserOnline = false;
    expect(d.online).toBe(false);
  });
});
