// The IKM survey and complaints over a real server: the phone answers with
// its holder key once its ticket is served; bad input is refused with a
// bilingual message and changes nothing; no screen ever sees an answer; the
// report's figures follow the answers (hundreds of them); complaints are
// filed, followed by code, answered, exported, their contacts swept.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDelta } from '../../protocol/model.ts';
import { holderKey } from '../../server/auth/holder-key.ts';
import { ikmOf } from '../../server/domain/ikm.ts';
import { issueWithKey } from '../helpers/phone.ts';
import { connect, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let dataDir: string;
let clerk: string;
let lead: string;
let admin: string;
let clock = Date.now(); // moved forward by the deadline and sweep tests
const O = '/api/v1/offices/kupang';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-survey-'));
  srv = await startServer({ dataDir, now: () => new Date(clock), settings: { ticketsPerDevicePerMinute: 1_000_000, surveysPerAddressPerMinute: 10_000, complaintsPerAddressPerMinute: 10_000 } });
  [clerk, lead, admin] = await Promise.all([login(srv.url, 'petugas1'), login(srv.url, 'supervisor'), login(srv.url, 'admin')]);
});
afterAll(async () => {
  await srv?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Issues a ticket, calls and finishes it at counter 1 (KTP-el); returns its tracking path and holder key. */
async function served(service = 'ktp-el', counter = '1') {
  const { ticket, key } = await issueWithKey(srv.url, service);
  const call = await request(srv.url, 'POST', `${O}/counters/${counter}/call`, { cookie: clerk, body: { ticket: ticket.number, reason: 'uji survei' } });
  expect(call.status, JSON.stringify(call.body)).toBe(200);
  const fin = await request(srv.url, 'POST', `${O}/counters/${counter}/finish`, { cookie: clerk, body: {} });
  expect(fin.status).toBe(200);
  return { ticket, key, track: `/api/v1/track/kupang/${ticket.officeDay}/${ticket.number}` };
}
const SYSTEM = { kind: 'system', id: 'test' } as const;
async function servedFast(service: string) {
  const issued = await srv.giliran.queue.execute('kupang', { type: 'issue', service, source: 'kiosk' }, SYSTEM);
  if (!issued.ok || !issued.data.ticket) throw new Error('issue failed');
  const t = issued.data.ticket;
  for (const type of ['call_ticket', 'finish'] as const) {
    const r = await srv.giliran.queue.execute('kupang', type === 'finish' ? { type, counterId: '1', outcome: 'done' } : { type, counterId: '1', ticket: t.number, reason: 'uji' }, SYSTEM);
    if (!r.ok) throw new Error(`${type}: ${r.error.code}`);
  }
  return { key: holderKey(srv.giliran.secrets.holderKey, 'kupang', t.id), track: `/api/v1/track/kupang/${t.officeDay}/${t.number}` };
}
const scores = (s: number) => Array(9).fill(s);
const day = () => new Date(clock + 8 * 3600_000).toISOString().slice(0, 10);
const ikm = () => request(srv.url, 'GET', `${O}/ikm?from=${day()}&to=${day()}`, { cookie: lead });

describe('the survey from the phone', () => {
  it('opens once the ticket is served, takes one answer, and the report counts it', async () => {
    const { ticket, key } = await issueWithKey(srv.url, 'ktp-el');
    const track = `/api/v1/track/kupang/${ticket.officeDay}/${ticket.number}`;
    expect((await request(srv.url, 'GET', `${track}/survey?k=${key}`)).body).toEqual({ state: 'not_finished' });
    const early = await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: scores(4) } });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('survey_not_open');
    await request(srv.url, 'POST', `${O}/counters/1/call`, { cookie: clerk, body: { ticket: ticket.number, reason: 'uji' } });
    await request(srv.url, 'POST', `${O}/counters/1/finish`, { cookie: clerk, body: {} });
    expect((await request(srv.url, 'GET', `${track}/survey?k=${key}`)).body).toEqual({ state: 'open' });
    const before = (await ikm()).body;
    const ok = await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: [4, 3, 3, 4, 3, 4, 4, 3, 2], respondent: { sex: 'p', education: 's1' }, comment: 'Petugas ramah' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const after = (await ikm()).body;
    expect(after.overall.respondents).toBe(before.overall.respondents + 1);
    expect(after.counters.find((g: { key: string }) => g.key === '1').respondents).toBeGreaterThan(0);
    const second = await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: scores(1) } });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'survey_already_answered', message: { id: expect.stringContaining('sudah diisi'), en: expect.stringContaining('already') } });
    expect((await ikm()).body.overall.respondents).toBe(after.overall.respondents);
  });

  it('refuses a wrong key, out-of-range scores and markup with a bilingual message, storing nothing', async () => {
    const { key, track } = await served();
    const wrong = await request(srv.url, 'POST', `${track}/survey`, { body: { k: 'AAAAAAAAAAA', scores: scores(4) } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('holder_key_invalid');
    for (const bad of [[5, 4, 4, 4, 4, 4, 4, 4, 4], [0, 4, 4, 4, 4, 4, 4, 4, 4], [4, 4, 4], [3.5, 4, 4, 4, 4, 4, 4, 4, 4]]) {
      const r = await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: bad } });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('invalid_body');
      expect(r.body.error.fields[0].message).toEqual({ id: expect.any(String), en: expect.any(String) });
    }
    const script = await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: scores(4), comment: '<script>alert(1)</script>' } });
    expect(script.status).toBe(400);
    expect(script.body.error.fields).toEqual([{ path: ['comment'], message: { id: 'Teks tidak boleh berisi kode atau tag HTML.', en: 'Text must not contain code or HTML tags.' } }]);
    const long = await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: scores(4), comment: 'x'.repeat(501) } });
    expect(long.status).toBe(400);
    expect((await request(srv.url, 'GET', `${track}/survey?k=${key}`)).body).toEqual({ state: 'open' });
  });

  it('never sends an answer to a counter or a display: their deltas skip it', async () => {
    const { key, track } = await served();
    const counter = connect(srv.url, 'counter', 'kupang', { cookie: clerk });
    const display = connect(srv.url, 'display');
    await Promise.all([waitFor(counter, 'snapshot'), waitFor(display, 'snapshot')]);
    const seen: QueueDelta[] = [];
    counter.on('delta', (d: QueueDelta) => seen.push(d));
    display.on('delta', (d: QueueDelta) => seen.push(d));
    const both = Promise.all([waitFor<QueueDelta>(counter, 'delta'), waitFor<QueueDelta>(display, 'delta')]);
    expect((await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: scores(3), comment: 'rahasia-komentar' } })).status).toBe(200);
    await both;
    expect(JSON.stringify(seen)).not.toContain('survey_answered');
    expect(JSON.stringify(seen)).not.toContain('rahasia-komentar');
    counter.close();
    display.close();
  });

  it('computes the report of 200 answers as the formula does, per counter too; the SKM page is escaped', async () => {
    const start = (await ikm()).body;
    const given: number[][] = [];
    for (let i = 0; i < 200; i++) {
      // Served through the queue directly (the HTTP path is tested above); answered over HTTP.
      const { key, track } = await servedFast(i % 2 ? 'kia' : 'ktp-el');
      const s = Array.from({ length: 9 }, (_, e) => 1 + ((i + e) % 4));
      given.push(s);
      const r = await request(srv.url, 'POST', `${track}/survey`, { body: { k: key, scores: s, ...(i === 0 ? { comment: 'antre > 2 jam & "lama"' } : {}) } });
      expect(r.status).toBe(200);
    }
    const rep = (await ikm()).body;
    expect(rep.overall.respondents).toBe(start.overall.respondents + 200);
    expect(rep.visitors).toBeGreaterThanOrEqual(rep.overall.respondents);
    // The 200 alone, per service, as ikmOf computes them by hand-checked formula (test/domain/ikm.test.ts).
    const kia = rep.services.find((g: { key: string }) => g.key === 'kia');
    expect(kia.index).toBe(ikmOf(given.filter((_, i) => i % 2 === 1)).index);
    expect(rep.comments[0]).toMatchObject({ text: 'antre > 2 jam & "lama"' });
    const html = await request(srv.url, 'GET', `${O}/ikm/report.html?from=${day()}&to=${day()}`, { cookie: lead });
    expect(html.status).toBe(200);
    expect(html.body).toContain('antre &#62; 2 jam &#38; &#34;lama&#34;');
    expect(html.body).toContain('Laporan Survei Kepuasan Masyarakat');
    expect(html.body).not.toMatch(/\+62\d{8,}/);
  }, 60_000);

  it('shows the report to supervisors and admins of the office only', async () => {
    expect((await request(srv.url, 'GET', `${O}/ikm?from=${day()}&to=${day()}`, { cookie: clerk })).status).toBe(403);
    // No session: the loopback demo screen, which is no supervisor.
    expect((await request(srv.url, 'GET', `${O}/ikm?from=${day()}&to=${day()}`)).status).toBe(403);
    expect((await request(srv.url, 'GET', `/api/v1/offices/padang-panjang/ikm?from=${day()}&to=${day()}`, { cookie: lead })).status).toBe(404);
    expect((await request(srv.url, 'GET', `${O}/ikm?from=2026-01-01&to=2027-06-01`, { cookie: admin })).status).toBe(400);
  });

  it('takes the answer on the survey tablet (the demo kiosk) by ticket number', async () => {
    const { ticket } = await served('kk', '2');
    const r = await request(srv.url, 'POST', `${O}/tickets/${ticket.number}/survey`, { body: { scores: scores(4) } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const again = await request(srv.url, 'POST', `${O}/tickets/${ticket.number}/survey`, { body: { scores: scores(4) } });
    expect(again.body.error.code).toBe('survey_already_answered');
  });
});

