// Each office's own providers (office.notify, set through the admin API): its messages go to
// its own webhook, signed with its own secret, and its WhatsApp through its own Cloud API
// account (token, phone-number id); an office without its own falls back to the server's.
// Two offices, three local provider servers plus the server-wide one, on both stores.
import { afterEach, describe, expect, it } from 'vitest';
import { holderKey } from '../../server/auth/holder-key.ts';
import { messageId } from '../../server/notify/outbox-store.ts';
import { loadSettings, type Settings } from '../../server/settings.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { hmacHex, WebhookReceiver, WhatsAppCloudStandIn, type RecordedRequest } from '../helpers/provider-servers.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

const GLOBAL_SECRET = 'server-wide-webhook-secret-000000';
const KUPANG_SECRET = 'kupang-own-webhook-secret-1111111';
const PP_SECRET = 'padang-panjang-webhook-secret-22222';
const CLOUD = { token: 'kupang-cloud-token', appSecret: 'kupang-app-secret', phoneId: '109876543210' };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const STORES: Array<'embedded' | 'postgres'> = ['embedded', ...(postgresAvailable() ? (['postgres'] as const) : [])];

async function started<T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> {
  const x = await p;
  cleanups.push(() => x.close());
  return x;
}

interface Ticket {
  office: string;
  id: string;
  day: string;
  number: string;
  k: string;
}

async function issueAt(s: TestServer, office: string, user: string): Promise<Ticket> {
  const cookie = await login(s.url, user);
  const res = await request(s.url, 'POST', `/api/v1/offices/${office}/tickets`, { body: { service: 'ktp-el' }, cookie });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.ticket.id as string;
  const [day = '', number = ''] = id.split('/');
  return { office, id, day, number, k: holderKey(s.giliran.secrets.holderKey, office, id) };
}

function subscribeAt(s: TestServer, t: Ticket, channel: 'sms' | 'whatsapp', number: string) {
  return request(s.url, 'PUT', `/api/v1/track/${t.office}/${t.day}/${t.number}/notify`, { body: { k: t.k, threshold: 3, phone: { number, channel, consent: true } } });
}

async function setProviders(s: TestServer, office: string, notify: Record<string, unknown>): Promise<void> {
  const admin = await login(s.url, 'admin');
  const got = await request(s.url, 'GET', `/api/v1/admin/offices/${office}`, { cookie: admin });
  const put = await request(s.url, 'PUT', `/api/v1/admin/offices/${office}/sections/notify`, { cookie: admin, body: { revision: got.body.revisions.notify.revision, value: { notify } } });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  // Secrets are write-only: the answer masks them, the phone-number id is shown.
  expect(JSON.stringify(put.body)).not.toContain(KUPANG_SECRET);
  expect(JSON.stringify(put.body)).not.toContain(CLOUD.token);
}

const signedWith = (r: RecordedRequest, secret: string): boolean => r.headers['x-giliran-signature'] === hmacHex(secret, r.raw);

