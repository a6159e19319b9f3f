// The reports API against a real server on 127.0.0.1 with a real data folder:
// a busy past day (3,000 tickets through the real domain, written as its
// journal) and today live; the figures against the day's own state; the
// aggregate kept and used; a standards change recomputing; roles and
// tenancy; bad periods; CSV, XLSX read back with exceljs, the printable page;
// no NIK or phone number anywhere.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOfficeView } from '../../protocol/admin.ts';
import type { Report, ReportTable } from '../../protocol/reports.ts';
import { kupang } from '../helpers/domain.ts';
import { busyReportDay, journalText } from '../helpers/report-day.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

const PAST = '2027-01-04'; // after the real date: session expiry is checked against the real clock
const TODAY = '2027-01-05';
const R = '/api/v1/offices/kupang/reports';
let clock = new Date(`${TODAY}T02:00:00.000Z`); // 10:00 in Kupang
let srv: TestServer;
let dataDir: string;
let admin: string;
let supervisor: string;
let clerk: string;
const sim = busyReportDay(kupang(), PAST, 3000);
const tickets = [...sim.state.tickets.values()];

const table = (r: Report, id: ReportTable['id']) => r.tables.find((t) => t.id === id)!;
const colOf = (t: ReportTable, key: string) => t.columns.findIndex((c) => c.key === key);
const summary = (r: Report, label: string) => table(r, 'summary').rows.find((row) => String(row[0]).startsWith(label))?.[1];

