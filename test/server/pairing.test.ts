// Device pairing end to end, with loopback trust off (as on an office LAN): an
// unpaired screen is refused, asks for a code, an admin approves it, the screen
// collects its token once, uses it, and loses it when the admin revokes it.
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { DeviceKind } from '../../protocol/model.ts';
import { AuthService, PAIR_PENDING_PER_ADDRESS, PAIR_PENDING_TOTAL } from '../../server/auth/auth-service.ts';
import type { Store } from '../../server/store/types.ts';
import { connect, connectOutcome, emitAck, login, pairDevice as pairDeviceVia, request, startServer, waitFor, type JsonResponse, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let admin: string;
let clerk: string;
let supervisor: string;
const open: Socket[] = [];
const track = (s: Socket) => (open.push(s), s);

beforeAll(async () => {
  srv = await startServer({ settings: { trustLoopbackDevices: false } });
  srv.giliran.queue.stopTimers();
  admin = await login(srv.url, 'admin');
  clerk = await login(srv.url, 'petugas1');
  supervisor = await login(srv.url, 'supervisor');
});
afterAll(async () => {
  for (const s of open) s.close();
  await srv?.close();
});

function expectError(res: JsonResponse, status: number, code: ErrorCode): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body?.error?.code).toBe(code);
  expect(res.body.error.message.id.length).toBeGreaterThan(0);
  expect(res.body.error.message.en.length).toBeGreaterThan(0);
}



const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function pairDevice(kind: DeviceKind, office: string): Promise<{ token: string; id: string }> {
  return pairDeviceVia(srv.url, admin, kind, office);
}

