// The admin configuration API against a real server on 127.0.0.1 with a real
// data folder: saves, refusals that change nothing on disk, stale revisions,
// racing saves, in-use services and counters, the audit trail with secrets
// masked, the live `office` event, and revisions across a restart.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOfficeView, Section } from '../../protocol/admin.ts';
import type { PublicOffice } from '../../protocol/model.ts';
import { connect, emitAck, login, okData, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const OFFICE = '/api/v1/offices/kupang';
const ADMIN = '/api/v1/admin/offices/kupang';

let srv: TestServer;
let admin: string;
let clerk: string;

async function view(): Promise<AdminOfficeView> {
  const r = await request<AdminOfficeView>(srv.url, 'GET', ADMIN, { cookie: admin });
  expect(r.status).toBe(200);
  return r.body;
}

function put(section: Section, revision: number, value: unknown, cookie = admin) {
  return request(srv.url, 'PUT', `${ADMIN}/sections/${section}`, { body: { revision, value }, cookie });
}

const configBytes = () => readFile(path.join(srv.dataDir, 'config.json'));
const configOnDisk = async () => JSON.parse((await configBytes()).toString('utf8'));

async function issue(service: string) {
  const r = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service }, cookie: clerk });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.ticket;
}

beforeAll(async () => {
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 100_000 } });
  admin = await login(srv.url, 'admin');
  clerk = await login(srv.url, 'petugas1');
});
afterAll(() => srv.close());

