// The outbox across a SIGKILL: a message marked sent is never sent again; one
// whose send was in flight at the kill is sent again after the restart with
// the same id (at least once; the provider dedupes on the id).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { holderKey } from '../../server/auth/holder-key.ts';
import { messageId } from '../../server/notify/outbox-store.ts';
import pg from 'pg';
import { centralEnv } from '../helpers/central.ts';
import { startChild, writeSettings, type ChildServer } from '../helpers/child-server.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { WebhookReceiver } from '../helpers/provider-servers.ts';
import { login, request } from '../helpers/server.ts';

const SECRET = 'webhook-secret-for-crash-test-0000';
let dir: string;
let w: WebhookReceiver | undefined;
let server: ChildServer | undefined;
afterAll(async () => {
  await server?.kill('SIGKILL');
  await w?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Message ids the outbox journal on disk records as sent. */
async function sentOnDisk(dataDir: string, day: string): Promise<Set<string>> {
  let text = '';
  try {
    text = await readFile(path.join(dataDir, 'notify', 'kupang', `${day}.jsonl`), 'utf8');
  } catch {
    return new Set();
  }
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as { t?: string; id?: string };
      if (r.t === 'sent' && r.id) out.add(r.id);
    } catch {
      // a torn last line
    }
  }
  return out;
}

/** Polls the journal file until `id` is recorded as sent (the state that proves the point is on disk, in another process). */
async function untilSent(dataDir: string, day: string, id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await sentOnDisk(dataDir, day)).has(id)) {
    if (Date.now() > deadline) throw new Error(`${id} never recorded as sent`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('notify outbox across a crash', () => {
  it('never sends a sent message twice and re-sends the one in flight with the same id', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'giliran-notify-crash-'));
    w = await WebhookReceiver.start(SECRET);
    const dataDir = path.join(dir, 'data');
    const env = {
      GILIRAN_DATA: dataDir,
      GILIRAN_DEMO_PASSWORD: 'crash-test-pw',
      GILIRAN_CONFIG: await writeSettings(dir, { notify: { retryBaseMs: 50, providerTimeoutMs: 60_000 } }),
      GILIRAN_NOTIFY_WEBHOOK_URL: w.hookUrl,
      GILIRAN_NOTIFY_WEBHOOK_SECRET: SECRET,
    };
    server = await startChild(env);
    const cookie = await login(server.url, 'petugas1', 'crash-test-pw');
    const secrets = JSON.parse(await readFile(path.join(dataDir, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
    const key = Buffer.from(secrets.secrets['holder-key']!, 'base64url');
    const tickets: Array<{ id: string; day: string; number: string }> = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(server.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'ktp-el' }, cookie });
      const id = res.body.ticket.id as string;
      const [day = '', number = ''] = id.split('/');
      tickets.push({ id, day, number });
    }
    const sub = (t: { id: string; day: string; number: string }, n: string) =>
      request(server!.url, 'PUT', `/api/v1/track/kupang/${t.day}/${t.number}/notify`, { body: { k: holderKey(key, 'kupang', t.id), threshold: 3, phone: { number: n, channel: 'sms', consent: true } } });
    const ids = tickets.map((t) => messageId('kupang', t.id, 'near', 'sms'));
    const day = tickets[0]!.day;

    // Two messages go through and are recorded as sent.
    expect((await sub(tickets[0]!, '081200000001')).status).toBe(200);
    expect((await sub(tickets[1]!, '081200000002')).status).toBe(200);
    await w.waitForRequests(2);
    for (const id of ids.slice(0, 2)) await untilSent(dataDir, day, id);
    // Two more are taken by the provider, which never answers: they are in flight when the server dies.
    w.hang();
    expect((await sub(tickets[2]!, '081200000003')).status).toBe(200);
    expect((await sub(tickets[3]!, '081200000004')).status).toBe(200);
    await w.waitForRequests(4);
    await server.kill('SIGKILL');
    w.hang(false);

    server = await startChild(env);
    await w.waitForRequests(6);
    for (const id of ids.slice(2)) await untilSent(dataDir, day, id);
    // Both are recorded as sent after the restart; a commit now must not wake any of them.
    await request(server.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, cookie: await login(server.url, 'petugas1', 'crash-test-pw') });
    const count = (id: string) => w!.ids().filter((x) => x === id).length;
    expect(ids.map(count)).toEqual([1, 1, 2, 2]);
    // Every repeat carried the same id, and each was signed.
    expect(w.requests.every((r) => r.authentic)).toBe(true);
    await server.kill('SIGTERM');
  }, 120_000);
});

