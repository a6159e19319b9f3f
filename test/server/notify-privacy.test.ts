// Citizens' contact data: kept for the office day only (erased at its end,
// also when the server was off at midnight), never written to a log line.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGiliran } from '../../server/app.ts';
import { loadSettings, type Settings } from '../../server/settings.ts';
import { WebhookReceiver, WhatsAppCloudStandIn } from '../helpers/provider-servers.ts';
import { callNext, issue, staff, subscribe } from '../helpers/notify.ts';
import { DEMO_PASSWORD, request, startServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';

const SECRET = 'webhook-secret-for-tests-0123456789';
const STORES: Array<'embedded' | 'postgres'> = ['embedded', ...(postgresAvailable() ? (['postgres'] as const) : [])];
const NUMBER = '0812 3456 7890';
const DIGITS = ['81234567890', '8123-4567', '812 3456'];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Every file under `dir`, with its text. */
async function filesUnder(dir: string): Promise<Array<{ file: string; text: string }>> {
  const out: Array<{ file: string; text: string }> = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, name);
    if ((await stat(file)).isFile()) out.push({ file, text: await readFile(file, 'utf8') });
  }
  return out;
}

function notifySettings(extra: Partial<Settings['notify']>): Settings['notify'] {
  return { ...loadSettings({}).notify, retryBaseMs: 20, retryMaxMs: 100, providerTimeoutMs: 300, ...extra };
}

describe('contact data', () => {
  it('is erased at the end of the office day: no file under the data folder holds the number after midnight', async () => {
    const w = await WebhookReceiver.start(SECRET);
    cleanups.push(() => w.close());
    // 10:00 WITA in Kupang, then 00:05 the next day.
    let now = new Date('2026-12-02T02:00:00Z');
    const s = await startServer({ now: () => now, settings: { notify: notifySettings({ webhookUrl: w.hookUrl, webhookSecret: SECRET }) } });
    cleanups.push(() => s.close());
    const clerk = await staff(s);
    const t = await issue(s, clerk);
    expect(t.day).toBe('2026-12-02');
    expect((await subscribe(s, t, { phone: { number: NUMBER, channel: 'whatsapp', consent: true } })).status).toBe(200);
    await w.waitForRequests(1);
    const contacts = path.join(s.dataDir, 'notify', 'kupang', '2026-12-02.contacts.json');
    expect(await readFile(contacts, 'utf8')).toContain('+6281234567890');
    expect((await stat(contacts)).mode & 0o777).toBe(0o600);

    now = new Date('2026-12-02T16:05:00Z');
    await s.giliran.notify.tick();
    for (const { file, text } of await filesUnder(s.dataDir)) for (const d of DIGITS) expect(text, file).not.toContain(d);
    expect(s.giliran.notify.statusOf('kupang', t.id)).toBeNull();
    // What was sent is still on record, without contact data.
    const journal = await readFile(path.join(s.dataDir, 'notify', 'kupang', '2026-12-02.jsonl'), 'utf8');
    expect(journal).toContain('"t":"sent"');
  });

  it('is erased on the next start when the server was off at midnight', async () => {
    const w = await WebhookReceiver.start(SECRET);
    cleanups.push(() => w.close());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-notify-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    let now = new Date('2026-12-02T05:00:00Z');
    const settings = { notify: notifySettings({ webhookUrl: w.hookUrl, webhookSecret: SECRET }) };
    const s = await startServer({ dataDir, now: () => now, settings });
    const clerk = await staff(s);
    const t = await issue(s, clerk);
    await subscribe(s, t, { phone: { number: NUMBER, channel: 'sms', consent: true } });
    await w.waitForRequests(1);
    await s.close();
    now = new Date('2026-12-03T01:00:00Z');
    const again = await startServer({ dataDir, now: () => now, settings });
    cleanups.push(() => again.close());
    for (const { file, text } of await filesUnder(path.join(dataDir, 'notify'))) for (const d of DIGITS) expect(text, file).not.toContain(d);
  });

  it.each(STORES)('never appears in a log line, whatever happens to the message (retries, timeouts, forged callbacks, chats) (%s store)', async (which) => {
    let databaseUrl: string | null = null;
    if (which === 'postgres') {
      const db = await freshDatabase('notifylog');
      cleanups.push(() => db.drop());
      databaseUrl = db.url;
    }
    const w = await WebhookReceiver.start(SECRET);
    const c = await WhatsAppCloudStandIn.start({ token: 'tok', appSecret: 'app-secret-0123456789abc', phoneId: '555' });
    cleanups.push(() => w.close(), () => c.close());
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-notify-log-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const settings: Settings = {
      ...loadSettings({ GILIRAN_DATA: dataDir, GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD }),
      databaseUrl,
      logLevel: 'trace',
      passwordCost: 12,
      notify: notifySettings({ webhookUrl: w.hookUrl, webhookSecret: SECRET, whatsappApiUrl: c.apiUrl, whatsappPhoneId: '555', whatsappToken: 'tok', whatsappAppSecret: 'app-secret-0123456789abc' }),
    };
    const g = await createGiliran({ settings, log: pino({ level: 'trace', base: undefined }, sink) });
    const url = await g.listen(0, '127.0.0.1');
    cleanups.push(() => g.close());
    const s = { url, giliran: g, dataDir } as TestServer;
    const clerk = await staff(s);
    const a = await issue(s, clerk);
    const b = await issue(s, clerk);
    c.script({ status: 500 }, { status: 429, headers: { 'retry-after': '0' } }, 'hang', 'garbage', { status: 400 });
    w.script({ status: 503 }, 'garbage');
    await subscribe(s, a, { phone: { number: NUMBER, channel: 'whatsapp', consent: true } });
    await subscribe(s, b, { phone: { number: '+62 812 3456 7891', channel: 'sms', consent: true } });
    await until(() => g.notify.statusOf('kupang', a.id)!.delivered.length === 1 && g.notify.statusOf('kupang', b.id)!.delivered.length === 1, 15_000);
    await callNext(s, clerk);
    await c.sendInbound(url, '6281234567890', `ANTRE kupang ${b.number} ${b.k}`, { secret: 'forged-secret-000000000' });
    await c.sendInbound(url, '6281234567890', 'STATUS');
    await w.sendReceipt(url, { id: 'x', status: 'delivered' }, { secret: 'forged-secret-000000000' });
    await request(url, 'PUT', `/api/v1/track/kupang/${a.day}/${a.number}/notify`, { body: { k: a.k, threshold: 3, phone: { number: '0812345678901234', channel: 'sms', consent: true } } });
    expect(await g.notify.drained(15_000)).toBe(true);
    const log = lines.join('');
    expect(log).toContain('notify: send failed'); // the failures were logged…
    expect(log).toContain('refused');
    for (const d of [...DIGITS, '81234567891', '812345678901234']) expect(log).not.toContain(d); // …without the number
  });
});
