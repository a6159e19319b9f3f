// Alerts through the durable outbox, the embedded files beside PostgreSQL in the same run:
// N tickets subscribed by SMS (the generic webhook, a real HTTP receiver on 127.0.0.1),
// then one counter calls and finishes them one after the other. Measured: call → the
// provider receiving that ticket's "called" SMS (from just before the call-next request),
// p50/p99 over the calls, and the subscribe answer time p50/p99.
//   embedded-1  one process on the embedded store (outbox journal files)
//   pg-1        one process on PostgreSQL (notify_* tables, SKIP LOCKED claims)
//   pg-2        two processes on one database: the phones subscribe on p2, the counter
//               calls on p1 (p1 learns of the subscriptions by NOTIFY, either may send)
// Each target gets a fresh database or data folder; rounds alternate the order; medians.
//
//   BENCH_SERVER_ENTRY=tsx tsx bench/notify-outbox.ts [--quick] [--rounds 3] [--tickets 100]
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { holderKey } from '../server/auth/holder-key.ts';
import { createDatabase, startPostgres } from '../test/helpers/postgres.ts';
import { WebhookReceiver } from '../test/helpers/provider-servers.ts';
import { login, machine, machineLine, makeDataDir, median, numFlag, parseArgs, printSummary, quantile, request, round as roundTo, startGiliran, table, type Child } from './support/lib.ts';

// The sources, not a bundle that may predate the outbox on PostgreSQL.
process.env.BENCH_SERVER_ENTRY ??= 'tsx';
const args = parseArgs();
const ROUNDS = args.rounds ?? (args.quick ? 1 : 3);
const TICKETS = numFlag(args, 'tickets', args.quick ? 30 : 100);
const SECRET = 'bench-webhook-secret-0123456789abcdef';

const postgres = await startPostgres();
let dbCount = 0;
async function freshDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_notify_${process.pid}_${dbCount++}`;
  return createDatabase(postgres.url, name, postgres.urlOf(name));
}

type Target = 'embedded-1' | 'pg-1' | 'pg-2';

interface RoundResult {
  target: Target;
  subscribeP50: number;
  subscribeP99: number;
  callP50: number;
  callP99: number;
  sent: number;
}

async function runTarget(target: Target): Promise<RoundResult> {
  const data = await makeDataDir('giliran-bench-notify-');
  await writeFile(data.configFile, JSON.stringify({ ticketsPerDevicePerMinute: 1_000_000, loginAttempts: 1000, notify: { subscribesPerAddressPerMinute: 1_000_000 } }));
  const db = target === 'embedded-1' ? null : await freshDb();
  const hook = await WebhookReceiver.start(SECRET);
  const env: Record<string, string> = { GILIRAN_NOTIFY_WEBHOOK_URL: hook.hookUrl, GILIRAN_NOTIFY_WEBHOOK_SECRET: SECRET, ...(db ? { GILIRAN_DATABASE_URL: db.url } : {}) };
  const servers: Child[] = [await startGiliran(data, { env: { ...env, ...(db ? { GILIRAN_PROCESS_ID: 'p1' } : {}) }, label: `${target}-1` })];
  if (target === 'pg-2') servers.push(await startGiliran(data, { env: { ...env, GILIRAN_PROCESS_ID: 'p2' }, label: `${target}-2` }));
  try {
    const caller = servers[0]!;
    const phones = servers[servers.length - 1]!;
    let key: Buffer;
    if (db) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      key = (await c.query<{ value: Buffer }>("SELECT value FROM secrets WHERE name = 'holder-key'")).rows[0]!.value;
      await c.end();
    } else {
      const file = JSON.parse(await readFile(path.join(data.dir, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
      key = Buffer.from(file.secrets['holder-key']!, 'base64url');
    }
    const cookie = await login(caller.url, 'petugas1');
    await request(caller.url, 'POST', '/api/v1/offices/kupang/counters/1/sign-in', { body: {}, cookie });
    await request(caller.url, 'PUT', '/api/v1/offices/kupang/counters/1/settings', { body: { services: ['ktp-el'], autoCallNext: false }, cookie });
    const ids: string[] = [];
    for (let i = 0; i < TICKETS; i++) ids.push((await request(caller.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'ktp-el' }, cookie })).body.ticket.id as string);
    const subscribeMs: number[] = [];
    for (const [i, id] of ids.entries()) {
      const [day, number] = id.split('/');
      const t0 = performance.now();
      for (let attempt = 0; ; attempt++) {
        const r = await request(phones.url, 'PUT', `/api/v1/track/kupang/${day}/${number}/notify`, { body: { k: holderKey(key, 'kupang', id), threshold: 1, phone: { number: `0812${String(20_000_000 + i)}`, channel: 'sms', consent: true } } });
        if (r.status === 200) break;
        // p2 may not have read the ticket's commit yet (milliseconds behind): ask again.
        if (r.status !== 404 || attempt > 100) throw new Error(`${target}: subscribe ${id} on ${phones.url}: ${r.status} ${JSON.stringify(r.body)}\n${phones.stderr.join("").slice(-2000)}`);
        await new Promise((res) => setTimeout(res, 5));
      }
      subscribeMs.push(performance.now() - t0);
    }
    const callMs: number[] = [];
    for (let i = 0; i < TICKETS; i++) {
      const t0 = performance.now();
      const called = await request(caller.url, 'POST', '/api/v1/offices/kupang/counters/1/call-next', { body: {}, cookie });
      if (called.status !== 200) throw new Error(`call-next: ${called.status} ${JSON.stringify(called.body)}`);
      const id = `kupang.${(called.body.ticket.id as string).replace('/', '.')}.called.sms`;
      await hook.waitForRequests(1, (r) => r.body?.id === id, 30_000);
      callMs.push(performance.now() - t0);
      await request(caller.url, 'POST', '/api/v1/offices/kupang/counters/1/finish', { body: {}, cookie });
    }
    return { target, subscribeP50: quantile(subscribeMs, 0.5), subscribeP99: quantile(subscribeMs, 0.99), callP50: quantile(callMs, 0.5), callP99: quantile(callMs, 0.99), sent: hook.requests.length };
  } finally {
    for (const s of servers) await s.stop();
    await hook.close();
    await db?.drop();
    await data.remove();
  }
}

const targets: Target[] = ['embedded-1', 'pg-1', 'pg-2'];
const results: RoundResult[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) for (const t of r % 2 ? [...targets].reverse() : targets) results.push(await runTarget(t));
} finally {
  await postgres.stop();
}
const rows = targets.map((t) => {
  const of = results.filter((x) => x.target === t);
  return {
    target: t,
    'subscribe p50 ms': roundTo(median(of.map((x) => x.subscribeP50)), 1),
    'subscribe p99 ms': roundTo(median(of.map((x) => x.subscribeP99)), 1),
    'call → SMS p50 ms': roundTo(median(of.map((x) => x.callP50)), 1),
    'call → SMS p99 ms': roundTo(median(of.map((x) => x.callP99)), 1),
    'requests to provider': median(of.map((x) => x.sent)),
  };
});
console.log(machineLine());
console.log(`${TICKETS} tickets subscribed by SMS, called one by one; ${ROUNDS} round(s), medians`);
console.log(table(rows));
printSummary({ bench: 'notify-outbox', machine: machine(), tickets: TICKETS, rounds: ROUNDS, rows });
