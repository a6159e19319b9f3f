// The kiosk's own endpoints: availability per service (closed by staff, full,
// opening hours in the office zone), server-drawn QR codes, kiosk settings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfficeAvailability } from '../../server/domain/availability.ts';
import { QR_MAX_BYTES } from '../../server/http/kiosk.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: string;

beforeAll(async () => {
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000 } });
  admin = await login(srv.url, 'admin');
});
afterAll(async () => srv?.close());

const availability = (office = 'kupang') => request<OfficeAvailability>(srv.url, 'GET', `/api/v1/offices/${office}/availability`);

describe('GET /api/v1/offices/{office}/availability', () => {
  it('is public and offers every service of the demo office (hours not enforced)', async () => {
    const res = await availability();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.officeId).toBe('kupang');
    expect(res.body.hours.enforced).toBe(false);
    expect(res.body.services.map((s) => s.serviceId)).toEqual(['ktp-el', 'kk', 'akta', 'kia', 'pindah-datang', 'perubahan-data', 'informasi']);
    expect(res.body.services.every((s) => s.available && s.remainingToday === null)).toBe(true);
  });

  it('says a service closed by staff is closed today, with the note and the next open day, until it is reopened', async () => {
    expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/services/akta/close', { cookie: admin, body: { reason: 'Sistem SIAK gangguan' } })).status).toBe(200);
    const akta = (await availability()).body.services.find((s) => s.serviceId === 'akta')!;
    expect(akta).toMatchObject({ available: false, closedToday: true, reason: 'closed_by_staff', staffNote: 'Sistem SIAK gangguan' });
    expect(akta.next?.time).toBe('08:00');
    expect(akta.message?.id).toMatch(/^Layanan ini ditutup untuk hari ini\. Buka lagi /);
    expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/services/akta/reopen', { cookie: admin, body: {} })).status).toBe(200);
    expect((await availability()).body.services.find((s) => s.serviceId === 'akta')?.available).toBe(true);
  });

  it('counts the walk-in quota down and says "full" when it is used up, agreeing with the issue command', async () => {
    await srv.giliran.store.config.update((d) => {
      d.offices.find((o) => o.id === 'kupang')!.services.find((s) => s.id === 'kia')!.quota.walkIn = 2;
    });
    expect((await availability()).body.services.find((s) => s.serviceId === 'kia')?.remainingToday).toBe(2);
    for (let i = 0; i < 2; i++) expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kia' } })).status).toBe(201);
    const kia = (await availability()).body.services.find((s) => s.serviceId === 'kia')!;
    expect(kia).toMatchObject({ available: false, fullToday: true, remainingToday: 0, reason: 'quota_full' });
    const refused = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kia' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('quota_full');
  });

  it('answers 404 office_not_found for an unknown office', async () => {
    const res = await request(srv.url, 'GET', '/api/v1/offices/atlantis/availability');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('office_not_found');
  });
});

describe('availability with opening hours enforced, on the server clock', () => {
  let clocked: TestServer;
  let now = new Date('2026-11-28T02:00:00Z'); // Saturday 10:00 WITA
  beforeAll(async () => {
    clocked = await startServer({ now: () => now });
    await clocked.giliran.store.config.update((d) => {
      d.offices.find((o) => o.id === 'kupang')!.rules.enforceHours = true;
    });
  });
  afterAll(async () => clocked?.close());

  it('closed on Saturday, open again on Monday 08:00 WITA; open on Monday morning', async () => {
    let res = await request<OfficeAvailability>(clocked.url, 'GET', '/api/v1/offices/kupang/availability');
    expect(res.body.officeDay).toBe('2026-11-28');
    expect(res.body.hours).toMatchObject({ state: 'closed_today', openNow: false, enforced: true });
    expect(res.body.hours.next).toMatchObject({ date: '2026-11-30', time: '08:00', at: '2026-11-30T00:00:00.000Z' });
    expect(res.body.services.every((s) => !s.available && s.reason === 'office_closed_today')).toBe(true);
    const refused = await request(clocked.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'informasi' } });
    expect(refused.body.error.code).toBe('office_closed');

    now = new Date('2026-11-30T01:30:00Z'); // Monday 09:30 WITA
    res = await request<OfficeAvailability>(clocked.url, 'GET', '/api/v1/offices/kupang/availability');
    expect(res.body.hours.state).toBe('open');
    expect(res.body.services.every((s) => s.available)).toBe(true);
  });
});

describe('GET /api/v1/qr.svg', () => {
  it('draws the text as an SVG QR code, cacheable', async () => {
    const res = await fetch(`${srv.url}/api/v1/qr.svg?data=${encodeURIComponent('http://192.168.1.10:3000/t/kupang/2026-11-23/A001')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toContain('max-age=');
    const svg = await res.text();
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).toContain('<path');
  });

  it('takes a "what to bring" list with Indonesian text, and refuses empty, repeated or too long data', async () => {
    const list = 'Yang perlu dibawa untuk KIA — Anak usia 5 sampai di bawah 17 tahun:\n- Dua lembar pas foto berwarna ukuran 2×3 cm\n- KK orang tua';
    expect((await fetch(`${srv.url}/api/v1/qr.svg?data=${encodeURIComponent(list)}`)).status).toBe(200);
    for (const query of ['', '?data=', '?data=a&data=b', `?data=${'x'.repeat(QR_MAX_BYTES + 1)}`, `?data=${encodeURIComponent('é'.repeat(QR_MAX_BYTES / 2 + 1))}`]) {
      const res = await request(srv.url, 'GET', `/api/v1/qr.svg${query}`);
      expect(res.status, query.slice(0, 20)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
  });
});

describe('GET /api/v1/kiosk/config', () => {
  it('gives null when no public address is set', async () => {
    const res = await request(srv.url, 'GET', '/api/v1/kiosk/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ publicUrl: null });
  });

  it('gives the configured public address for tracking QR codes', async () => {
    const other = await startServer({ settings: { publicUrl: 'http://192.168.1.10:3000' } });
    try {
      expect((await request(other.url, 'GET', '/api/v1/kiosk/config')).body).toEqual({ publicUrl: 'http://192.168.1.10:3000' });
    } finally {
      await other.close();
    }
  });
});