describe('pairing a display, end to end', () => {
  let requestId: string;
  let code: string;
  let secret: string;
  let token: string;
  let deviceId: string;

  it('refuses an unpaired display socket', async () => {
    expect(await connectOutcome(track(connect(srv.url, 'display')))).toBe('device_not_paired');
    expectError(await request(srv.url, 'GET', '/api/v1/devices/me'), 403, 'device_not_paired');
  });

  it('gives a six-digit code, a request id and a secret', async () => {
    const res = await request(srv.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'display', name: 'TV ruang tunggu' } });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^\d{6}$/);
    expect(typeof res.body.requestId).toBe('string');
    expect(typeof res.body.secret).toBe('string');
    expect(res.body.secret.length).toBeGreaterThanOrEqual(16);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
    ({ requestId, code, secret } = res.body);
  });

  it('refuses a pairing request of an unknown kind', async () => {
    expectError(await request(srv.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'toaster' } }), 400, 'bad_request');
    expectError(await request(srv.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'kiosk', extra: 1 } }), 400, 'bad_request');
  });

  it('reports pending to the device that holds the secret', async () => {
    const res = await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`, { headers: { 'x-pairing-secret': secret } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('pending');
    expect(res.body.token).toBeUndefined();
  });

  it('answers 404 pairing_not_found to a wrong or missing secret, or an unknown request', async () => {
    expectError(await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`, { headers: { 'x-pairing-secret': 'not-the-secret' } }), 404, 'pairing_not_found');
    expectError(await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`), 404, 'pairing_not_found');
    expectError(await request(srv.url, 'GET', '/api/v1/devices/pairing/unknown-request', { headers: { 'x-pairing-secret': secret } }), 404, 'pairing_not_found');
  });

  it('shows the pending code to an admin only, without the secret', async () => {
    const res = await request(srv.url, 'GET', '/api/v1/devices/pairing', { cookie: admin });
    expect(res.status).toBe(200);
    const entry = (res.body.pending as any[]).find((p) => p.code === code);
    expect(entry).toMatchObject({ code, kind: 'display', name: 'TV ruang tunggu' });
    expect(JSON.stringify(res.body)).not.toContain(secret);
    expect(JSON.stringify(res.body)).not.toContain(requestId);
    expectError(await request(srv.url, 'GET', '/api/v1/devices/pairing', { cookie: clerk }), 403, 'forbidden');
  });

  it('does not let a clerk or a supervisor approve', async () => {
    expectError(await request(srv.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { body: { office: 'kupang' }, cookie: clerk }), 403, 'forbidden');
    expectError(await request(srv.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { body: { office: 'kupang' }, cookie: supervisor }), 403, 'forbidden');
    expectError(await request(srv.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { body: { office: 'kupang' } }), 401, 'unauthenticated');
    const still = await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`, { headers: { 'x-pairing-secret': secret } });
    expect(still.body.status).toBe('pending');
  });

  it('refuses an approval with an unknown office, a malformed or an unknown code', async () => {
    expectError(await request(srv.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { body: { office: 'atlantis' }, cookie: admin }), 404, 'office_not_found');
    expectError(await request(srv.url, 'POST', '/api/v1/devices/pairing/12ab/approve', { body: { office: 'kupang' }, cookie: admin }), 400, 'bad_request');
    const other = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expectError(await request(srv.url, 'POST', `/api/v1/devices/pairing/${other}/approve`, { body: { office: 'kupang' }, cookie: admin }), 404, 'pairing_not_found');
    const still = await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`, { headers: { 'x-pairing-secret': secret } });
    expect(still.body.status).toBe('pending');
  });

  it('lets an admin approve it for kupang', async () => {
    const res = await request(srv.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { body: { office: 'kupang' }, cookie: admin });
    expect(res.status).toBe(201);
    expect(res.body.device).toMatchObject({ kind: 'display', officeId: 'kupang', name: 'TV ruang tunggu' });
    expect(res.body.device.token).toBeUndefined();
    expect(res.body.device.tokenHash).toBeUndefined();
    deviceId = res.body.device.id;
    // The same code cannot be approved twice.
    expectError(await request(srv.url, 'POST', `/api/v1/devices/pairing/${code}/approve`, { body: { office: 'kupang' }, cookie: admin }), 404, 'pairing_not_found');
  });

  it('hands the token out exactly once', async () => {
    const wrong = await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`, { headers: { 'x-pairing-secret': 'not-the-secret' } });
    expectError(wrong, 404, 'pairing_not_found');
    const first = await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`, { headers: { 'x-pairing-secret': secret } });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('approved');
    expect(typeof first.body.token).toBe('string');
    expect(first.body.token.length).toBeGreaterThanOrEqual(32);
    expect(first.body.device).toMatchObject({ id: deviceId, kind: 'display', officeId: 'kupang' });
    token = first.body.token;
    expectError(await request(srv.url, 'GET', `/api/v1/devices/pairing/${requestId}`, { headers: { 'x-pairing-secret': secret } }), 404, 'pairing_not_found');
  });

  it('keeps only a hash of the token on disk', async () => {
    const config = await readFile(path.join(srv.dataDir, 'config.json'), 'utf8');
    expect(config).toContain(deviceId);
    expect(config).not.toContain(token);
  });

  it('connects to /display with the token and gets the queue', async () => {
    const s = track(connect(srv.url, 'display', 'kupang', { deviceToken: token }));
    const snap = await waitFor<any>(s, 'snapshot');
    expect(snap.officeId).toBe('kupang');
    const r = await emitAck<any>(s, 'resync');
    expect(r.ok).toBe(true);
    s.close();
  });

  it('tells the device who it is at /api/v1/devices/me', async () => {
    const res = await request(srv.url, 'GET', '/api/v1/devices/me', { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.body.device).toEqual({ id: deviceId, kind: 'display', officeId: 'kupang', name: 'TV ruang tunggu' });
    expect(res.body.loopback).toBe(false);
    expectError(await request(srv.url, 'GET', '/api/v1/devices/me', { cookie: clerk }), 403, 'device_not_paired');
  });

  it('lets the display read the queue over REST but not issue or connect as a kiosk or counter', async () => {
    expect((await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { headers: bearer(token) })).status).toBe(200);
    expectError(await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'kk' }, headers: bearer(token) }), 403, 'forbidden');
    expect(await connectOutcome(track(connect(srv.url, 'kiosk', 'kupang', { deviceToken: token })))).toBe('forbidden');
    expect(await connectOutcome(track(connect(srv.url, 'counter', 'kupang', { deviceToken: token })))).toBe('forbidden');
  });

  it('lists the device to an admin without its token hash', async () => {
    const res = await request(srv.url, 'GET', '/api/v1/devices', { cookie: admin });
    expect(res.status).toBe(200);
    const d = (res.body.devices as any[]).find((x) => x.id === deviceId);
    expect(d).toMatchObject({ id: deviceId, kind: 'display', officeId: 'kupang', approvedBy: 'admin' });
    expect(d.tokenHash).toBeUndefined();
    expectError(await request(srv.url, 'GET', '/api/v1/devices', { cookie: supervisor }), 403, 'forbidden');
  });

  it('lets only an admin revoke it; afterwards the token no longer works', async () => {
    expectError(await request(srv.url, 'DELETE', `/api/v1/devices/${deviceId}`, { cookie: clerk }), 403, 'forbidden');
    expect((await request(srv.url, 'GET', '/api/v1/devices/me', { headers: bearer(token) })).status).toBe(200);

    const res = await request(srv.url, 'DELETE', `/api/v1/devices/${deviceId}`, { cookie: admin });
    expect(res.status).toBe(204);
    expect(await connectOutcome(track(connect(srv.url, 'display', 'kupang', { deviceToken: token })))).toBe('device_not_paired');
    expectError(await request(srv.url, 'GET', '/api/v1/devices/me', { headers: bearer(token) }), 403, 'device_not_paired');
    expectError(await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { headers: bearer(token) }), 401, 'unauthenticated');
    const list = await request(srv.url, 'GET', '/api/v1/devices', { cookie: admin });
    expect((list.body.devices as any[]).some((d) => d.id === deviceId)).toBe(false);
    expectError(await request(srv.url, 'DELETE', `/api/v1/devices/${deviceId}`, { cookie: admin }), 404, 'not_found');
  });
});

describe('devices and offices', () => {
  it('does not let a device approved for padang-panjang connect to kupang', async () => {
    const { token } = await pairDevice('display', 'padang-panjang');
    expect(await connectOutcome(track(connect(srv.url, 'display', 'kupang', { deviceToken: token })))).toBe('forbidden');
    expectError(await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { headers: bearer(token) }), 403, 'forbidden');
    const own = track(connect(srv.url, 'display', 'padang-panjang', { deviceToken: token }));
    const snap = await waitFor<any>(own, 'snapshot');
    expect(snap.officeId).toBe('padang-panjang');
  });

  it('lets a paired kiosk issue over its socket, and only in its own office', async () => {
    const { token } = await pairDevice('kiosk', 'kupang');
    const s = track(connect(srv.url, 'kiosk', 'kupang', { deviceToken: token }));
    await waitFor(s, 'snapshot');
    const r = await emitAck<any>(s, 'issue', { service: 'kk' });
    expect(r.ok).toBe(true);
    expect(r.data.ticket.source).toBe('kiosk');
    expect(await connectOutcome(track(connect(srv.url, 'kiosk', 'padang-panjang', { deviceToken: token })))).toBe('forbidden');
  });

  it('cuts off the open socket of a revoked kiosk', async () => {
    const { token, id } = await pairDevice('kiosk', 'kupang');
    const s = track(connect(srv.url, 'kiosk', 'kupang', { deviceToken: token }));
    await waitFor(s, 'snapshot');
    const gone = waitFor(s, 'disconnect', 1500).then(
      () => true,
      () => false,
    );
    expect((await request(srv.url, 'DELETE', `/api/v1/devices/${id}`, { cookie: admin })).status).toBe(204);
    if (!(await gone)) {
      // Still connected: at least it must no longer issue tickets.
      const before = (await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: admin })).body.version;
      const r = await emitAck<any>(s, 'issue', { service: 'kk' });
      const after = (await request(srv.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: admin })).body.version;
      expect(r.ok, 'a revoked kiosk still issues tickets over its open socket').toBe(false);
      expect(after).toBe(before);
    }
  });

  it('refuses a made-up device token', async () => {
    expect(await connectOutcome(track(connect(srv.url, 'display', 'kupang', { deviceToken: 'made-up-token' })))).toBe('device_not_paired');
  });
});

// ---------------------------------------------------------------------------
// Pending requests are capped and expire (issue 15)

function pairFrom(localAddress: string): Promise<{ status: number; body: any }> {
  const url = new URL('/api/v1/devices/pairing', srv.url);
  const body = JSON.stringify({ kind: 'kiosk' });
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('pending pairing requests', () => {
  it(`keeps at most ${PAIR_PENDING_PER_ADDRESS} per address: a newer one replaces that address's oldest`, async () => {
    const made = [];
    for (let i = 0; i < PAIR_PENDING_PER_ADDRESS + 1; i++) {
      const r = await pairFrom('127.0.5.1');
      expect(r.status).toBe(201);
      made.push(r.body as { requestId: string; secret: string; code: string });
    }
    const status = (m: { requestId: string; secret: string }) => request(srv.url, 'GET', `/api/v1/devices/pairing/${m.requestId}`, { headers: { 'x-pairing-secret': m.secret } });
    expectError(await status(made[0]!), 404, 'pairing_not_found');
    for (const m of made.slice(1)) expect((await status(m)).body.status).toBe('pending');
    const listed = (await request(srv.url, 'GET', '/api/v1/devices/pairing', { cookie: admin })).body.pending.map((p: { code: string }) => p.code);
    expect(listed).not.toContain(made[0]!.code);
    for (const m of made.slice(1)) expect(listed).toContain(m.code);
    // Another address is not affected.
    expect((await pairFrom('127.0.5.2')).status).toBe(201);
  });

  it(`refuses more than ${PAIR_PENDING_TOTAL} pending in all, and lets them expire`, () => {
    let clock = Date.parse('2026-12-01T03:00:00Z');
    const store = { config: { get: () => ({ users: [], devices: [] }) }, audit: {} } as unknown as Store;
    const auth = new AuthService(store, { trustLoopbackDevices: false, sessionHours: 1, loginAttempts: 5 }, () => new Date(clock));
    const codes = new Set<string>();
    for (let i = 0; i < PAIR_PENDING_TOTAL; i++) {
      const r = auth.startPairing('display', undefined, `10.0.${i >> 8}.${i & 255}`);
      expect(r).not.toBeNull();
      codes.add(r!.code);
    }
    expect(codes.size).toBe(PAIR_PENDING_TOTAL); // every pending code is unique
    expect(auth.startPairing('display', undefined, '10.9.9.9')).toBeNull();
    expect(auth.pendingPairings().length).toBe(PAIR_PENDING_TOTAL);
    clock += 15 * 60_000;
    expect(auth.pendingPairings().length).toBe(0);
    expect(auth.startPairing('display', undefined, '10.9.9.9')).not.toBeNull();
  });
});
