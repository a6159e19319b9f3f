// Booking reminders and block notices through the notify outbox (issue 12), on a real server with a
// real webhook provider on 127.0.0.1: the day-before reminder at 18:00 office time, the hour-before
// one, each exactly once across restarts; none for a cancelled booking; a blocked slot's holders
// told; the number never in a log line or a journal, and gone from disk once the day is over.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BOOKING_PATHS } from '../../protocol/booking.ts';
import { createGiliran, type Giliran } from '../../server/app.ts';
import { bookingMessageId } from '../../server/notify/outbox-store.ts';
import { loadSettings, type Settings } from '../../server/settings.ts';
import { WebhookReceiver } from '../helpers/provider-servers.ts';
import { DEMO_PASSWORD, login, request, startServer } from '../helpers/server.ts';

const SECRET = 'webhook-secret-for-tests-0123456789';
// Monday 23 November 2026, 09:00 WITA; the slots are on Tuesday (08:00, 09:00, 10:00 WITA).
const MON_0900 = Date.parse('2026-11-23T01:00:00.000Z');
const MON_1759 = Date.parse('2026-11-23T09:59:00.000Z');
const MON_1800 = Date.parse('2026-11-23T10:00:00.000Z');
const TUE_0659 = Date.parse('2026-11-23T22:59:00.000Z');
const TUE_0700 = Date.parse('2026-11-23T23:00:00.000Z');
const WED_0005 = Date.parse('2026-11-24T16:05:00.000Z');
const SLOT_A = '2026-11-24T00:00:00.000Z';
const SLOT_B = '2026-11-24T01:00:00.000Z';
const SLOT_C = '2026-11-24T02:00:00.000Z';
const PHONES = { a: '0812 3456 7890', b: '0813-1111-2222', c: '+62 815 5555 6666' };
const DIGITS = ['81234567890', '81311112222', '81555556666', '3456 7890', '1111-2222'];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function filesUnder(dir: string): Promise<Array<{ file: string; text: string }>> {
  const out: Array<{ file: string; text: string }> = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, name);
    if ((await stat(file)).isFile()) out.push({ file, text: await readFile(file, 'utf8') });
  }
  return out;
}

