// The notification outbox on PostgreSQL (server/notify/pg-outbox.ts) shared by two server
// processes on one database: each message is sent exactly once although both react to every
// commit, a subscription taken on one process is alerted by a call made on the other, retries
// (500, 429) are taken over by whichever process claims the row, and the day's phone numbers
// are erased at its end (also by a start after midnight).
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { messageId } from '../../server/notify/outbox-store.ts';
import { loadSettings, type Settings } from '../../server/settings.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { issue, staff, storedNotifyText, subscribe, type IssuedTicket } from '../helpers/notify.ts';
import { WebhookReceiver } from '../helpers/provider-servers.ts';
import { request, startServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const SECRET = 'webhook-secret-for-pg-tests-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function notifySettings(extra: Partial<Settings['notify']> = {}): Settings['notify'] {
  return { ...loadSettings({}).notify, retryBaseMs: 20, retryMaxMs: 200, providerTimeoutMs: 2_000, subscribesPerAddressPerMinute: 100_000, ...extra };
}

async function database(): Promise<string> {
  const db = await freshDatabase('notifypg');
  cleanups.push(() => db.drop());
  return db.url;
}

async function process(databaseUrl: string, extra: { now?: () => Date; notify?: Partial<Settings['notify']> } = {}): Promise<TestServer> {
  const s = await startServer({ ...(extra.now ? { now: extra.now } : {}), settings: { databaseUrl, ticketsPerDevicePerMinute: 1_000_000, notify: notifySettings(extra.notify) } });
  // Closed at most once (a test may stop one early, as a restart).
  let closing: Promise<void> | null = null;
  const close = s.close.bind(s);
  s.close = () => (closing ??= close());
  cleanups.push(() => s.close());
  return s;
}