/** Message ids the PostgreSQL outbox records as sent. */
async function sentInDatabase(url: string): Promise<Set<string>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return new Set((await c.query<{ id: string }>("SELECT id FROM notify_messages WHERE state = 'sent'")).rows.map((r) => r.id));
  } finally {
    await c.end();
  }
}

async function untilSentInDatabase(url: string, ids: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sent = await sentInDatabase(url);
    if (ids.every((id) => sent.has(id))) return;
    if (Date.now() > deadline) throw new Error(`${ids.filter((id) => !sent.has(id)).join(', ')} never recorded as sent`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(postgresAvailable())('notify outbox across a crash, PostgreSQL with two processes', () => {
  const stop: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const f of stop.reverse()) await f().catch(() => undefined);
  });

  it('a process killed with sends in flight: the other process sends them again with the same id; nothing sent is sent again, also after the restart', async () => {
    const db = await freshDatabase('notifycrash');
    stop.push(() => db.drop());
    const hook = await WebhookReceiver.start(SECRET);
    stop.push(() => hook.close());
    const central = await centralEnv(db.url);
    stop.push(() => central.cleanup());
    const env = {
      ...central.env,
      GILIRAN_CONFIG: await writeSettings(path.dirname(central.env.GILIRAN_DATA!), { ticketsPerDevicePerMinute: 1_000_000, passwordCost: 12, notify: { retryBaseMs: 50, providerTimeoutMs: 60_000 } }),
      GILIRAN_NOTIFY_WEBHOOK_URL: hook.hookUrl,
      GILIRAN_NOTIFY_WEBHOOK_SECRET: SECRET,
    };
    let a = await startChild({ ...env, GILIRAN_PROCESS_ID: 'p1' });
    stop.push(() => a.kill('SIGKILL'));
    const b = await startChild({ ...env, GILIRAN_PROCESS_ID: 'p2' });
    stop.push(() => b.kill('SIGKILL'));
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const key = (await c.query<{ value: Buffer }>("SELECT value FROM secrets WHERE name = 'holder-key'")).rows[0]!.value;
    await c.end();
    const cookie = await login(a.url, 'petugas1', central.env.GILIRAN_DEMO_PASSWORD!);
    const tickets: Array<{ id: string; day: string; number: string }> = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(a.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'ktp-el' }, cookie });
      const id = res.body.ticket.id as string;
      const [day = '', number = ''] = id.split('/');
      tickets.push({ id, day, number });
    }
    const sub = (t: { id: string; day: string; number: string }, n: string) =>
      request(a.url, 'PUT', `/api/v1/track/kupang/${t.day}/${t.number}/notify`, { body: { k: holderKey(key, 'kupang', t.id), threshold: 3, phone: { number: n, channel: 'sms', consent: true } } });
    const ids = tickets.map((t) => messageId('kupang', t.id, 'near', 'sms'));

    // Two go through process A and are recorded as sent.
    expect((await sub(tickets[0]!, '081200000001')).status).toBe(200);
    expect((await sub(tickets[1]!, '081200000002')).status).toBe(200);
    await hook.waitForRequests(2);
    await untilSentInDatabase(db.url, ids.slice(0, 2));
    // Two more are taken by the provider, which never answers: A holds their rows when it dies.
    hook.hang();
    expect((await sub(tickets[2]!, '081200000003')).status).toBe(200);
    expect((await sub(tickets[3]!, '081200000004')).status).toBe(200);
    await hook.waitForRequests(4);
    await a.kill('SIGKILL');
    hook.hang(false);

    // B (its periodic tick, every 15 s) finds them pending and unlocked, and sends them again with the same ids.
    await hook.waitForRequests(6, undefined, 30_000);
    await untilSentInDatabase(db.url, ids);
    // A restarts: its start resumes every pending row (none) and a commit wakes nothing.
    a = await startChild({ ...env, GILIRAN_PROCESS_ID: 'p1' });
    await request(a.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, cookie: await login(a.url, 'petugas1', central.env.GILIRAN_DEMO_PASSWORD!) });
    await request(b.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, cookie: await login(b.url, 'petugas2', central.env.GILIRAN_DEMO_PASSWORD!) });
    const count = (id: string) => hook.ids().filter((x) => x === id).length;
    expect(ids.map(count)).toEqual([1, 1, 2, 2]);
    expect(hook.requests).toHaveLength(6);
    expect(hook.requests.every((r) => r.authentic)).toBe(true);
    await a.kill('SIGTERM');
    await b.kill('SIGTERM');
  }, 120_000);
});
