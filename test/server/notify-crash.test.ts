// The outbox across a SIGKILL: a message marked sent is never sent again; one
// whose send was in flight at the kill is sent again after the restart with
// the same id (at least once; the provider dedupes on the id).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { holderKey } from '../../server/auth/holder-key.ts';
import { messageId } from '../../server/notify/outbox-store.ts';
import { startChild, writeSettings, type ChildServer } from '../helpers/child-server.ts';
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