async function rows<T>(url: string, sql: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, args)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Polls the database (another connection than the servers') until the query gives `n` rows. */
async function untilRows(url: string, sql: string, n: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await rows(url, sql)).length !== n) {
    if (Date.now() > end) throw new Error(`${sql}: not ${n} rows within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(postgresAvailable())('the notify outbox on PostgreSQL, two processes', () => {
  it('sends each message exactly once, alerts across processes, and retries 500/429 on whichever process claims it', async () => {
    const w = await WebhookReceiver.start(SECRET);
    cleanups.push(() => w.close());
    const url = await database();
    const hook = { webhookUrl: w.hookUrl, webhookSecret: SECRET };
    const a = await process(url, { notify: hook });
    const b = await process(url, { notify: hook });
    const clerkA = await staff(a, 'petugas1', '1');
    const clerkB = await staff(b, 'petugas2', '2');
    for (const [srv, cookie, counter] of [[a, clerkA, '1'], [b, clerkB, '2']] as const) {
      expect((await request(srv.url, 'PUT', `/api/v1/offices/kupang/counters/${counter}/settings`, { body: { services: ['ktp-el'], autoCallNext: false }, cookie })).status).toBe(200);
    }
    // The first sends fail (two 500s, a 429 with Retry-After 0): retried, still once each in the end.
    w.script({ status: 500 }, { status: 500 }, { status: 429, headers: { 'retry-after': '0' } });
    const TICKETS = 80;
    const tickets: IssuedTicket[] = [];
    for (let i = 0; i < TICKETS; i++) tickets.push(await issue(i % 2 ? b : a, i % 2 ? clerkB : clerkA));
    // Every other ticket subscribes, half of them on each process: 40 numbers, 80 messages.
    const subscribed = tickets.filter((_, i) => i % 2 === 0);
    for (const [i, t] of subscribed.entries()) {
      const on = i % 2 ? b : a;
      const r = await subscribe(on, t, { phone: { number: `0812${String(10_000_000 + i)}`, channel: 'sms', consent: true } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    // Counters on both processes work through the whole queue at once.
    const calledOn = new Map<string, 'a' | 'b'>();
    await Promise.all(
      ([[a, clerkA, '1', 'a'], [b, clerkB, '2', 'b']] as const).map(async ([srv, cookie, counter, name]) => {
        for (;;) {
          const res = await request(srv.url, 'POST', `/api/v1/offices/kupang/counters/${counter}/call-next`, { body: {}, cookie });
          if (res.status !== 200) {
            expect(res.body.error.code).toBe('queue_empty');
            return;
          }
          calledOn.set(res.body.ticket.id as string, name);
          expect((await request(srv.url, 'POST', `/api/v1/offices/kupang/counters/${counter}/finish`, { body: {}, cookie })).status).toBe(200);
        }
      }),
    );
    expect(calledOn.size).toBe(TICKETS);
    const expected = subscribed.flatMap((t) => [messageId('kupang', t.id, 'near', 'sms'), messageId('kupang', t.id, 'called', 'sms')]);
    // The requests after the three scripted failures are the accepted ones.
    const accepted = () => w.ids().slice(3);
    await until(() => new Set(accepted()).size >= expected.length, 30_000);
    expect(await a.giliran.notify.drained()).toBe(true);
    expect(await b.giliran.notify.drained()).toBe(true);
    // A tick on each (which resumes every pending row it sees) sends nothing more.
    await a.giliran.notify.tick();
    await b.giliran.notify.tick();
    expect(await a.giliran.notify.drained()).toBe(true);
    expect(await b.giliran.notify.drained()).toBe(true);
    const count = new Map<string, number>();
    for (const id of accepted()) count.set(id, (count.get(id) ?? 0) + 1);
    expect([...count.keys()].sort()).toEqual([...expected].sort());
    expect([...count.values()].filter((n) => n !== 1)).toEqual([]);
    expect(w.requests.every((r) => r.authentic)).toBe(true);
    // The race was real: subscriptions taken on one process were called from the other one.
    const crossed = subscribed.filter((t, i) => calledOn.get(t.id) !== (i % 2 ? 'b' : 'a'));
    expect(crossed.length).toBeGreaterThan(0);
    // Every row is settled as sent, and the process that did not send it shows it too (its copy is refreshed).
    const states = await rows<{ state: string; n: string }>(url, 'SELECT state, count(*) AS n FROM notify_messages GROUP BY state');
    expect(states).toEqual([{ state: 'sent', n: String(expected.length) }]);
    const t0 = subscribed[1]!; // subscribed on b
    await until(() => (a.giliran.notify.statusOf('kupang', t0.id)?.delivered.length ?? 0) === 2, 10_000);
    const seen = a.giliran.notify.statusOf('kupang', t0.id)!;
    expect(seen.delivered.map((d) => `${d.kind}/${d.channel}/${d.status}`).sort()).toEqual(['called/sms/sent', 'near/sms/sent']);
    // The ticket is finished: its number is gone from both processes and from the database.
    expect(seen.phoneLast4).toBeNull();
    await until(() => b.giliran.notify.statusOf('kupang', t0.id)?.phoneLast4 === null, 10_000);
    expect(await rows(url, 'SELECT 1 FROM notify_contacts')).toEqual([]);
  }, 120_000);

  it('erases the day\'s phone numbers at its end (the tables keep what was sent, without numbers), also on a start after midnight', async () => {
    const w = await WebhookReceiver.start(SECRET);
    cleanups.push(() => w.close());
    const url = await database();
    // 10:00 WITA in Kupang; later 00:05 the next day.
    let now = new Date('2026-12-02T02:00:00Z');
    const hook = { webhookUrl: w.hookUrl, webhookSecret: SECRET };
    const a = await process(url, { now: () => now, notify: hook });
    const b = await process(url, { now: () => now, notify: hook });
    const clerk = await staff(a);
    const t1 = await issue(a, clerk);
    const t2 = await issue(b, await staff(b, 'petugas2', '2'));
    expect(t1.day).toBe('2026-12-02');
    expect((await subscribe(a, t1, { phone: { number: '0812 3456 7890', channel: 'whatsapp', consent: true } })).status).toBe(200);
    expect((await subscribe(b, t2, { phone: { number: '0813 1111 2222', channel: 'sms', consent: true } })).status).toBe(200);
    await w.waitForRequests(2);
    await untilRows(url, "SELECT 1 FROM notify_messages WHERE state = 'sent'", 2);
    const before = await rows<{ ticket: string; data: { phone?: { e164: string } } }>(url, 'SELECT ticket, data FROM notify_contacts ORDER BY ticket');
    expect(before.map((r) => r.data.phone?.e164)).toEqual(['+6281234567890', '+6281311112222']);

    now = new Date('2026-12-02T16:05:00Z');
    await a.giliran.notify.tick();
    expect(await rows(url, 'SELECT 1 FROM notify_contacts')).toEqual([]);
    for (const { where, text } of await storedNotifyText(a)) for (const d of ['81234567890', '81311112222']) expect(text, where).not.toContain(d);
    expect(await rows(url, "SELECT 1 FROM notify_messages WHERE state = 'sent'")).toHaveLength(2);
    // The other process's copy lets go of them too.
    await b.giliran.notify.tick();
    expect(b.giliran.notify.statusOf('kupang', t2.id)).toBeNull();
    expect(a.giliran.notify.statusOf('kupang', t1.id)).toBeNull();

    // A server that was off at midnight erases them when it starts.
    await a.close();
    await b.close();
    let later = new Date('2026-12-03T02:00:00Z');
    const c = await process(url, { now: () => later, notify: hook });
    const clerkC = await staff(c);
    const t3 = await issue(c, clerkC);
    expect(t3.day).toBe('2026-12-03');
    expect((await subscribe(c, t3, { phone: { number: '0815 5555 6666', channel: 'sms', consent: true } })).status).toBe(200);
    await w.waitForRequests(3);
    await c.close();
    later = new Date('2026-12-04T01:00:00Z');
    const d = await process(url, { now: () => later, notify: hook });
    expect(await rows(url, 'SELECT 1 FROM notify_contacts')).toEqual([]);
    for (const { where, text } of await storedNotifyText(d)) expect(text, where).not.toContain('81555556666');
  }, 60_000);
});

describe.runIf(postgresAvailable())('PgOutbox booking contacts', () => {
  it('keeps a booking number per (office, slot day) across a reopen, saves only what changed, and erases a day', async () => {
    const url = await database();
    // The tables come with the store's migrations; each outbox lives on its store's pool (two processes).
    const { openPgStore } = await import('../../server/store/pg-store.ts');
    const { demoSeed } = await import('../../server/seed/index.ts');
    const seed = async () => (await demoSeed('rahasia-demo-123', async () => 'scrypt$test')).data;
    const { store } = await openPgStore({ databaseUrl: url, seed });
    cleanups.push(() => store.close());
    const { store: other } = await openPgStore({ databaseUrl: url, seed });
    cleanups.push(() => other.close());
    const { PgOutbox } = await import('../../server/notify/pg-outbox.ts');
    const { createLogger } = await import('../../server/log.ts');
    // Connections checked out of the store's pool (its own LISTEN one so far).
    const held = () => store.pool.totalCount - store.pool.idleCount;
    const before = held();
    const one = await PgOutbox.open({ pool: store.pool, databaseUrl: url, log: createLogger('silent'), claimIdleMs: 10_000 });
    cleanups.push(() => one.close());
    expect(one.pool).toBe(store.pool);
    expect(held()).toBe(before + 1); // its LISTEN connection, from the store's pool
    const two = await PgOutbox.open({ pool: other.pool, databaseUrl: url, log: createLogger('silent'), claimIdleMs: 10_000 });
    cleanups.push(() => two.close());
    const a = await one.openBookingContacts('kupang', '2026-12-24');
    a.contacts.set('BK1', { phone: { e164: '+6281234567890', channel: 'sms' } });
    a.contacts.set('BK2', { phone: { e164: '+6281311112222', channel: 'whatsapp' } });
    await a.save();
    // Another process changes one entry; the first one's later save of another entry keeps it.
    const b = await two.openBookingContacts('kupang', '2026-12-24');
    expect([...b.contacts.keys()].sort()).toEqual(['BK1', 'BK2']);
    b.contacts.delete('BK1');
    await b.save();
    a.contacts.set('BK3', { phone: { e164: '+6281555556666', channel: 'sms' } });
    await a.save();
    const again = await one.openBookingContacts('kupang', '2026-12-24');
    expect([...again.contacts.keys()].sort()).toEqual(['BK2', 'BK3']);
    expect((await one.openBookingContacts('padang-panjang', '2026-12-24')).contacts.size).toBe(0);
    expect(await two.daysWithBookingContacts('kupang')).toEqual(['2026-12-24']);
    await two.eraseBookingContacts('kupang', '2026-12-24');
    expect(await one.daysWithBookingContacts('kupang')).toEqual([]);
    expect(await rows(url, 'SELECT 1 FROM notify_booking_contacts')).toEqual([]);
    // Closing an outbox leaves the store's pool to the store, without the LISTEN connection.
    await one.close();
    expect(held()).toBe(before);
    expect((await store.pool.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    expect((await rows(url, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN giliran_notify'")).length).toBe(1); // two's only
  });
});