describe('booking reminders through the outbox', () => {
  it('reminds the day before and an hour before, once each across restarts; none when cancelled; tells a blocked slot; keeps the number out of logs and journals', async () => {
    const w = await WebhookReceiver.start(SECRET);
    cleanups.push(() => w.close());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-remind-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    let clock = MON_0900;
    const settings: Settings = {
      ...loadSettings({ GILIRAN_DATA: dataDir, GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD }),
      logLevel: 'trace',
      passwordCost: 12,
      publicUrl: 'https://antre.example.id',
      notify: { ...loadSettings({}).notify, webhookUrl: w.hookUrl, webhookSecret: SECRET, retryBaseMs: 20, retryMaxMs: 100, providerTimeoutMs: 2_000 },
    };
    let g: Giliran | null = null;
    let url = '';
    const start = async () => {
      g = await createGiliran({ settings, log: pino({ level: 'trace', base: undefined }, sink), now: () => new Date(clock) });
      url = await g.listen(0, '127.0.0.1');
    };
    const stop = async () => {
      await g?.close();
      g = null;
    };
    cleanups.push(stop);
    await start();
    const giliran = () => g!;
    await giliran().store.config.update((d) => {
      const o = d.offices.find((x) => x.id === 'kupang')!;
      o.services = o.services.map((s) => (s.id === 'ktp-el' ? { ...s, booking: { enabled: true, places: 3, serviceMinutes: 15 } } : s));
    });

    const clerk = await login(url, 'petugas1');
    const book = async (slot: string, i: number, phone: string) => {
      const body = { service: 'ktp-el', subcase: 'baru', slot, nik: `53710105019000${10 + i}`, name: `Warga ${i}`, phone: { number: phone, consent: true } };
      const r = await request(url, 'POST', BOOKING_PATHS.staffCreate('kupang'), { body, cookie: clerk });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(JSON.stringify(r.body)).not.toContain(phone.replace(/\D/g, '').slice(-8));
      return r.body.booking.code as string;
    };
    const a = await book(SLOT_A, 1, PHONES.a);
    const b = await book(SLOT_B, 2, PHONES.b);
    const c = await book(SLOT_C, 3, PHONES.c);
    const contacts = path.join(dataDir, 'notify', 'kupang', 'bookings', '2026-11-24.contacts.json');
    expect(await readFile(contacts, 'utf8')).toContain('+6281234567890');
    expect((await stat(contacts)).mode & 0o777).toBe(0o600);

    const sup = await login(url, 'supervisor');
    expect((await request(url, 'POST', BOOKING_PATHS.staffCancel('kupang', b), { body: { reason: 'warga batal' }, cookie: sup })).status).toBe(200);
    // The office blocks C's slot: its holder is told at once.
    const blocked = await request(url, 'POST', BOOKING_PATHS.block('kupang'), { body: { service: null, slot: SLOT_C, reason: 'Sistem down' }, cookie: sup });
    expect(blocked.body.cancelled).toEqual([c]);
    const [notice] = await w.waitForRequests(1);
    expect(notice!.body).toMatchObject({ id: bookingMessageId('kupang', c, 'blocked'), to: '+6281555556666', channel: 'whatsapp', kind: 'blocked' });
    expect(notice!.body.text).toContain('dibatalkan oleh kantor, silakan pilih waktu lain');
    expect(notice!.body.text).toContain('10.00 WITA');
    expect(notice!.body.text).toContain('https://antre.example.id/book/?office=kupang');
    expect(notice!.authentic).toBe(true);

    // 17:59: nothing due yet.
    clock = MON_1759;
    await giliran().notify.tick();
    expect(await giliran().notify.drained()).toBe(true);
    expect(w.requests).toHaveLength(1);

    // 18:00 the day before: A's reminder, not B's (cancelled) nor C's (blocked).
    clock = MON_1800;
    await giliran().notify.tick();
    const [, dayBefore] = await w.waitForRequests(2);
    expect(dayBefore!.body).toMatchObject({ id: bookingMessageId('kupang', a, 'day-before'), to: '+6281234567890', kind: 'day-before' });
    expect(dayBefore!.body.text).toMatch(/^Pengingat: besok Selasa, 24 November 2026 pukul 08\.00 WITA, .*kode booking/);
    expect(dayBefore!.body.text).toContain(a);
    expect(dayBefore!.body.text).toContain('GRATIS');
    await giliran().notify.tick();
    expect(await giliran().notify.drained()).toBe(true);
    // The ended bookings' numbers are gone (the cancelled one and the blocked one, once told).
    const kept = await readFile(contacts, 'utf8');
    expect(kept).toContain('+6281234567890');
    expect(kept).not.toContain('81311112222');
    expect(kept).not.toContain('81555556666');

    // A restart in the evening sends nothing again.
    await stop();
    clock = MON_1800 + 5 * 60_000;
    await start();
    await giliran().notify.tick();
    expect(await giliran().notify.drained()).toBe(true);
    expect(w.requests).toHaveLength(2);

    // Tuesday 06:59: nothing; 07:00 (an hour before 08:00): the hour-before one, once.
    clock = TUE_0659;
    await giliran().notify.tick();
    expect(await giliran().notify.drained()).toBe(true);
    expect(w.requests).toHaveLength(2);
    clock = TUE_0700;
    await giliran().notify.tick();
    const [, , hourBefore] = await w.waitForRequests(3);
    expect(hourBefore!.body).toMatchObject({ id: bookingMessageId('kupang', a, 'hour-before'), kind: 'hour-before' });
    expect(hourBefore!.body.text).toContain('hari ini pukul 08.00 WITA');
    // Marked sent before the restart (one still in flight at a crash goes again with the same id: docs/notify.md).
    expect(await giliran().notify.drained()).toBe(true);
    await stop();
    clock = TUE_0700 + 10 * 60_000;
    await start();
    await giliran().notify.tick();
    expect(await giliran().notify.drained()).toBe(true);
    expect(w.requests.map((r) => r.body.id)).toEqual([bookingMessageId('kupang', c, 'blocked'), bookingMessageId('kupang', a, 'day-before'), bookingMessageId('kupang', a, 'hour-before')]);

    // No journal (queue or outbox) and no log line holds a number.
    for (const { file, text } of await filesUnder(dataDir)) {
      if (file === contacts) continue;
      for (const d of DIGITS) expect(text, file).not.toContain(d);
    }
    for (const d of DIGITS) expect(lines.join('')).not.toContain(d);

    // After the booking's day: no file holds the number.
    clock = WED_0005;
    await giliran().notify.tick();
    for (const { file, text } of await filesUnder(dataDir)) for (const d of DIGITS) expect(text, file).not.toContain(d);
    await stop();
  }, 60_000);

  it('moves the number with a change of slot (the new code is reminded, the old one not), sends nothing once checked in, and keeps none without a phone channel', async () => {
    const w = await WebhookReceiver.start(SECRET);
    cleanups.push(() => w.close());
    let clock = MON_0900;
    const notify = { ...loadSettings({}).notify, webhookUrl: w.hookUrl, webhookSecret: SECRET, retryBaseMs: 20, retryMaxMs: 100, providerTimeoutMs: 2_000 };
    const s = await startServer({ now: () => new Date(clock), settings: { notify } });
    cleanups.push(() => s.close());
    await s.giliran.store.config.update((d) => {
      const o = d.offices.find((x) => x.id === 'kupang')!;
      o.services = o.services.map((x) => (x.id === 'ktp-el' ? { ...x, booking: { enabled: true, places: 3, serviceMinutes: 15 } } : x));
    });
    const clerk = await login(s.url, 'petugas1');
    const made = await request(s.url, 'POST', BOOKING_PATHS.staffCreate('kupang'), { body: { service: 'ktp-el', subcase: 'baru', slot: SLOT_A, nik: '5371010501900021', name: 'Warga Pindah', phone: { number: PHONES.a, consent: true } }, cookie: clerk });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const old = made.body.booking.code as string;
    const moved = await request(s.url, 'POST', BOOKING_PATHS.change('kupang', old), { body: { k: made.body.manageKey, slot: SLOT_B } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(201);
    const fresh = moved.body.booking.code as string;
    clock = MON_1800;
    await s.giliran.notify.tick();
    const [r] = await w.waitForRequests(1);
    expect(r!.body).toMatchObject({ id: bookingMessageId('kupang', fresh, 'day-before'), to: '+6281234567890' });
    expect(r!.body.text).toContain('09.00 WITA');
    await s.giliran.notify.tick();
    expect(await s.giliran.notify.drained()).toBe(true);
    expect(w.requests).toHaveLength(1);

    // Checked in at 08:35 before any sweep ran in the hour before: no hour-before reminder, and the number goes.
    clock = Date.parse('2026-11-24T00:35:00.000Z');
    const checked = await request(s.url, 'POST', BOOKING_PATHS.checkIn('kupang'), { body: { code: fresh }, cookie: clerk });
    expect(checked.status, JSON.stringify(checked.body)).toBe(201);
    await s.giliran.notify.tick();
    clock += 61_000;
    await s.giliran.notify.tick();
    expect(await s.giliran.notify.drained()).toBe(true);
    expect(w.requests).toHaveLength(1);
    for (const { file, text } of await filesUnder(s.dataDir)) expect(text, file).not.toContain('81234567890');

    // A server with no phone provider keeps no number at all.
    const bare = await startServer({ now: () => new Date(MON_0900) });
    cleanups.push(() => bare.close());
    await bare.giliran.store.config.update((d) => {
      const o = d.offices.find((x) => x.id === 'kupang')!;
      o.services = o.services.map((x) => (x.id === 'ktp-el' ? { ...x, booking: { enabled: true, places: 3, serviceMinutes: 15 } } : x));
    });
    const clerk2 = await login(bare.url, 'petugas1');
    const r2 = await request(bare.url, 'POST', BOOKING_PATHS.staffCreate('kupang'), { body: { service: 'ktp-el', subcase: 'baru', slot: SLOT_A, nik: '5371010501900022', name: 'Warga Tanpa', phone: { number: PHONES.b, consent: true } }, cookie: clerk2 });
    expect(r2.status).toBe(201);
    for (const { file, text } of await filesUnder(bare.dataDir)) expect(text, file).not.toContain('81311112222');
  }, 60_000);
});
