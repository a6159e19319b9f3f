// Alerts to citizens end to end: a real server, real providers on 127.0.0.1
// (webhook gateway, WhatsApp Cloud API stand-in, a push service that decrypts
// like a browser), subscriptions by the ticket's holder, the "near" and
// "called" triggers from the queue, retries, receipts and forged callbacks.
import { chatCode } from '../../protocol/urls.ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messageId } from '../../server/notify/outbox-store.ts';
import { WebhookReceiver, WhatsAppCloudStandIn } from '../helpers/provider-servers.ts';
import { PushReceiver } from '../helpers/push-receiver.ts';
import { callNext, finish, issue, notifyPath, staff, subscribe } from '../helpers/notify.ts';
import { io } from 'socket.io-client';
import { login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';
import type { Settings } from '../../server/settings.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { storedNotifyText } from '../helpers/notify.ts';

const SECRET = 'webhook-secret-for-tests-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Every test runs on both stores: the embedded files and PostgreSQL (server/notify/pg-outbox.ts).
const STORES: Array<'embedded' | 'postgres'> = ['embedded', ...(postgresAvailable() ? (['postgres'] as const) : [])];
let store: 'embedded' | 'postgres' = 'embedded';

async function server(notify: Partial<Settings['notify']> = {}, extra: Partial<Settings> = {}): Promise<TestServer> {
  const base = (await import('../../server/settings.ts')).loadSettings({}).notify;
  let databaseUrl: string | null = null;
  if (store === 'postgres') {
    const db = await freshDatabase('notify');
    cleanups.push(() => db.drop());
    databaseUrl = db.url;
  }
  const s = await startServer({ settings: { ticketsPerDevicePerMinute: 100_000, databaseUrl, ...extra, notify: { ...base, retryBaseMs: 20, retryMaxMs: 200, providerTimeoutMs: 2_000, ...notify } } });
  cleanups.push(() => s.close());
  return s;
}

async function webhook(): Promise<WebhookReceiver> {
  const w = await WebhookReceiver.start(SECRET);
  cleanups.push(() => w.close());
  return w;
}

async function pushService(): Promise<PushReceiver> {
  const p = await PushReceiver.start();
  cleanups.push(() => p.close());
  return p;
}

describe.each(STORES)('notify on the %s store', (which) => {
  beforeAll(() => {
    store = which;
  });

  describe('subscribing', () => {
    it('answers the holder with the NotifyStatus and refuses a wrong holder key, bad thresholds and malformed numbers (bilingual), changing nothing', async () => {
      const w = await webhook();
      const s = await server({ webhookUrl: w.hookUrl, webhookSecret: SECRET, subscribesPerAddressPerMinute: 1000 });
      const clerk = await staff(s);
      const t = await issue(s, clerk);

      const wrongKey = await request(s.url, 'PUT', notifyPath(t), { body: { k: 'AAAAAAAAAAA', threshold: 3 } });
      expect(wrongKey.status).toBe(403);
      expect(wrongKey.body.error.code).toBe('holder_key_invalid');

      for (const threshold of [0, 21, 2.5, '3']) {
        const r = await request(s.url, 'PUT', notifyPath(t), { body: { k: t.k, threshold } });
        expect(r.status, String(threshold)).toBe(400);
      }
      const noConsent = await subscribe(s, t, { phone: { number: '081234567890', channel: 'sms', consent: false } });
      expect(noConsent.status).toBe(400);
      for (const number of ['12345', '+6521234567890', '0212345678', '08123', 'telepon saya', '+62 812 3456 7890 1234']) {
        const r = await subscribe(s, t, { phone: { number, channel: 'sms', consent: true } });
        expect(r.status, number).toBe(400);
        expect(r.body.error.code, number).toBe('invalid_phone');
        expect(r.body.error.message.id).toMatch(/Nomor telepon/);
        expect(r.body.error.message.en).toMatch(/phone number/);
      }
      expect(s.giliran.notify.statusOf('kupang', t.id)).toBeNull(); // nothing changed

      const ok = await subscribe(s, t, { threshold: 5, phone: { number: '0812-3456-7890', channel: 'sms', consent: true } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ threshold: 5, channels: ['page', 'sms'], phoneLast4: '7890' });
      expect(JSON.stringify(ok.body)).not.toContain('81234567890');
      // One waiting ahead of nobody: "near" went out at once, to the E.164 number.
      const [req] = await w.waitForRequests(1);
      expect(req!.body).toMatchObject({ id: messageId('kupang', t.id, 'near', 'sms'), channel: 'sms', to: '+6281234567890', kind: 'near', number: t.number });
      expect(req!.authentic).toBe(true);
    });

    it('refuses a channel no provider is configured for, and a push endpoint that is not a push service', async () => {
      const s = await server();
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      const r = await subscribe(s, t, { phone: { number: '081234567890', channel: 'whatsapp', consent: true } });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('notify_channel_unavailable');
      const push = await subscribe(s, t, { push: { endpoint: 'http://169.254.169.254/latest/meta-data', keys: { p256dh: 'B'.repeat(87), auth: 'A'.repeat(22) } } });
      expect(push.status).toBe(400);
      expect(s.giliran.notify.statusOf('kupang', t.id)).toBeNull();
    });

    it('unsubscribing erases the number from memory and disk and stops what was not yet sent', async () => {
      const w = await webhook();
      const s = await server({ webhookUrl: w.hookUrl, webhookSecret: SECRET });
      const clerk = await staff(s);
      const t1 = await issue(s, clerk);
      const t2 = await issue(s, clerk);
      w.hang(); // nothing gets through: the message for t2 stays pending
      await subscribe(s, t2, { phone: { number: '+62 811 2233 4455', channel: 'sms', consent: true } });
      await w.waitForRequests(1);
      const del = await request(s.url, 'DELETE', notifyPath(t2), { body: { k: t2.k } });
      expect(del.status).toBe(204);
      expect(s.giliran.notify.statusOf('kupang', t2.id)).toBeNull();
      // Files on the embedded store, the notify tables on PostgreSQL.
      const stored = await storedNotifyText(s);
      expect(stored.length).toBeGreaterThan(0);
      for (const { where, text } of stored) expect(text, where).not.toContain('81122334455');
      void t1;
    });

    it('refuses a flood of subscribe requests from one address with 429 and Retry-After', async () => {
      const s = await server({ subscribesPerAddressPerMinute: 10 });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      const answers = await Promise.all(Array.from({ length: 60 }, () => subscribe(s, t)));
      const ok = answers.filter((a) => a.status === 200).length;
      const limited = answers.filter((a) => a.status === 429);
      expect(ok).toBeGreaterThan(0);
      expect(ok).toBeLessThanOrEqual(10);
      expect(limited.length).toBe(60 - ok);
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited[0]!.body.error.code).toBe('rate_limited');
    });
  });

  describe('triggers', () => {
    it('sends "near" once when the ticket has threshold or fewer ahead and "called" once at the call (recall does not repeat it), over the webhook', async () => {
      const w = await webhook();
      const s = await server({ webhookUrl: w.hookUrl, webhookSecret: SECRET });
      const clerk = await staff(s);
      const tickets = [];
      for (let i = 0; i < 8; i++) tickets.push(await issue(s, clerk));
      const mine = tickets[6]!; // six ahead
      const r = await subscribe(s, mine, { threshold: 2, phone: { number: '081234567890', channel: 'whatsapp', consent: true } });
      expect(r.status).toBe(200);
      expect(w.requests).toHaveLength(0);
      for (let i = 0; i < 3; i++) {
        await callNext(s, clerk);
        await finish(s, clerk);
      }
      // Three ahead now: still nothing. (Bounded wait: nothing is due, so nothing may arrive.)
      expect(await s.giliran.notify.drained()).toBe(true);
      expect(w.requests).toHaveLength(0);
      await callNext(s, clerk); // two ahead (one called, one waiting… the called one is not ahead)
      await w.waitForRequests(1);
      expect(w.requests[0]!.body).toMatchObject({ kind: 'near', channel: 'whatsapp', id: messageId('kupang', mine.id, 'near', 'whatsapp') });
      expect(w.requests[0]!.body.text).toMatch(/^Tinggal [12] orang lagi sebelum nomor antrean A\d{3}\. Silakan bersiap\.\n.* ahead of number/);
      await finish(s, clerk);
      await callNext(s, clerk);
      await finish(s, clerk);
      await callNext(s, clerk);
      await finish(s, clerk);
      expect(await s.giliran.notify.drained()).toBe(true);
      expect(w.requests).toHaveLength(1); // "near" once, however many commits followed
      const called = await callNext(s, clerk);
      expect(called.id).toBe(mine.id);
      await w.waitForRequests(2);
      expect(w.requests[1]!.body).toMatchObject({ kind: 'called', id: messageId('kupang', mine.id, 'called', 'whatsapp') });
      expect(w.requests[1]!.body.text).toBe(`Nomor antrean ${mine.number}, silakan ke Loket 1.\nNumber ${mine.number}, please go to Loket 1.`);
      const recall = await request(s.url, 'POST', '/api/v1/offices/kupang/counters/1/recall', { body: {}, cookie: clerk });
      expect(recall.status).toBe(200);
      expect(await s.giliran.notify.drained()).toBe(true);
      expect(w.requests).toHaveLength(2);
      const status = s.giliran.notify.statusOf('kupang', mine.id)!;
      expect(status.delivered.map((d) => [d.kind, d.channel, d.status])).toEqual([
        ['near', 'whatsapp', 'sent'],
        ['called', 'whatsapp', 'sent'],
      ]);
      // The counter sees it was told.
      const counterView = await request(s.url, 'GET', `/api/v1/offices/kupang/tickets/${encodeURIComponent(mine.id)}/notify`, { cookie: clerk });
      expect(counterView.body).toEqual({ ticketId: mine.id, subscribed: true, called: { channel: 'whatsapp', status: 'sent' } });
      // Staff only: a loopback demo screen (a device, not a person) is refused too.
      const device = await request(s.url, 'GET', `/api/v1/offices/kupang/tickets/${encodeURIComponent(mine.id)}/notify`);
      expect(device.status).toBe(403);
      const strict = await server({}, { trustLoopbackDevices: false });
      const anonymous = await request(strict.url, 'GET', `/api/v1/offices/kupang/tickets/${encodeURIComponent(mine.id)}/notify`);
      expect(anonymous.status).toBe(401);
    });

    it('records the open page as delivered when a phone of the ticket has its /track socket open at that moment, and sends it the new status', async () => {
      const s = await server();
      const clerk = await staff(s);
      const a = await issue(s, clerk);
      const b = await issue(s, clerk);
      const phone = io(`${s.url}/track`, { auth: { office: 'kupang', ticket: b.id, key: b.k }, transports: ['websocket'], forceNew: true, reconnection: false });
      cleanups.push(async () => {
        phone.close();
      });
      const first = await waitFor(phone, 'track');
      expect(first.notify).toBeNull();
      await subscribe(s, a);
      const withAlerts = new Promise<any>((resolve) => phone.on('track', (v: any) => v.notify?.delivered.length && resolve(v)));
      await subscribe(s, b);
      expect(s.giliran.notify.statusOf('kupang', a.id)!.delivered).toEqual([]); // no page open for a
      expect(s.giliran.notify.statusOf('kupang', b.id)!.delivered).toMatchObject([{ kind: 'near', channel: 'page', status: 'delivered' }]);
      // The holder's phone gets the new NotifyStatus in its view (C3).
      expect((await withAlerts).notify).toMatchObject({ threshold: 3, channels: ['page'], phoneLast4: null, delivered: [{ kind: 'near', channel: 'page', status: 'delivered' }] });
      phone.close();
      await callNext(s, clerk); // a is called: no page of a is open
      expect(await s.giliran.notify.drained()).toBe(true);
      expect(s.giliran.notify.statusOf('kupang', a.id)!.delivered).toEqual([]);
    });
  });

  describe('webhook provider', () => {
    it("uses the office's own webhook provider set in the admin console, where the server has none", async () => {
      const w = await webhook();
      const s = await server(); // no GILIRAN_NOTIFY_WEBHOOK_*: only the office's setting can deliver
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      const sms = { phone: { number: '081234567890', channel: 'sms', consent: true } };
      expect((await subscribe(s, t, sms)).body.error.code).toBe('notify_channel_unavailable');
      const admin = await login(s.url, 'admin');
      const office = await request(s.url, 'GET', '/api/v1/admin/offices/kupang', { cookie: admin });
      const put = await request(s.url, 'PUT', '/api/v1/admin/offices/kupang/sections/notify', {
        cookie: admin,
        body: { revision: office.body.revisions.notify.revision, value: { notify: { webhook: { url: w.hookUrl, secret: SECRET }, whatsapp: { apiUrl: null, token: null, sender: null } } } },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect((await subscribe(s, t, sms)).status).toBe(200);
      await callNext(s, clerk);
      // Nobody was ahead: "near" at once, then "called"; the receiver checks each signature with the office's secret.
      await w.waitForRequests(2);
      expect(w.requests.map((r) => r.body.id).sort()).toEqual([messageId('kupang', t.id, 'called', 'sms'), messageId('kupang', t.id, 'near', 'sms')].sort());
    });

    it('retries 500 and then succeeds; honours Retry-After on 429; gives up on other 4xx', async () => {
      const w = await webhook();
      const s = await server({ webhookUrl: w.hookUrl, webhookSecret: SECRET, retryBaseMs: 50 });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      w.script({ status: 500 }, { status: 503 });
      await subscribe(s, t, { phone: { number: '081234567890', channel: 'sms', consent: true } });
      const reqs = await w.waitForRequests(3);
      expect(new Set(reqs.map((r) => r.body.id)).size).toBe(1); // the same id every time
      expect(reqs.every((r) => r.headers['idempotency-key'] === r.body.id)).toBe(true);
      await until(() => s.giliran.notify.statusOf('kupang', t.id)!.delivered.length === 1);
      expect(s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]!.status).toBe('sent');

      const t2 = await issue(s, clerk);
      w.script({ status: 429, headers: { 'retry-after': '1' } });
      const before = w.requests.length;
      await subscribe(s, t2, { phone: { number: '081234567891', channel: 'sms', consent: true } });
      await w.waitForRequests(before + 2);
      const [first, second] = w.requests.slice(before);
      expect(first!.body.id).toBe(second!.body.id);
      const t3 = await issue(s, clerk);
      w.script({ status: 400 });
      const before3 = w.requests.length;
      await subscribe(s, t3, { phone: { number: '081234567892', channel: 'sms', consent: true } });
      await until(() => s.giliran.notify.statusOf('kupang', t3.id)!.delivered.length === 1);
      expect(s.giliran.notify.statusOf('kupang', t3.id)!.delivered[0]!.status).toBe('failed');
      expect(w.requests.length).toBe(before3 + 1); // not retried
    });

    it('waits the Retry-After a 429 asks for before trying again', async () => {
      const w = await webhook();
      const s = await server({ webhookUrl: w.hookUrl, webhookSecret: SECRET, retryBaseMs: 10 });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      const times: number[] = [];
      w.on('request', () => times.push(Date.now()));
      w.script({ status: 429, headers: { 'retry-after': '1' } });
      await subscribe(s, t, { phone: { number: '081234567890', channel: 'sms', consent: true } });
      await w.waitForRequests(2);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    });

    it('treats a provider that never answers, or answers garbage, as not sent and retries with the same id', async () => {
      const w = await webhook();
      const s = await server({ webhookUrl: w.hookUrl, webhookSecret: SECRET, providerTimeoutMs: 300 });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      w.script('hang', 'garbage');
      await subscribe(s, t, { phone: { number: '081234567890', channel: 'sms', consent: true } });
      const reqs = await w.waitForRequests(3);
      expect(reqs.map((r) => r.body.id)).toEqual([reqs[0]!.body.id, reqs[0]!.body.id, reqs[0]!.body.id]);
      await until(() => s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]?.status === 'sent');
    });

    it('takes a signed receipt and refuses forged or unsigned ones, changing nothing', async () => {
      const w = await webhook();
      const s = await server({ webhookUrl: w.hookUrl, webhookSecret: SECRET });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      await subscribe(s, t, { phone: { number: '081234567890', channel: 'sms', consent: true } });
      await until(() => s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]?.status === 'sent');
      const id = messageId('kupang', t.id, 'near', 'sms');
      for (const secret of [null, 'another-secret-of-an-attacker-000']) {
        const r = await w.sendReceipt(s.url, { id, status: 'failed' }, { secret });
        expect(r.status).toBe(403);
      }
      const tampered = await fetch(`${s.url}/api/v1/notify/webhook/receipt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-giliran-signature': (await import('../helpers/provider-servers.ts')).hmacHex(SECRET, JSON.stringify({ id, status: 'delivered' })) },
        body: JSON.stringify({ id, status: 'failed' }),
      });
      expect(tampered.status).toBe(403);
      expect(s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]!.status).toBe('sent');
      const bad = await w.sendReceipt(s.url, { id, status: 'exploded' });
      expect(bad.status).toBe(400);
      const ok = await w.sendReceipt(s.url, { id, status: 'delivered' });
      expect(ok.status).toBe(200);
      expect(s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]!.status).toBe('delivered');
    });
  });

  describe('Web Push', () => {
    it('sends an aes128gcm payload with a VAPID JWT that a browser decrypts to { title, body, url, tag }', async () => {
      const p = await pushService();
      const s = await server({ pushEndpointHosts: [p.host] });
      const key = await request(s.url, 'GET', '/api/v1/push/public-key');
      expect(key.body.key).toMatch(/^[A-Za-z0-9_-]{87}$/);
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      const sub = p.subscribe();
      const r = await subscribe(s, t, { push: sub });
      expect(r.body.channels).toEqual(['page', 'push']);
      const [near] = await p.waitFor(1);
      expect(near!.vapidValid).toBe(true);
      expect(near!.vapidKey).toBe(key.body.key);
      expect(near!.headers['content-encoding']).toBe('aes128gcm');
      expect(Number(near!.headers.ttl)).toBeGreaterThan(0);
      expect(near!.payload).toEqual({
        title: `Giliran ${t.number}: segera / soon`,
        body: `Nomor antrean ${t.number} berikutnya dipanggil. Silakan mendekat ke loket.\nNumber ${t.number} is next. Please come to the counters.`,
        url: `/t/kupang/${t.day}/${t.number}?k=${t.k}`,
        tag: `${t.id}:near`,
      });
      await callNext(s, clerk);
      const [, called] = await p.waitFor(2);
      expect(called!.payload.tag).toBe(`${t.id}:called`);
      expect(called!.payload.body).toContain('silakan ke Loket 1');
    });

    it.skipIf(which === 'postgres')('keeps its VAPID key across restarts, in a 0600 file (PostgreSQL: the secrets table, test/store/pg-secrets.test.ts)', async () => {
      const s = await server();
      const first = (await request(s.url, 'GET', '/api/v1/push/public-key')).body.key;
      const { stat } = await import('node:fs/promises');
      expect((await stat(`${s.dataDir}/notify/vapid.json`)).mode & 0o777).toBe(0o600);
      const again = await startServer({ dataDir: s.dataDir });
      cleanups.push(() => again.close());
      expect((await request(again.url, 'GET', '/api/v1/push/public-key')).body.key).toBe(first);
    });

    it('stops pushing to a subscription the push service says is gone (410)', async () => {
      const p = await pushService();
      const s = await server({ pushEndpointHosts: [p.host] });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      p.script({ status: 410 });
      await subscribe(s, t, { push: p.subscribe() });
      await until(() => s.giliran.notify.statusOf('kupang', t.id)?.delivered[0]?.status === 'failed');
      expect(s.giliran.notify.statusOf('kupang', t.id)!.channels).toEqual(['page']);
      await callNext(s, clerk);
      expect(await s.giliran.notify.drained()).toBe(true);
      expect(p.received).toHaveLength(1);
    });
  });

  describe('WhatsApp Cloud API', () => {
    const WA = { token: 'test-token-abc', appSecret: 'cloud-app-secret-0123456789', phoneId: '1234567890' };

    async function cloud(): Promise<WhatsAppCloudStandIn> {
      const c = await WhatsAppCloudStandIn.start(WA);
      cleanups.push(() => c.close());
      return c;
    }

    it('sends text through /{phone-id}/messages with the Bearer token and takes signed status webhooks', async () => {
      const c = await cloud();
      const s = await server({ whatsappApiUrl: c.apiUrl, whatsappPhoneId: WA.phoneId, whatsappToken: WA.token, whatsappAppSecret: WA.appSecret, whatsappVerifyToken: 'verify-me-please' });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      await subscribe(s, t, { phone: { number: '0812 3456 7890', channel: 'whatsapp', consent: true } });
      const [req] = await c.waitForRequests(1);
      expect(req!.authentic).toBe(true);
      expect(req!.body).toMatchObject({ messaging_product: 'whatsapp', to: '6281234567890', type: 'text', biz_opaque_callback_data: messageId('kupang', t.id, 'near', 'whatsapp') });
      await until(() => s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]?.status === 'sent');

      const forged = await c.sendStatus(s.url, { wamid: c.wamidOf(1), status: 'delivered', recipient: '6281234567890' }, { secret: 'not-the-app-secret-at-all' });
      expect(forged.status).toBe(403);
      const unsigned = await c.sendStatus(s.url, { wamid: c.wamidOf(1), status: 'delivered', recipient: '6281234567890' }, { secret: null });
      expect(unsigned.status).toBe(403);
      expect(s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]!.status).toBe('sent');
      const ok = await c.sendStatus(s.url, { wamid: c.wamidOf(1), status: 'delivered', recipient: '6281234567890' });
      expect(ok.status).toBe(200);
      expect(s.giliran.notify.statusOf('kupang', t.id)!.delivered[0]!.status).toBe('delivered');

      const verify = await fetch(`${s.url}/api/v1/notify/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1158201444`);
      expect(verify.status).toBe(200);
      expect(await verify.text()).toBe('1158201444');
      const wrong = await fetch(`${s.url}/api/v1/notify/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
      expect(wrong.status).toBe(403);
    });

    it('a chat the citizen starts with the ticket code subscribes it; STATUS answers the place, BATAL cancels', async () => {
      const c = await cloud();
      const s = await server({ whatsappApiUrl: c.apiUrl, whatsappPhoneId: WA.phoneId, whatsappToken: WA.token, whatsappAppSecret: WA.appSecret });
      const clerk = await staff(s);
      const ahead = [];
      for (let i = 0; i < 5; i++) ahead.push(await issue(s, clerk));
      const t = await issue(s, clerk);
      const from = '6281299998888';
      // Without the holder key a number alone does not subscribe (anyone could follow or cancel it).
      expect((await c.sendInbound(s.url, from, `ANTRE kupang ${t.number}`)).status).toBe(200);
      const [help] = await c.waitForRequests(1);
      expect(help!.body.text.body).toMatch(/^Kirim kode/);
      expect(s.giliran.notify.statusOf('kupang', t.id)).toBeNull();

      // The very text the track page's WhatsApp link carries (protocol/urls.ts chatCode).
      await c.sendInbound(s.url, from, chatCode('kupang', t.number, t.k));
      const [, subscribed] = await c.waitForRequests(2);
      expect(subscribed!.body).toMatchObject({ to: from, type: 'text' });
      expect(subscribed!.body.text.body).toContain(`nomor antrean ${t.number}`);
      expect(s.giliran.notify.statusOf('kupang', t.id)).toMatchObject({ channels: ['page', 'whatsapp'], phoneLast4: '8888' });

      await c.sendInbound(s.url, from, 'status');
      const [, , status] = await c.waitForRequests(3);
      expect(status!.body.text.body).toMatch(new RegExp(`^Nomor antrean ${t.number}: 5 orang di depan Anda, perkiraan \\d+(–\\d+)? menit\\.`));

      await c.sendInbound(s.url, from, 'BATAL');
      const [, , , cancelled] = await c.waitForRequests(4);
      expect(cancelled!.body.text.body).toMatch(/sudah dibatalkan/);
      const snap = await request(s.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: clerk });
      expect(snap.body.tickets.find((x: { id: string }) => x.id === t.id)).toBeUndefined();
      const audit = await request(s.url, 'GET', '/api/v1/offices/kupang/audit', { cookie: await (await import('../helpers/server.ts')).login(s.url, 'supervisor') });
      expect(audit.body.entries.find((e: { action: string; ticketId: string }) => e.action === 'ticket_cancelled' && e.ticketId === t.id)?.actor).toMatchObject({ kind: 'citizen' });
      // Cancelled: the number is gone at once, not only at midnight; what was sent stays listed.
      await until(() => s.giliran.notify.statusOf('kupang', t.id)?.phoneLast4 === null);
      expect(s.giliran.notify.statusOf('kupang', t.id)!.channels).toEqual(['page']);
    });

    it('refuses a forged inbound message: nothing subscribed, nothing sent', async () => {
      const c = await cloud();
      const s = await server({ whatsappApiUrl: c.apiUrl, whatsappPhoneId: WA.phoneId, whatsappToken: WA.token, whatsappAppSecret: WA.appSecret });
      const clerk = await staff(s);
      const t = await issue(s, clerk);
      const r = await c.sendInbound(s.url, '6281299998888', `ANTRE kupang ${t.number} ${t.k}`, { secret: 'forger-secret-0000000000' });
      expect(r.status).toBe(403);
      const garbage = await fetch(`${s.url}/api/v1/notify/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=zz' }, body: '{"object":' });
      expect(garbage.status).toBe(403);
      expect(await s.giliran.notify.drained()).toBe(true);
      expect(c.requests).toHaveLength(0);
      expect(s.giliran.notify.statusOf('kupang', t.id)).toBeNull();
    });
  });

  describe('a busy day', () => {
    it('500 tickets, 100 subscribed by push: each gets "near" and "called" exactly once, in time', async () => {
      const p = await pushService();
      const s = await server({ pushEndpointHosts: [p.host], subscribesPerAddressPerMinute: 10_000 });
      const clerk = await staff(s);
      const tickets = [];
      // Issued 50 at a time (the journal writes them together), in number order.
      for (let i = 0; i < 500; i += 50) tickets.push(...(await Promise.all(Array.from({ length: 50 }, () => issue(s, clerk)))));
      tickets.sort((a, b) => a.number.localeCompare(b.number));
      const subscribed = tickets.filter((_, i) => i % 5 === 4);
      expect(subscribed).toHaveLength(100);
      const subs = new Map<string, string>();
      for (const t of subscribed) {
        const sub = p.subscribe();
        subs.set(sub.endpoint.split('/').pop()!, t.id);
        expect((await subscribe(s, t, { push: sub })).status).toBe(200);
      }
      // Finishing calls the next one at once (auto-call): one command per ticket.
      const settings = await request(s.url, 'PUT', '/api/v1/offices/kupang/counters/1/settings', { body: { services: ['ktp-el'], autoCallNext: true }, cookie: clerk });
      expect(settings.status).toBe(200);
      await callNext(s, clerk);
      for (let i = 1; i < 500; i++) await finish(s, clerk);
      await p.waitFor(200, 30_000);
      expect(await s.giliran.notify.drained()).toBe(true);
      expect(p.received).toHaveLength(200);
      const seen = new Map<string, string[]>();
      for (const r of p.received) {
        const ticket = subs.get(r.subscription)!;
        seen.set(ticket, [...(seen.get(ticket) ?? []), r.payload.tag]);
      }
      // In time: each ticket's "near" came before its "called", never after.
      for (const t of subscribed) expect(seen.get(t.id), t.id).toEqual([`${t.id}:near`, `${t.id}:called`]);
      for (const r of p.received.filter((x) => x.payload.tag.endsWith(':near'))) expect(r.payload.body).toMatch(/^(Tinggal [123] orang lagi|Nomor antrean A\d{3} berikutnya)/);
    }, 120_000);
  });
});