describe.each(STORES)("offices' own notification providers (%s store)", (which) => {
  it("sends each office's messages to its own provider, signed with its own secret, and falls back to the server's", async () => {
    let databaseUrl: string | null = null;
    if (which === 'postgres') {
      const db = await freshDatabase('notifyoffices');
      cleanups.push(() => db.drop());
      databaseUrl = db.url;
    }
    const global = await started(WebhookReceiver.start(GLOBAL_SECRET));
    const kupangHook = await started(WebhookReceiver.start(KUPANG_SECRET));
    const ppHook = await started(WebhookReceiver.start(PP_SECRET));
    const cloud = await started(WhatsAppCloudStandIn.start(CLOUD));
    const notify: Settings['notify'] = { ...loadSettings({}).notify, retryBaseMs: 20, retryMaxMs: 200, providerTimeoutMs: 2_000, webhookUrl: global.hookUrl, webhookSecret: GLOBAL_SECRET };
    const s = await started(startServer({ settings: { databaseUrl, ticketsPerDevicePerMinute: 100_000, notify } }));

    // Padang Panjang has no provider of its own yet: its SMS goes to the server's webhook.
    const pp1 = await issueAt(s, 'padang-panjang', 'petugas-pp1');
    expect((await subscribeAt(s, pp1, 'sms', '0812 1111 0001')).status).toBe(200);
    const [first] = await global.waitForRequests(1);
    expect(first!.body).toMatchObject({ id: messageId('padang-panjang', pp1.id, 'near', 'sms'), office: 'padang-panjang', to: '+6281211110001' });
    expect(first!.authentic).toBe(true);

    // Each office sets its own providers in the admin console.
    await setProviders(s, 'kupang', { webhook: { url: kupangHook.hookUrl, secret: KUPANG_SECRET }, whatsapp: { apiUrl: cloud.apiUrl, token: CLOUD.token, sender: null, phoneId: CLOUD.phoneId } });
    await setProviders(s, 'padang-panjang', { webhook: { url: ppHook.hookUrl, secret: PP_SECRET }, whatsapp: { apiUrl: null, token: null, sender: null } });

    const k1 = await issueAt(s, 'kupang', 'petugas1');
    const k2 = await issueAt(s, 'kupang', 'petugas1');
    const pp2 = await issueAt(s, 'padang-panjang', 'petugas-pp1');
    const pp3 = await issueAt(s, 'padang-panjang', 'petugas-pp1');
    expect((await subscribeAt(s, k1, 'sms', '0812 2222 0001')).status).toBe(200);
    expect((await subscribeAt(s, k2, 'whatsapp', '0812 2222 0002')).status).toBe(200);
    expect((await subscribeAt(s, pp2, 'sms', '0812 3333 0001')).status).toBe(200);
    expect((await subscribeAt(s, pp3, 'whatsapp', '0812 3333 0002')).status).toBe(200);

    // Kupang: SMS to its webhook with its secret, WhatsApp through its Cloud API account.
    const [kHook] = await kupangHook.waitForRequests(1);
    expect(kHook!.body).toMatchObject({ id: messageId('kupang', k1.id, 'near', 'sms'), office: 'kupang', channel: 'sms', to: '+6281222220001' });
    expect(signedWith(kHook!, KUPANG_SECRET)).toBe(true);
    const [kCloud] = await cloud.waitForRequests(1);
    expect(kCloud!.path).toBe(`/v21.0/${CLOUD.phoneId}/messages`);
    expect(kCloud!.headers.authorization).toBe(`Bearer ${CLOUD.token}`);
    expect(kCloud!.body).toMatchObject({ messaging_product: 'whatsapp', to: '6281222220002', biz_opaque_callback_data: messageId('kupang', k2.id, 'near', 'whatsapp') });
    // Padang Panjang: both channels to its own webhook (it has no Cloud API account), with its secret.
    const ppGot = await ppHook.waitForRequests(2);
    expect(ppGot.map((r) => r.body.id).sort()).toEqual([messageId('padang-panjang', pp2.id, 'near', 'sms'), messageId('padang-panjang', pp3.id, 'near', 'whatsapp')].sort());
    for (const r of ppGot) {
      expect(r.body.office).toBe('padang-panjang');
      expect(signedWith(r, PP_SECRET)).toBe(true);
      expect(signedWith(r, KUPANG_SECRET) || signedWith(r, GLOBAL_SECRET)).toBe(false);
    }
    expect(await s.giliran.notify.drained()).toBe(true);
    // Nothing went anywhere else: the server's webhook only had the message from before.
    expect(global.requests).toHaveLength(1);
    expect(kupangHook.requests.every((r) => r.body.office === 'kupang')).toBe(true);
    expect(kupangHook.requests).toHaveLength(1);
    expect(cloud.requests).toHaveLength(1);
    expect(ppHook.requests).toHaveLength(2);

    // Receipts signed with an office's own secret are taken; one signed with another office's is refused.
    const ok = await ppHook.sendReceipt(s.url, { id: messageId('padang-panjang', pp2.id, 'near', 'sms'), status: 'delivered' });
    expect(ok.status).toBeLessThan(300);
    const forged = await ppHook.sendReceipt(s.url, { id: messageId('padang-panjang', pp3.id, 'near', 'whatsapp'), status: 'failed' }, { secret: 'some-other-secret-not-configured' });
    expect(forged.status).toBe(403);
    const pp2Status = s.giliran.notify.statusOf('padang-panjang', pp2.id)!;
    expect(pp2Status.delivered).toEqual([expect.objectContaining({ kind: 'near', channel: 'sms', status: 'delivered' })]);
    expect(s.giliran.notify.statusOf('padang-panjang', pp3.id)!.delivered).toEqual([expect.objectContaining({ status: 'sent' })]);
  }, 60_000);
});