async function report(from = PAST, to = PAST, cookie = supervisor) {
  const r = await request<Report>(srv.url, 'GET', `${R}?from=${from}&to=${to}`, { cookie });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-reports-'));
  const days = path.join(dataDir, 'offices', 'kupang', 'days');
  await mkdir(days, { recursive: true });
  await writeFile(path.join(days, `${PAST}.jsonl`), journalText(sim.commits));
  srv = await startServer({ dataDir, now: () => clock, settings: { ticketsPerDevicePerMinute: 100_000 } });
  admin = await login(srv.url, 'admin');
  supervisor = await login(srv.url, 'supervisor');
  clerk = await login(srv.url, 'petugas1');
});
afterAll(async () => {
  await srv.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('reports API', () => {
  it("gives a busy past day's figures as its own state has them", async () => {
    const r = await report();
    expect(r).toMatchObject({ officeId: 'kupang', from: PAST, to: PAST, days: 1, live: false });
    expect(summary(r, 'Diterbitkan')).toBe(3000);
    expect(summary(r, 'Dilayani')).toBe(tickets.filter((t) => t.state === 'done').length);
    expect(summary(r, 'Tidak hadir')).toBe(tickets.filter((t) => t.state === 'no_show').length);
    expect(summary(r, 'Anjungan')).toBe(tickets.filter((t) => t.source === 'kiosk').length);
    expect(summary(r, 'Booking')).toBe(tickets.filter((t) => t.source === 'booking').length);
    // The longest wait of a ticket called straight from its first queue is a lower bound of the exact max.
    const direct = tickets.filter((t) => t.transfers === 0 && t.calledAt).map((t) => (Date.parse(t.calledAt!) - Date.parse(t.issuedAt)) / 60_000);
    expect(summary(r, 'Tunggu maks') as number).toBeGreaterThanOrEqual(Math.floor(Math.max(...direct) * 10) / 10);
    const services = table(r, 'services');
    const issuedCol = colOf(services, 'issued');
    expect(services.rows.reduce((n, row) => n + (row[issuedCol] as number), 0)).toBe(3000);
    const pre = table(r, 'precheck');
    expect(pre.rows[0]![colOf(pre, 'failed')]).toBe(Math.ceil(3000 / 17));
    expect(table(r, 'missing').rows[0]).toEqual(['Kartu Keluarga (KK)', 'Perekaman & Pencetakan KTP-el', 'Rusak', Math.ceil(3000 / 17)]);
    expect(table(r, 'staff').rows.map((row) => row[0])).toEqual(['Petugas 1', 'Petugas 2', 'Petugas 3', 'Petugas 4']);
    expect(r.charts.hours.length).toBeGreaterThan(5);
  });

  it('keeps the closed day as one aggregate file and reads it instead of the journal', async () => {
    const files = await readdir(path.join(dataDir, 'offices', 'kupang', 'reports'));
    expect(files).toEqual([`${PAST}.json`]);
  });

  it('recomputes when the waiting target changes, and lists every breach with its ticket number', async () => {
    const before = await report();
    const v = (await request<AdminOfficeView>(srv.url, 'GET', '/api/v1/admin/offices/kupang', { cookie: admin })).body;
    const put = await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/rules', { cookie: admin, body: { revision: v.revisions.rules.revision, value: { rules: v.office.rules, kiosk: v.office.kiosk, waitTargetMinutes: 5 } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const after = await report();
    const waitsOver5 = table(after, 'breaches').rows.filter((row) => String(row[4]).startsWith('Tunggu'));
    const waitsOver60 = table(before, 'breaches').rows.filter((row) => String(row[4]).startsWith('Tunggu'));
    expect(waitsOver5.length).toBeGreaterThan(waitsOver60.length);
    for (const row of waitsOver5) {
      expect(row[2]).toMatch(/^[A-Z]\d{3,4}$/);
      expect(row[5] as number).toBeGreaterThanOrEqual(5); // minutes to one decimal: 5.03 shows as 5
    }
    // A bad target changes nothing.
    const bad = await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/rules', { cookie: admin, body: { revision: v.revisions.rules.revision + 1, value: { rules: v.office.rules, kiosk: v.office.kiosk, waitTargetMinutes: -3 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_body');
  });

  it('computes today live: each new ticket shows at once', async () => {
    const first = await report(TODAY, TODAY);
    expect(first.live).toBe(true);
    expect(summary(first, 'Diterbitkan')).toBe(0);
    for (let i = 0; i < 3; i++) expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, cookie: clerk })).status).toBe(201);
    expect(summary(await report(TODAY, TODAY), 'Diterbitkan')).toBe(3);
    const both = await report(PAST, TODAY);
    expect(both.days).toBe(2);
    expect(summary(both, 'Diterbitkan')).toBe(3003);
    // Today is never kept (it is still open).
    expect(await readdir(path.join(dataDir, 'offices', 'kupang', 'reports'))).toEqual([`${PAST}.json`]);
  });

  it('keeps the day report after a restart even without the journal (the aggregate is what a range reads)', async () => {
    const before = await report();
    await srv.close();
    await rm(path.join(dataDir, 'offices', 'kupang', 'days', `${PAST}.jsonl`));
    srv = await startServer({ dataDir, now: () => clock, settings: { ticketsPerDevicePerMinute: 100_000 } });
    admin = await login(srv.url, 'admin');
    supervisor = await login(srv.url, 'supervisor');
    clerk = await login(srv.url, 'petugas1');
    const after = await report();
    expect(after.tables).toEqual(before.tables);
  });

  it('lets supervisors and admins of the office in, and no one else', async () => {
    // Without a session (from this machine the request counts as a screen of the office): refused.
    expect([401, 403]).toContain((await request(srv.url, 'GET', `${R}?from=${PAST}&to=${PAST}`)).status);
    const c = await request(srv.url, 'GET', `${R}?from=${PAST}&to=${PAST}`, { cookie: clerk });
    expect(c.status).toBe(403);
    expect(c.body.error.code).toBe('forbidden');
    const other = await request(srv.url, 'GET', `/api/v1/offices/padang-panjang/reports?from=${PAST}&to=${PAST}`, { cookie: supervisor });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('office_not_found');
    expect((await request(srv.url, 'GET', `${R}/export.xlsx?from=${PAST}&to=${PAST}`, { cookie: clerk })).status).toBe(403);
    expect((await request(srv.url, 'GET', `${R}/print?from=${PAST}&to=${PAST}`, { cookie: clerk })).status).toBe(403);
    expect((await request(srv.url, 'GET', `/api/v1/offices/padang-panjang/reports?from=${PAST}&to=${PAST}`, { cookie: admin })).status).toBe(200);
  });

  it('refuses a bad period with a clear error in both languages', async () => {
    for (const q of ['from=2027-01-05&to=2027-01-04', 'from=2025-12-01&to=2027-01-04', 'from=yesterday&to=2026-11-23', 'to=2026-11-23', 'from=2026-02-30&to=2026-03-01']) {
      const r = await request(srv.url, 'GET', `${R}?${q}`, { cookie: supervisor });
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
      expect(r.body.error.message.id).toBeTruthy();
      expect(r.body.error.message.en).toBeTruthy();
    }
    const t = await request(srv.url, 'GET', `${R}/export.csv?from=${PAST}&to=${PAST}&table=passwords`, { cookie: supervisor });
    expect(t.status).toBe(400);
  });

  it('exports a table as CSV with its header, and every table as XLSX that reads back with the same figures', async () => {
    const r = await report();
    const csv = await fetch(`${srv.url}${R}/export.csv?from=${PAST}&to=${PAST}&table=services`, { headers: { cookie: supervisor } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(`laporan-kupang-${PAST}_${PAST}-services.csv`);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^Layanan,Diterbitkan,Dilayani,/);
    expect(lines).toHaveLength(table(r, 'services').rows.length + 1);

    const x = await fetch(`${srv.url}${R}/export.xlsx?from=${PAST}&to=${PAST}&lang=en`, { headers: { cookie: supervisor } });
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await x.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toContain('Per service');
    const ws = wb.getWorksheet('Per service')!;
    expect(ws.getRow(3).getCell(1).value).toBe('Service');
    expect(ws.getRow(3).getCell(3).value).toBe('Served');
    const services = table(r, 'services');
    services.rows.forEach((row, i) => {
      expect(ws.getRow(4 + i).getCell(1).value).toBe(row[0]);
      expect(ws.getRow(4 + i).getCell(3).value).toBe(row[colOf(services, 'served')]);
      expect(ws.getRow(4 + i).getCell(colOf(services, 'waitP90') + 1).value).toBe(row[colOf(services, 'waitP90')]);
    });
    const sum = wb.getWorksheet('Summary')!;
    const issuedRow = sum.getRows(4, 40)!.find((row) => String(row.getCell(1).value).startsWith('Diterbitkan'))!;
    expect(issuedRow.getCell(2).value).toBe(3000);
  });

  it('prints an A4 page with the office name, every table and a print button allowed by its own policy', async () => {
    const res = await fetch(`${srv.url}${R}/print?from=${PAST}&to=${PAST}`, { headers: { cookie: supervisor } });
    expect(res.status).toBe(200);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain('@page { size: A4');
    expect(html).toContain(kupang().name.id);
    expect(html).toContain('Standar pelayanan');
    expect(html).toContain('window.print()');
  });

  it('never shows a NIK or a phone number', async () => {
    const texts = [
      JSON.stringify(await report(PAST, TODAY)),
      await (await fetch(`${srv.url}${R}/print?from=${PAST}&to=${TODAY}`, { headers: { cookie: supervisor } })).text(),
      ...(await Promise.all(['breaches', 'staff', 'precheck'].map(async (t) => (await fetch(`${srv.url}${R}/export.csv?from=${PAST}&to=${TODAY}&table=${t}`, { headers: { cookie: supervisor } })).text()))),
    ];
    for (const t of texts) {
      expect(t).not.toMatch(/\b\d{16}\b/);
      expect(t).not.toMatch(/\+62\d{8,}/);
      expect(t).not.toMatch(/\b08\d{8,}\b/);
    }
  });

  it('rolls a closed month up into one kept aggregate with the same figures as its days', async () => {
    const byDays = await report('2027-01-01', '2027-01-31');
    expect(summary(byDays, 'Diterbitkan')).toBe(3003);
    clock = new Date('2027-02-10T02:00:00.000Z'); // January has closed
    supervisor = await login(srv.url, 'supervisor');
    const rolled = await report('2027-01-01', '2027-01-31');
    expect(await readdir(path.join(dataDir, 'offices', 'kupang', 'reports'))).toContain('2027-01.json');
    expect(rolled.tables).toEqual(byDays.tables);
    expect(rolled.breachesTotal).toBe(byDays.breachesTotal);
    expect(rolled.live).toBe(false);
  });

  it('keeps the aggregate of a day when the office day rolls over at midnight', async () => {
    clerk = await login(srv.url, 'petugas1');
    expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, cookie: clerk })).status).toBe(201);
    expect(await readdir(path.join(dataDir, 'offices', 'kupang', 'reports'))).not.toContain('2027-02-10.json');
    clock = new Date('2027-02-11T00:30:00.000Z'); // 08:30 the next morning in Kupang
    clerk = await login(srv.url, 'petugas1');
    expect((await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, cookie: clerk })).status).toBe(201);
    const file = path.join(dataDir, 'offices', 'kupang', 'reports', '2027-02-10.json');
    await expect.poll(async () => (await readdir(path.dirname(file))).includes('2027-02-10.json'), { timeout: 10_000 }).toBe(true);
    const kept = JSON.parse(await readFile(file, 'utf8'));
    expect(kept).toMatchObject({ officeDay: '2027-02-10', closed: true, total: { issued: 1 } });
  });
});
