// A complaint's citizen who left a number is told of each answer and status change through the
// notify outbox, on a real server and a real webhook provider on 127.0.0.1: once per change (not
// again after a restart), nothing for a complaint without a number, the number never in a log line
// nor in the outbox journal, and nothing sent once the complaint's contact is erased.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGiliran, type Giliran } from '../../server/app.ts';
import { loadSettings, type Settings } from '../../server/settings.ts';
import { WebhookReceiver } from '../helpers/provider-servers.ts';
import { DEMO_PASSWORD, login, request } from '../helpers/server.ts';

const SECRET = 'webhook-secret-for-tests-0123456789';
const O = '/api/v1/offices/kupang';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('complaint answers through the outbox', () => {
  it('tells the citizen of the answer and of the close, once each across a restart; nothing without a number; the number in no log line', async () => {
    const w = await WebhookReceiver.start(SECRET);
    cleanups.push(() => w.close());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-complaint-notify-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const settings: Settings = {
      ...loadSettings({ GILIRAN_DATA: dataDir, GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD }),
      logLevel: 'trace',
      passwordCost: 12,
      notify: { ...loadSettings({}).notify, webhookUrl: w.hookUrl, webhookSecret: SECRET, retryBaseMs: 20, retryMaxMs: 100, providerTimeoutMs: 2_000 },
    };
    let g: Giliran | null = null;
    let url = '';
    const start = async () => {
      g = await createGiliran({ settings, log: pino({ level: 'trace', base: undefined }, sink) });
      url = await g.listen(0, '127.0.0.1');
    };
    cleanups.push(async () => {
      await g?.close();
      g = null;
    });
    await start();

    const withPhone = await request(url, 'POST', `${O}/complaints`, { body: { category: 'informasi', text: 'Papan informasi kurang jelas', contact: { phone: '+6281277773456', consent: true } } });
    expect(withPhone.status, JSON.stringify(withPhone.body)).toBe(201);
    const without = await request(url, 'POST', `${O}/complaints`, { body: { category: 'waktu', text: 'Antrean lama sekali' } });
    expect(without.status).toBe(201);
    const lead = await login(url, 'supervisor');
    const list = (await request(url, 'GET', `${O}/complaints`, { cookie: lead })).body.complaints as Array<{ id: string; code: string }>;
    const mine = list.find((c) => c.code === withPhone.body.code)!;
    const other = list.find((c) => c.code === without.body.code)!;

    // Filing tells nobody; the answer does.
    expect((await request(url, 'PATCH', `${O}/complaints/${mine.id}`, { cookie: lead, body: { response: 'Papan sudah kami ganti.' } })).status).toBe(200);
    expect((await request(url, 'PATCH', `${O}/complaints/${other.id}`, { cookie: lead, body: { response: 'Kami tambah petugas.' } })).status).toBe(200);
    const [answered] = await w.waitForRequests(1);
    expect(answered!.authentic).toBe(true);
    expect(answered!.body).toMatchObject({ to: '+6281277773456', kind: 'complaint', number: mine.code });
    expect(answered!.body.text).toContain(`Pengaduan Anda ${mine.code} sudah dijawab`);
    expect(answered!.body.text).toContain(`Your complaint ${mine.code} has been answered`);

    // A restart sends nothing again; the close is told once.
    expect(await g!.notify.drained()).toBe(true);
    await g!.close();
    g = null;
    await start();
    const relead = await login(url, 'supervisor');
    expect((await request(url, 'PATCH', `${O}/complaints/${mine.id}`, { cookie: relead, body: { status: 'selesai' } })).status).toBe(200);
    const all = await w.waitForRequests(2);
    expect(all[1]!.body).toMatchObject({ to: '+6281277773456', kind: 'complaint' });
    expect(all[1]!.body.text).toContain('selesai');
    expect(await g!.notify.drained()).toBe(true);
    expect(w.requests).toHaveLength(2);
    expect(new Set(w.requests.map((r) => r.body.id)).size).toBe(2);

    // The number never reaches a log line nor the outbox journal (it stays in the complaint only).
    const digits = ['81277773456', '7777-3456', '7777 3456'];
    for (const d of digits) expect(lines.some((l) => l.includes(d)), d).toBe(false);
    const notifyDir = path.join(dataDir, 'notify');
    for (const name of await readdir(notifyDir, { recursive: true })) {
      const file = path.join(notifyDir, name);
      if ((await stat(file)).isFile()) expect(await readFile(file, 'utf8'), file).not.toContain('81277773456');
    }
  }, 60_000);
});