describe('complaints', () => {
  it('files from the phone (tied to the ticket), is followed by code, answered by a supervisor, seen answered', async () => {
    const { ticket, key, track } = await served();
    const filed = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: key, category: 'waktu', text: 'Menunggu terlalu lama di loket 1.', contact: { phone: '+6281299998888', consent: true } } });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const code = filed.body.code as string;
    expect((await request(srv.url, 'GET', `/api/v1/complaints/kupang/${code}`)).body).toMatchObject({ status: 'baru', responses: [] });
    const list = await request(srv.url, 'GET', `${O}/complaints`, { cookie: lead });
    const mine = list.body.complaints.find((c: { code: string }) => c.code === code);
    expect(mine).toMatchObject({ ticketId: ticket.id, channel: 'phone', contact: { phoneLast4: '8888' }, overdue: false });
    expect(JSON.stringify(list.body)).not.toContain('81299998888');
    const answer = await request(srv.url, 'PATCH', `${O}/complaints/${mine.id}`, { cookie: lead, body: { response: 'Kami menambah petugas pada jam sibuk.' } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.status).toBe('diproses');
    const seen = await request(srv.url, 'GET', `/api/v1/complaints/kupang/${code.toLowerCase()}`);
    expect(seen.body.responses).toEqual([{ at: expect.any(String), text: 'Kami menambah petugas pada jam sibuk.' }]);
    expect(JSON.stringify(seen.body)).not.toContain('8888');
    expect((await request(srv.url, 'PATCH', `${O}/complaints/${mine.id}`, { cookie: clerk, body: { status: 'selesai' } })).status).toBe(403);
    expect((await request(srv.url, 'PATCH', `${O}/complaints/${mine.id}`, { cookie: lead, body: { status: 'baru' } })).body.error.code).toBe('complaint_status_invalid');
  });

  it('refuses an empty, an oversized or a scripted complaint and a wrong key, storing nothing', async () => {
    const { key, track } = await served();
    const count = async () => (await request(srv.url, 'GET', `${O}/complaints`, { cookie: lead })).body.complaints.length as number;
    const n = await count();
    const empty = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: key, category: 'lainnya', text: '   ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields[0]).toEqual({ path: ['text'], message: { id: 'Wajib diisi.', en: 'Required.' } });
    const mega = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: key, category: 'lainnya', text: 'x'.repeat(1024 * 1024) } });
    expect(mega.status).toBe(413);
    expect(mega.body.error.message.id).toBeTruthy();
    const long = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: key, category: 'lainnya', text: 'x'.repeat(2001) } });
    expect(long.body.error.fields[0].message).toEqual({ id: 'Maksimal 2000 karakter.', en: 'At most 2000 characters.' });
    for (const text of ['<img src=x onerror=alert(1)>', 'klik javascript:alert(1)', '<svg/onload=alert(1)>']) {
      const r = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: key, category: 'lainnya', text } });
      expect(r.status, text).toBe(400);
    }
    const name = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: key, category: 'lainnya', text: 'ok', contact: { name: '<b>x</b>', phone: '+6281234567890', consent: true } } });
    expect(name.status).toBe(400);
    const noConsent = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: key, category: 'lainnya', text: 'ok', contact: { phone: '+6281234567890', consent: false } } });
    expect(noConsent.status).toBe(400);
    const wrong = await request(srv.url, 'POST', `${track}/complaints`, { body: { k: 'AAAAAAAAAAA', category: 'lainnya', text: 'ok' } });
    expect(wrong.status).toBe(403);
    expect(await count()).toBe(n);
  });

  it('files from a kiosk and from staff (visit / call), exports CSV with no contact, keeps offices apart', async () => {
    const kiosk = await request(srv.url, 'POST', `${O}/complaints`, { body: { category: 'informasi', text: 'Papan informasi kurang jelas', contact: { phone: '+6281200001111', consent: true } } });
    expect(kiosk.status).toBe(201);
    const staff = await request(srv.url, 'POST', `${O}/complaints`, { cookie: clerk, body: { category: 'biaya', text: 'Ada yang meminta uang', channel: 'call' } });
    expect(staff.status).toBe(201);
    const list = (await request(srv.url, 'GET', `${O}/complaints?category=biaya`, { cookie: lead })).body.complaints;
    expect(list[0]).toMatchObject({ channel: 'call', recordedBy: { id: 'petugas1' } });
    const csv = await request(srv.url, 'GET', `${O}/complaints.csv`, { cookie: lead });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body).toContain('Papan informasi kurang jelas');
    expect(csv.body).not.toContain('81200001111');
    expect((await request(srv.url, 'GET', '/api/v1/offices/padang-panjang/complaints', { cookie: lead })).status).toBe(404);
    const pp = await login(srv.url, 'petugas-pp1');
    expect((await request(srv.url, 'POST', `${O}/complaints`, { cookie: pp, body: { category: 'lainnya', text: 'x' } })).status).toBe(403);
  });

  it('flags overdue complaints after the office deadline and erases a closed complaint\'s contact after eraseContactDays', async () => {
    const set = await request(srv.url, 'PUT', `${O}/complaints-settings`, { cookie: lead, body: { answerDays: 2, eraseContactDays: 7 } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const filed = await request(srv.url, 'POST', `${O}/complaints`, { body: { category: 'sarana', text: 'Kursi kurang', contact: { phone: '+6281233334444', consent: true } } });
    clock += 3 * 86_400_000;
    lead = await login(srv.url, 'supervisor'); // the session of three days ago has expired
    const list = (await request(srv.url, 'GET', `${O}/complaints?overdue=1`, { cookie: lead })).body;
    expect(list.overdue).toBeGreaterThan(0);
    expect(list.complaints.some((c: { id: string }) => c.id === filed.body.id)).toBe(true);
    await request(srv.url, 'PATCH', `${O}/complaints/${filed.body.id}`, { cookie: lead, body: { status: 'selesai', response: 'Kursi ditambah.' } });
    clock += 6 * 86_400_000;
    lead = await login(srv.url, 'supervisor');
    await srv.giliran.complaints.sweep(srv.giliran.queue.offices());
    expect((await srv.giliran.store.complaints.get('kupang', filed.body.id))?.contact).not.toBeNull();
    clock += 2 * 86_400_000;
    expect(await srv.giliran.complaints.sweep(srv.giliran.queue.offices())).toBeGreaterThan(0);
    const after = await srv.giliran.store.complaints.get('kupang', filed.body.id);
    expect(after?.contact).toBeNull();
    expect(after?.contactErasedAt).toBeTruthy();
    const file = await readFile(path.join(dataDir, 'offices', 'kupang', 'complaints.json'), 'utf8');
    expect(file).not.toContain('81233334444');
  });
});
