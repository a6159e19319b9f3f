// Sign-in under attack (issue 15): parallel guesses cannot outrun the limits,
// guesses spread over addresses or accounts are limited too, refused sign-ins
// cannot fill the disk, a NIK typed as a username never reaches the audit log,
// passwords are hashed at OWASP's cost (older hashes upgraded at sign-in), and
// hashing never takes more than its share of the thread pool.
import { request as httpRequest } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskNik } from '../../server/auth/audit.ts';
import { DEFAULT_PASSWORD_COST, HASH_CONCURRENCY, PasswordHasher } from '../../server/auth/passwords.ts';
import { loadSettings } from '../../server/settings.ts';
import { DEMO_PASSWORD, login, request, startServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

/** POST /api/v1/session from another loopback address (127.0.0.0/8 is all this machine's). */
function loginFrom(base: string, localAddress: string, username: string, password: string): Promise<{ status: number; retryAfter: string | undefined }> {
  const url = new URL('/api/v1/session', base);
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function statuses(list: Array<{ status: number }>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of list) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe('login throttle under parallel requests', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({ settings: { trustLoopbackDevices: false } });
  });
  afterAll(async () => srv?.close());

  it('checks at most 5 passwords of 41 simultaneous sign-ins to one account from one address', async () => {
    const hasher = srv.giliran.auth.hasher;
    const before = hasher.verified;
    const burst = Array.from({ length: 41 }, (_, i) => ({ username: 'petugas3', password: i === 40 ? DEMO_PASSWORD : `salah-${i}` }));
    const results = await Promise.all(burst.map((body) => request(srv.url, 'POST', '/api/v1/session', { body })));
    const counts = statuses(results);
    expect(hasher.verified - before, JSON.stringify(counts)).toBeLessThanOrEqual(5);
    expect((counts[401] ?? 0) + (counts[200] ?? 0)).toBeLessThanOrEqual(5);
    expect(counts[429]).toBeGreaterThanOrEqual(36);
    for (const r of results.filter((x) => x.status === 429)) {
      expect(r.body.error.code).toBe('rate_limited');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // After the limit the right password does not get in either, and nothing more is hashed.
    const checked = hasher.verified;
    const late = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas3', password: DEMO_PASSWORD } });
    if (!results.some((r) => r.status === 200)) {
      expect(late.status).toBe(429);
      expect(late.headers.get('set-cookie')).toBeNull();
      expect(hasher.verified).toBe(checked);
    }
  });

  it('holds the limit when the 40 wrong guesses arrive first and the right one after', async () => {
    const hasher = srv.giliran.auth.hasher;
    const before = hasher.verified;
    const wrong = await Promise.all(Array.from({ length: 40 }, (_, i) => request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas2', password: `salah-${i}` } })));
    expect(statuses(wrong)).toEqual({ 401: 5, 429: 35 });
    const right = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas2', password: DEMO_PASSWORD } });
    expect(right.status).toBe(429);
    expect(hasher.verified - before).toBe(5);
  });
});

describe('login limits across addresses and accounts', () => {
  let srv: TestServer;
  let clock = Date.parse('2026-12-01T03:00:00Z');
  beforeAll(async () => {
    srv = await startServer({ settings: { trustLoopbackDevices: false }, now: () => new Date(clock) });
    srv.giliran.queue.stopTimers();
  });
  afterAll(async () => srv?.close());

  it('slows guesses at one account from many addresses with a doubling delay, never a lock', async () => {
    // A clerk signs in from their own PC first: that address is known for the account.
    expect((await loginFrom(srv.url, '127.0.0.9', 'petugas1', DEMO_PASSWORD)).status).toBe(200);
    // Ten addresses, one wrong guess each: under every per-address limit, at the account's free allowance.
    const spread = await Promise.all(Array.from({ length: 10 }, (_, i) => loginFrom(srv.url, `127.0.1.${i + 1}`, 'petugas1', `salah-${i}`)));
    expect(statuses(spread)).toEqual({ 401: 10 });
    // The next guess from yet another address must wait, even with the right password.
    const held = await loginFrom(srv.url, '127.0.1.20', 'petugas1', DEMO_PASSWORD);
    expect(held.status).toBe(429);
    expect(Number(held.retryAfter)).toBe(1);
    // The clerk at their known PC is not held up.
    expect((await loginFrom(srv.url, '127.0.0.9', 'petugas1', DEMO_PASSWORD)).status).toBe(200);
    // Once the delay has passed one attempt goes through; the next delay is twice as long.
    clock += 1000;
    expect((await loginFrom(srv.url, '127.0.1.21', 'petugas1', 'salah-lagi')).status).toBe(401);
    const again = await loginFrom(srv.url, '127.0.1.22', 'petugas1', DEMO_PASSWORD);
    expect(again.status).toBe(429);
    expect(Number(again.retryAfter)).toBe(2);
    // Many more guesses later the delay stops growing at 15 minutes: staff can always get in.
    for (let i = 0; i < 20; i++) {
      clock += 15 * 60_000;
      expect((await loginFrom(srv.url, `127.0.2.${i + 1}`, 'petugas1', `salah-${i}`)).status).toBe(401);
    }
    const capped = await loginFrom(srv.url, '127.0.3.1', 'petugas1', DEMO_PASSWORD);
    expect(capped.status).toBe(429);
    expect(Number(capped.retryAfter)).toBe(15 * 60);
    clock += 15 * 60_000;
    expect((await loginFrom(srv.url, '127.0.3.2', 'petugas1', DEMO_PASSWORD)).status).toBe(200);
  });

  it('limits one address guessing across many accounts', async () => {
    const hasher = srv.giliran.auth.hasher;
    const before = hasher.verified;
    const names = Array.from({ length: 25 }, (_, i) => `tamu-${i}`);
    const results = await Promise.all(names.map((n) => loginFrom(srv.url, '127.0.4.1', n, 'tebakan')));
    expect(statuses(results)).toEqual({ 401: 20, 429: 5 });
    expect(hasher.verified - before).toBe(20);
    // Another address is not affected.
    expect((await loginFrom(srv.url, '127.0.4.2', 'petugas4', DEMO_PASSWORD)).status).toBe(200);
  });
});

describe('refused sign-ins in the audit log', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({ settings: { trustLoopbackDevices: false } });
  });
  afterAll(async () => srv?.close());

  it('writes a bounded number of lines for 1,000 refused sign-ins, the rest as a summary with the count and address', async () => {
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas1', password: `salah-${batch}-${i}` } })));
      for (const r of results) expect([401, 429]).toContain(r.status);
    }
    await srv.giliran.auth.refusals.flush();
    const day = srv.giliran.queue.now().toISOString().slice(0, 10);
    const entries = await srv.giliran.store.audit.read(day);
    const single = entries.filter((e) => e.action === 'login_failed');
    const summaries = entries.filter((e) => e.action === 'login_failed_summary');
    expect(single.length).toBeLessThanOrEqual(srv.giliran.auth.refusals.limits.firstPerWindow);
    expect(summaries.length).toBeLessThanOrEqual(2);
    expect(entries.length).toBeLessThanOrEqual(20);
    const counted = summaries.reduce((n, e) => n + Number(e.detail?.refused), 0);
    expect(single.length + counted).toBe(1000);
    const addresses = summaries.flatMap((e) => e.detail?.addresses as Array<{ address: string; count: number }>);
    expect(addresses.some((a) => a.address.endsWith('127.0.0.1') && a.count > 900)).toBe(true);
  });

  it('masks a NIK typed into the username, keeping its last four digits', async () => {
    const nik = '5371041207900003';
    const res = await request(srv.url, 'POST', '/api/v1/session', { body: { username: nik, password: 'salah' } });
    expect([401, 429]).toContain(res.status);
    await srv.giliran.auth.refusals.flush();
    const raw = await readFile(path.join(srv.dataDir, 'audit', `${srv.giliran.queue.now().toISOString().slice(0, 10)}.jsonl`), 'utf8');
    expect(raw).not.toContain(nik);
    expect(raw).toContain('************0003');
  });

  it('masks NIK-shaped runs inside any audit detail, and only those', () => {
    expect(maskNik({ a: 'nik 5371041207900003.', b: ['x5371041207900003'], c: 12, d: '53710412079000031', e: '537104120790' })).toEqual({
      a: 'nik ************0003.',
      b: ['x************0003'],
      c: 12,
      d: '53710412079000031',
      e: '537104120790',
    });
  });
});