describe('admin configuration API', () => {
  it('shows an office with every section at revision 0, secrets masked, and the caller\'s permissions', async () => {
    const v = await view();
    expect(v.office.id).toBe('kupang');
    expect(v.office.notify).toEqual({ webhook: { url: null, secret: { set: false } }, whatsapp: { apiUrl: null, token: { set: false }, sender: null } });
    for (const s of ['profile', 'hours', 'services', 'counters', 'displays', 'rules', 'notify'] as const) expect(v.revisions[s]).toEqual({ revision: 0, at: null, by: null });
    expect(v.permissions.every((p) => p.read && p.write)).toBe(true);
    const list = await request(srv.url, 'GET', '/api/v1/admin/offices', { cookie: admin });
    expect(list.body.offices.map((o: { id: string }) => o.id)).toEqual(['kupang', 'padang-panjang']);
  });

  it('saves every section: the answer, the file and the revision agree', async () => {
    const v = await view();
    const o = v.office;
    const values: Record<Section, unknown> = {
      profile: { name: o.name, shortName: 'Dukcapil Kupang', timeZone: o.timeZone, complaintChannel: o.complaintChannel, marquee: { id: 'Selamat datang', en: 'Welcome' }, whatsapp: '+6281234567890' },
      hours: { hours: { ...o.hours, sat: [['08:00', '12:00']] }, closedDays: [{ date: '2026-12-25', name: { id: 'Hari Raya Natal', en: 'Christmas Day' } }] },
      services: { services: o.services.map((s) => (s.id === 'informasi' ? { ...s, quota: { walkIn: 80, online: 10 } } : s)) },
      counters: { counters: o.counters.map((c) => (c.id === '4' ? { ...c, name: 'Meja Informasi', word: 'meja', autoCallNext: true } : c)) },
      displays: { displays: o.displays.map((d, i) => (i === 0 ? { ...d, historySize: 6 } : d)) },
      rules: { rules: { ...o.rules, noShowAfterRecalls: 3 }, kiosk: { idleSeconds: 45 } },
      notify: { notify: { webhook: { url: 'https://hooks.example.id/giliran', secret: 'webhook-rahasia-1' }, whatsapp: { apiUrl: 'https://wa.example.id/api', token: 'wa-token-rahasia', sender: '+6281100000001' } } },
    };
    for (const section of Object.keys(values) as Section[]) {
      const r = await put(section, 0, values[section]);
      expect(r.status, `${section}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.revisions[section]).toMatchObject({ revision: 1, by: 'admin' });
    }
    const disk = await configOnDisk();
    const k = disk.offices.find((x: { id: string }) => x.id === 'kupang');
    expect(k.shortName).toBe('Dukcapil Kupang');
    expect(k.whatsapp).toBe('+6281234567890');
    expect(k.hours.sat).toEqual([['08:00', '12:00']]);
    expect(k.closedDays).toHaveLength(1);
    expect(k.services.find((s: { id: string }) => s.id === 'informasi').quota).toEqual({ walkIn: 80, online: 10 });
    expect(k.counters.find((c: { id: string }) => c.id === '4')).toMatchObject({ name: 'Meja Informasi', word: 'meja', autoCallNext: true });
    expect(k.displays[0].historySize).toBe(6);
    expect(k.rules.noShowAfterRecalls).toBe(3);
    expect(k.kiosk.idleSeconds).toBe(45);
    expect(k.notify.webhook.secret).toBe('webhook-rahasia-1');
    expect(disk.revisions.kupang.notify.revision).toBe(1);
    // A secret is write-only.
    const after = await view();
    expect(after.office.notify.webhook).toEqual({ url: 'https://hooks.example.id/giliran', secret: { set: true } });
    expect(JSON.stringify(after)).not.toContain('rahasia');
  });

  it('keeps a secret when a save leaves it out or sends back what GET showed, and removes it on null', async () => {
    const v = await view();
    const rev = v.revisions.notify.revision;
    const n = v.office.notify;
    let r = await put('notify', rev, { notify: { webhook: { url: 'https://hooks.example.id/v2', secret: n.webhook.secret }, whatsapp: { apiUrl: n.whatsapp.apiUrl, sender: n.whatsapp.sender } } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    let k = (await configOnDisk()).offices[0];
    expect(k.notify).toEqual({ webhook: { url: 'https://hooks.example.id/v2', secret: 'webhook-rahasia-1' }, whatsapp: { apiUrl: 'https://wa.example.id/api', token: 'wa-token-rahasia', sender: '+6281100000001' } });
    r = await put('notify', rev + 1, { notify: { webhook: { url: null, secret: null }, whatsapp: { apiUrl: n.whatsapp.apiUrl, token: { set: true }, sender: n.whatsapp.sender } } });
    expect(r.status).toBe(200);
    k = (await configOnDisk()).offices[0];
    expect(k.notify.webhook).toEqual({ url: null, secret: null });
    expect(k.notify.whatsapp.token).toBe('wa-token-rahasia');
    expect(r.body.office.notify.webhook.secret).toEqual({ set: false });
  });

  it('refuses an invalid field in every section with its path in both languages, and changes nothing on disk', async () => {
    const v = await view();
    const o = v.office;
    const bad: Array<[Section, unknown, Array<string | number>]> = [
      ['profile', { name: o.name, shortName: '', timeZone: o.timeZone, complaintChannel: o.complaintChannel, marquee: o.marquee, whatsapp: '0812345' }, ['value', 'shortName']],
      ['profile', { name: o.name, shortName: 'X', timeZone: 'Asia/Atlantis', complaintChannel: o.complaintChannel, marquee: o.marquee, whatsapp: null }, ['value', 'timeZone']],
      ['hours', { hours: { mon: [['15:00', '08:00']] }, closedDays: [] }, ['value', 'hours', 'mon', 0]],
      ['hours', { hours: o.hours, closedDays: [{ date: '2026-02-30', name: { id: 'x', en: 'x' } }] }, ['value', 'closedDays', 0, 'date']],
      ['services', { services: o.services.map((s, i) => (i === 2 ? { ...s, prefix: 'A' } : s)) }, ['value', 'services', 2, 'prefix']],
      ['services', { services: o.services.map((s, i) => (i === 1 ? { ...s, prefix: 'bb' } : s)) }, ['value', 'services', 1, 'prefix']],
      ['counters', { counters: [...o.counters, { id: '9', name: 'Loket 9', word: 'loket', services: ['tidak-ada'] }] }, ['value', 'counters', 4, 'services', 0]],
      ['displays', { displays: o.displays.map((d, i) => (i === 0 ? { ...d, layout: 'diagonal' } : d)) }, ['value', 'displays', 0, 'layout']],
      ['rules', { rules: { ...o.rules, priorityPerRegular: -1 }, kiosk: o.kiosk }, ['value', 'rules', 'priorityPerRegular']],
      ['notify', { notify: { webhook: { url: 'ftp://x', secret: null }, whatsapp: { apiUrl: null, token: null, sender: null } } }, ['value', 'notify', 'webhook', 'url']],
    ];
    for (const [section, value, where] of bad) {
      const before = await configBytes();
      const r = await put(section, v.revisions[section].revision, value);
      expect(r.status, `${section} ${JSON.stringify(where)}`).toBe(400);
      expect(r.body.error.code).toBe('invalid_body');
      const field = r.body.error.fields.find((f: { path: unknown[] }) => JSON.stringify(f.path) === JSON.stringify(where));
      expect(field, `${section}: ${JSON.stringify(r.body.error.fields)}`).toBeDefined();
      expect(field.message.id.length).toBeGreaterThan(3);
      expect(field.message.en.length).toBeGreaterThan(3);
      expect(field.message.id).not.toBe(field.message.en);
      expect((await configBytes()).equals(before)).toBe(true);
    }
    const body = await request(srv.url, 'PUT', `${ADMIN}/sections/rules`, { body: { value: {} }, cookie: admin });
    expect(body.status).toBe(400);
    expect(body.body.error.fields.map((f: { path: unknown[] }) => f.path.join('.'))).toContain('revision');
  });

  it('carries checklists (alternatives, conditions) through the services section, with their own cross-field rules', async () => {
    const v = await view();
    const withAlternatives = v.office.services.find((s) => s.subcases.some((c) => c.requirements.some((r) => (r.alternatives ?? []).length > 0)))!;
    expect(withAlternatives).toBeDefined();
    // Saved unchanged: the requirement shape round-trips.
    const same = await put('services', v.revisions.services.revision, { services: v.office.services });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.office.services).toEqual(v.office.services);
    // An alternative with its item's id: refused at its path, in both languages.
    const si = v.office.services.indexOf(withAlternatives);
    const ci = withAlternatives.subcases.findIndex((c) => c.requirements.some((r) => (r.alternatives ?? []).length > 0));
    const ri = withAlternatives.subcases[ci]!.requirements.findIndex((r) => (r.alternatives ?? []).length > 0);
    const services = structuredClone(v.office.services);
    const item = services[si]!.subcases[ci]!.requirements[ri]!;
    item.alternatives![0]!.id = item.id;
    const before = await configBytes();
    const bad = await put('services', same.body.revisions.services.revision, { services });
    expect(bad.status).toBe(400);
    const field = bad.body.error.fields.find((f: { path: unknown[] }) => JSON.stringify(f.path) === JSON.stringify(['value', 'services', si, 'subcases', ci, 'requirements', ri, 'alternatives', 0, 'id']));
    expect(field?.message.id).toMatch(/dipakai dua kali/);
    expect(field?.message.en).toMatch(/used twice/);
    expect((await configBytes()).equals(before)).toBe(true);
  });

  it('refuses a save from an old revision with the value saved now, and saves nothing', async () => {
    const v = await view();
    const rev = v.revisions.profile.revision;
    const value = { ...v.office, marquee: { id: 'Versi A', en: 'Version A' } };
    const pick = ({ name, shortName, timeZone, complaintChannel, marquee, whatsapp }: typeof value) => ({ name, shortName, timeZone, complaintChannel, marquee, whatsapp });
    expect((await put('profile', rev, pick(value))).status).toBe(200);
    const before = await configBytes();
    const stale = await put('profile', rev, pick({ ...value, marquee: { id: 'Versi B', en: 'Version B' } }));
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_revision');
    expect(stale.body.error.message.id).toMatch(/diubah/);
    expect(stale.body.current).toMatchObject({ revision: rev + 1, by: 'admin', value: { marquee: { id: 'Versi A', en: 'Version A' } } });
    expect((await configBytes()).equals(before)).toBe(true);
  });

  it('lets exactly one of eight racing saves of one section win', async () => {
    const v = await view();
    const rev = v.revisions.counters.revision;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => put('counters', rev, { counters: v.office.counters.map((c) => (c.id === '1' ? { ...c, name: `Loket Satu ${i}` } : c)) })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(7);
    const winner = answers.findIndex((a) => a.status === 200);
    const disk = await configOnDisk();
    expect(disk.offices[0].counters[0].name).toBe(`Loket Satu ${winner}`);
    expect(disk.revisions.kupang.counters.revision).toBe(rev + 1);
  });

  it('refuses to delete a service with tickets today (naming it) but lets it be made inactive', async () => {
    await issue('kia');
    const v = await view();
    const rev = v.revisions.services.revision;
    const without = v.office.services.filter((s) => s.id !== 'kia');
    const counters = v.office.counters.map((c) => ({ ...c, services: c.services.filter((s) => s !== 'kia') }));
    // Counters first (so only the service is in the way), then the service.
    expect((await put('counters', v.revisions.counters.revision, { counters })).status).toBe(200);
    const before = await configBytes();
    const r = await put('services', rev, { services: without });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('service_in_use');
    expect(r.body.error.message.id).toContain('Kartu Identitas Anak');
    expect(r.body.error.message.en).toMatch(/\(D\)/);
    expect((await configBytes()).equals(before)).toBe(true);
    const inactive = await put('services', rev, { services: v.office.services.map((s) => (s.id === 'kia' ? { ...s, active: false } : s)) });
    expect(inactive.status).toBe(200);
    const avail = await request(srv.url, 'GET', `${OFFICE}/availability`);
    expect(avail.body.services.find((s: { serviceId: string }) => s.serviceId === 'kia')).toMatchObject({ available: false, reason: 'inactive' });
  });

  it('refuses to delete a counter holding a ticket', async () => {
    await issue('informasi');
    const call = await request(srv.url, 'POST', `${OFFICE}/counters/4/call-next`, { body: {}, cookie: clerk });
    expect(call.status, JSON.stringify(call.body)).toBe(200);
    const v = await view();
    const r = await put('counters', v.revisions.counters.revision, { counters: v.office.counters.filter((c) => c.id !== '4') });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('counter_in_use');
    expect(r.body.error.message.id).toContain('Meja Informasi');
    const done = await request(srv.url, 'POST', `${OFFICE}/counters/4/finish`, { body: {}, cookie: clerk });
    expect(done.status).toBe(200);
  });

  it('audits each save with before and after, secrets masked', async () => {
    const files = await readdir(path.join(srv.dataDir, 'audit'));
    const text = (await Promise.all(files.map((f) => readFile(path.join(srv.dataDir, 'audit', f), 'utf8')))).join('');
    expect(text).not.toContain('rahasia');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const notify = lines.filter((l) => l.action === 'config.notify');
    expect(notify.length).toBeGreaterThanOrEqual(3);
    expect(notify[0]).toMatchObject({ actor: { kind: 'user', id: 'admin' }, officeId: 'kupang', detail: { revision: 1, before: { notify: { webhook: { secret: { set: false } } } }, after: { notify: { webhook: { secret: { set: true } } } } } });
    const counters = lines.find((l) => l.action === 'config.counters');
    expect(counters.detail.before.counters.find((c: { id: string }) => c.id === '4').name).toBe('Loket 4');
    expect(counters.detail.after.counters.find((c: { id: string }) => c.id === '4').name).toBe('Meja Informasi');
  });

  it('tells display and kiosk sockets the new office within 2 s of a save', async () => {
    const display = connect(srv.url, 'display');
    const kiosk = connect(srv.url, 'kiosk');
    try {
      await Promise.all([waitFor(display, 'snapshot'), waitFor(kiosk, 'snapshot')]);
      const v = await view();
      const onDisplay = waitFor<[PublicOffice, number]>(display, 'office', 2000);
      const onKiosk = waitFor<[PublicOffice, number]>(kiosk, 'office', 2000);
      const kioskSnap = new Promise<any>((resolve) => kiosk.on('snapshot', (s) => s.services.some((x: { serviceId: string }) => x.serviceId === 'surat-pindah') && resolve(s)));
      const service = { ...v.office.services[0]!, id: 'surat-pindah', prefix: 'H', name: { id: 'Surat Keterangan', en: 'Certificates' } };
      const t0 = Date.now();
      const r = await put('services', v.revisions.services.revision, { services: [...v.office.services, service] });
      expect(r.status).toBe(200);
      const [[office, revision], [kOffice]] = await Promise.all([onDisplay, onKiosk]);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(office.services.map((s) => s.id)).toContain('surat-pindah');
      expect(kOffice.services.at(-1)?.prefix).toBe('H');
      expect(revision).toBeGreaterThan(0);
      expect(JSON.stringify(office)).not.toContain('notify');
      // The fresh snapshot carries the new service's figures.
      await kioskSnap;
    } finally {
      display.close();
      kiosk.close();
    }
  });

  it('keeps a busy queue whole through changes of services, counters and hours: 30 waiting, all callable', async () => {
    const issued: string[] = [];
    for (let i = 0; i < 30; i++) issued.push((await issue(['ktp-el', 'kk', 'akta', 'informasi'][i % 4]!)).id);
    let v = await view();
    // A new service, counter 1 now serving KK too, counter 3 renamed, Saturday hours.
    const services = [...v.office.services, { ...v.office.services[0]!, id: 'legalisir', prefix: 'J', name: { id: 'Legalisir', en: 'Legalisation' } }];
    expect((await put('services', v.revisions.services.revision, { services })).status).toBe(200);
    v = await view();
    const counters = v.office.counters.map((c) => (c.id === '1' ? { ...c, services: ['kk', 'ktp-el', 'legalisir'] } : c.id === '3' ? { ...c, name: 'Loket Akta' } : c));
    expect((await put('counters', v.revisions.counters.revision, { counters })).status).toBe(200);
    expect((await put('hours', v.revisions.hours.revision, { hours: { ...v.office.hours, sat: [['08:00', '11:00']] }, closedDays: v.office.closedDays })).status).toBe(200);
    // Counter 1 (touched today? it is now) serves KK first at once.
    const snap = await request(srv.url, 'GET', `${OFFICE}/queue`, { cookie: clerk });
    expect(snap.status).toBe(200);
    const waiting = snap.body.tickets.filter((t: { state: string }) => t.state === 'waiting').map((t: { id: string }) => t.id);
    for (const id of issued) expect(waiting).toContain(id);
    const first = await request(srv.url, 'POST', `${OFFICE}/counters/1/call-next`, { body: {}, cookie: clerk });
    expect(first.status).toBe(200);
    expect(first.body.ticket.serviceId).toBe('kk');
    await request(srv.url, 'POST', `${OFFICE}/counters/1/finish`, { body: {}, cookie: clerk });
    // Every ticket can still be called (counter 4 serves every old service; its automatic call, saved earlier, off for the count).
    const all4 = v.office.counters.find((c) => c.id === '4')!.services;
    expect((await request(srv.url, 'PUT', `${OFFICE}/counters/4/settings`, { body: { services: all4, autoCallNext: false }, cookie: clerk })).status).toBe(200);
    const called = new Set<string>([first.body.ticket.id]);
    for (let i = 0; i < waiting.length; i++) {
      const c = await request(srv.url, 'POST', `${OFFICE}/counters/4/call-next`, { body: {}, cookie: clerk });
      if (c.status === 409 && c.body.error.code === 'queue_empty') break; // what is left is for a service counter 4 no longer serves
      expect(c.status, JSON.stringify(c.body)).toBe(200);
      called.add(c.body.ticket.id);
      expect((await request(srv.url, 'POST', `${OFFICE}/counters/4/finish`, { body: {}, cookie: clerk })).status).toBe(200);
    }
    for (const id of issued) expect(called).toContain(id);
  });

  it('refuses kiosk tickets on a closed day when hours are enforced, and the kiosk hears "closed today" with its name', async () => {
    let v = await view();
    const today = (await request(srv.url, 'GET', `${OFFICE}/availability`)).body.officeDay as string;
    expect((await put('rules', v.revisions.rules.revision, { rules: { ...v.office.rules, enforceHours: true }, kiosk: v.office.kiosk })).status).toBe(200);
    v = await view();
    const allWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '23:59']]]));
    expect((await put('hours', v.revisions.hours.revision, { hours: allWeek, closedDays: [{ date: today, name: { id: 'Cuti Bersama', en: 'Collective Leave' } }] })).status).toBe(200);
    const avail = await request(srv.url, 'GET', `${OFFICE}/availability`);
    expect(avail.body.hours.state).toBe('closed_today');
    expect(avail.body.services[0].message.id).toContain('Cuti Bersama');
    const kiosk = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' } });
    expect(kiosk.status).toBe(409);
    expect(kiosk.body.error.code).toBe('office_closed');
    v = await view();
    expect((await put('hours', v.revisions.hours.revision, { hours: allWeek, closedDays: [] })).status).toBe(200);
    expect((await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' } })).status).toBe(201);
    v = await view();
    expect((await put('rules', v.revisions.rules.revision, { rules: { ...v.office.rules, enforceHours: false }, kiosk: v.office.kiosk })).status).toBe(200);
  });

  it('browses the audit log page by page, and as CSV with formulas defused', async () => {
    // A marquee starting with "=" must not become a spreadsheet formula.
    const v = await view();
    const o = v.office;
    const evil = { name: o.name, shortName: o.shortName, timeZone: o.timeZone, complaintChannel: o.complaintChannel, marquee: { id: '=HYPERLINK("http://x")', en: '+1 "quoted", text' }, whatsapp: o.whatsapp };
    expect((await put('profile', v.revisions.profile.revision, evil)).status).toBe(200);
    const page1 = await request(srv.url, 'GET', `${ADMIN}/audit?kind=config.&limit=5`, { cookie: admin });
    expect(page1.status).toBe(200);
    expect(page1.body.entries).toHaveLength(5);
    expect(page1.body.entries[0]).toMatchObject({ action: 'config.profile', officeId: 'kupang', summary: expect.stringContaining('saved profile') });
    expect(page1.body.next).toEqual(expect.any(String));
    const page2 = await request(srv.url, 'GET', `${ADMIN}/audit?kind=config.&limit=5&cursor=${encodeURIComponent(page1.body.next)}`, { cookie: admin });
    expect(page2.body.entries).toHaveLength(5);
    const ats = [...page1.body.entries, ...page2.body.entries].map((e: { at: string }) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    const all = await request(srv.url, 'GET', `${ADMIN}/audit?kind=config.&limit=1000`, { cookie: admin });
    expect(new Set(all.body.entries.map((e: { at: string; action: string }) => JSON.stringify(e))).size).toBe(all.body.entries.length);
    const byActor = await request(srv.url, 'GET', `${ADMIN}/audit?actor=nobody`, { cookie: admin });
    expect(byActor.body.entries).toEqual([]);

    const res = await fetch(`${srv.url}${ADMIN}/audit?kind=config.profile&limit=1&format=csv`, { headers: { cookie: admin } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await res.text();
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('"at","actor","actor_name","action","office","summary","detail"');
    expect(row).toMatch(/^"20\d\d-/);
    // The detail JSON holds the marquee: quotes doubled; no field starts with a formula character.
    expect(row).toContain('""=HYPERLINK(\\""http://x\\"")""');
    for (const field of row!.match(/"(?:[^"]|"")*"/g) ?? []) expect(field).not.toMatch(/^"[=+\-@]/);
    const evilCsv = (await import('../../server/http/admin-config.ts')).csvField;
    expect(evilCsv('=1+1')).toBe(`"'=1+1"`);
    expect(evilCsv('-2')).toBe(`"'-2"`);
    expect(evilCsv('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(evilCsv('a "b"')).toBe('"a ""b"""');
  });

  it('keeps the revisions and the saved configuration across a restart', async () => {
    const before = await view();
    const dataDir = srv.dataDir;
    await srv.giliran.close();
    const again = await startServer({ dataDir });
    try {
      const cookie = await login(again.url, 'admin');
      const r = await request<AdminOfficeView>(again.url, 'GET', ADMIN, { cookie });
      expect(r.body.revisions).toEqual(before.revisions);
      expect(r.body.office).toEqual(before.office);
      const stale = await request(again.url, 'PUT', `${ADMIN}/sections/rules`, { body: { revision: 0, value: { rules: before.office.rules, kiosk: before.office.kiosk } }, cookie });
      expect(stale.status).toBe(409);
    } finally {
      await again.close();
    }
    // srv is closed: make afterAll's close harmless.
    srv = { ...srv, close: async () => undefined };
  });
});

describe('the live office event over a socket', () => {
  it('is typed and reaches a counter socket too', async () => {
    const s = await startServer();
    try {
      const cookie = await login(s.url, 'admin');
      const counter = connect(s.url, 'counter', 'kupang', { cookie });
      await waitFor(counter, 'snapshot');
      const got = waitFor<[PublicOffice, number]>(counter, 'office', 2000);
      const v = (await request<AdminOfficeView>(s.url, 'GET', ADMIN, { cookie })).body;
      const r = await request(s.url, 'PUT', `${ADMIN}/sections/counters`, { body: { revision: 0, value: { counters: v.office.counters.map((c) => (c.id === '2' ? { ...c, name: 'Loket KK' } : c)) } }, cookie });
      expect(r.status).toBe(200);
      const [office, revision] = await got;
      expect(office.counters.find((c) => c.id === '2')?.name).toBe('Loket KK');
      expect(revision).toBe(1);
      okData(await emitAck(counter, 'resync'));
      counter.close();
    } finally {
      await s.close();
    }
  });
});