describe('password hashes', () => {
  it('hashes at N=2^17, r=8, p=1 by default and upgrades an older hash at the next successful sign-in', async () => {
    expect(loadSettings({}).passwordCost).toBe(17);
    expect(DEFAULT_PASSWORD_COST).toBe(17);
    // A data folder seeded with cheap hashes (as an older version made them)…
    const first = await startServer({ settings: { trustLoopbackDevices: false, passwordCost: 12 } });
    const dataDir = first.dataDir;
    const stored = () => first.giliran.store.config.get().users.find((u) => u.id === 'petugas1')?.passwordHash ?? '';
    expect(stored()).toMatch(/^scrypt\$4096\$8\$1\$/);
    await first.giliran.close();
    // …opened by this version at the default cost.
    const second = await startServer({ dataDir, settings: { trustLoopbackDevices: false, passwordCost: DEFAULT_PASSWORD_COST } });
    try {
      const hashOf = async (id: string) => (JSON.parse(await readFile(path.join(dataDir, 'config.json'), 'utf8')).users as Array<{ id: string; passwordHash: string }>).find((u) => u.id === id)?.passwordHash ?? '';
      expect((await request(second.url, 'POST', '/api/v1/session', { body: { username: 'petugas1', password: 'salah' } })).status).toBe(401);
      expect(await hashOf('petugas1')).toMatch(/^scrypt\$4096\$/); // a wrong password upgrades nothing
      await login(second.url, 'petugas1');
      expect(await hashOf('petugas1')).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{43}=$/);
      expect(await hashOf('petugas2')).toMatch(/^scrypt\$4096\$/);
      // The new hash works, and is not upgraded again.
      const upgraded = await hashOf('petugas1');
      await login(second.url, 'petugas1');
      expect(await hashOf('petugas1')).toBe(upgraded);
    } finally {
      await second.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it(`runs at most ${HASH_CONCURRENCY} hashes at once and queues the rest`, async () => {
    const hasher = new PasswordHasher(12);
    const hash = await hasher.hash('rahasia');
    const all = Array.from({ length: 10 }, (_, i) => hasher.verify(i === 0 ? 'rahasia' : `salah-${i}`, hash));
    expect(hasher.load).toEqual({ running: HASH_CONCURRENCY, waiting: 10 - HASH_CONCURRENCY });
    const results = await Promise.all(all);
    expect(results.map((r) => r.ok)).toEqual([true, ...Array<boolean>(9).fill(false)]);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });

  it('drops the queued check of a client that hangs up before its turn', async () => {
    const srv = await startServer({ settings: { trustLoopbackDevices: false, passwordCost: 15 } });
    try {
      const hasher = srv.giliran.auth.hasher;
      const before = hasher.verified;
      const first = login(srv.url, 'petugas1');
      await until(() => hasher.load.running === HASH_CONCURRENCY || hasher.verified > before);
      // On a machine with more cores one of them takes the second slot at once (and is checked).
      const n = 5 + HASH_CONCURRENCY - 1;
      const leaving = Array.from({ length: n }, () => new AbortController());
      const gone = leaving.map((c, i) =>
        fetch(`${srv.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `petugas${(i % 3) + 2}`, password: 'salah' }), signal: c.signal }).then(
          () => 'answered',
          () => 'aborted',
        ),
      );
      await until(() => hasher.load.waiting >= 5);
      for (const c of leaving) c.abort();
      expect(await Promise.all(gone)).toEqual(Array(n).fill('aborted'));
      await first;
      await until(() => hasher.load.running === 0 && hasher.load.waiting === 0);
      expect(hasher.verified - before).toBe(HASH_CONCURRENCY);
    } finally {
      await srv.close();
    }
  });
});
