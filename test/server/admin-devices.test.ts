// Devices from the admin console: office-scoped pairing, revocation that cuts
// sockets at once, and a kiosk's printer set live in the configuration, checked
// with the ESC/POS printer emulator over real TCP sockets.
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureDevices } from '../../server/devices/index.ts';
import { PrinterEmulator } from '../../tools/printer-emulator/printer-emulator.ts';
import { FAST_PRINTING } from '../helpers/printer-rig.ts';
import { connect, connectOutcome, emitAck, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let emuA: PrinterEmulator;
let emuB: PrinterEmulator;
let server: TestServer | null = null;
let dataDir: string;
const sockets: Socket[] = [];
const D = '/api/v1/admin/offices/kupang/devices';

beforeEach(async () => {
  emuA = new PrinterEmulator();
  emuB = new PrinterEmulator();
  await emuA.start(0, '127.0.0.1');
  await emuB.start(0, '127.0.0.1');
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-devices-'));
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await server?.close();
  server = null;
  configureDevices(null);
  await emuA.stop();
  await emuB.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(printers: Record<string, string> = {}): Promise<TestServer> {
  configureDevices({ printer: null, printers, timing: FAST_PRINTING, slipTimeoutMs: 5000 });
  // No loopback trust: a revoked token must not fall back to the demo screen of this machine.
  server = await startServer({ dataDir, settings: { trustLoopbackDevices: false } });
  return server;
}

const tcp = (emu: PrinterEmulator, q = '') => `tcp://127.0.0.1:${emu.listeningPort}${q}`;

/** A kiosk asks to be paired; the admin approves it through the office's route; the kiosk collects its token. */
async function pairKiosk(s: TestServer, admin: string, name = 'Kiosk Lobi'): Promise<{ id: string; token: string }> {
  const started = await request(s.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'kiosk' } });
  const approved = await request(s.url, 'POST', `${D}/pairings/${started.body.code}/approve`, { cookie: admin, body: { name } });
  expect(approved.status).toBe(201);
  expect(approved.body.device).toMatchObject({ kind: 'kiosk', name, approvedBy: 'admin', online: false });
  const got = await request(s.url, 'GET', `/api/v1/devices/pairing/${started.body.requestId}`, { headers: { 'x-pairing-secret': started.body.secret } });
  return { id: got.body.device.id, token: got.body.token };
}

function kiosk(s: TestServer, token: string): Socket {
  const k = connect(s.url, 'kiosk', 'kupang', { deviceToken: token });
  sockets.push(k);
  return k;
}

async function officeAdmin(s: TestServer, admin: string, office: string, username: string): Promise<string> {
  const made = await request(s.url, 'POST', `/api/v1/admin/offices/${office}/staff`, { cookie: admin, body: { username, name: username, role: 'admin' } });
  const first = await request(s.url, 'POST', '/api/v1/session', { body: { username, password: made.body.password } });
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  await request(s.url, 'POST', '/api/v1/session/password', { cookie, body: { current: made.body.password, next: `${username}-sandi-baru` } });
  return cookie;
}

describe('devices in the admin console', () => {
  it('lists a pending request with its address, approves it into this office, shows it online', async () => {
    const s = await start();
    const admin = await login(s.url, 'admin');
    const started = await request(s.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'display', name: 'TV ruang tunggu' } });
    const list = await request(s.url, 'GET', D, { cookie: admin });
    expect(list.status).toBe(200);
    expect(list.body.pending).toEqual([{ code: started.body.code, kind: 'display', name: 'TV ruang tunggu', requestedAt: expect.any(String), address: '127.0.0.1' }]);
    const k = await pairKiosk(s, admin);
    const sock = kiosk(s, k.token);
    await waitFor(sock, 'snapshot');
    const after = await request(s.url, 'GET', D, { cookie: admin });
    const mine = after.body.paired.find((d: { id: string }) => d.id === k.id);
    expect(mine).toMatchObject({ kind: 'kiosk', name: 'Kiosk Lobi', online: true, lastSeen: expect.any(String), printer: { target: null, source: null, status: null } });
  });

  it('rejects a request: the screen is told pairing_not_found', async () => {
    const s = await start();
    const admin = await login(s.url, 'admin');
    const started = await request(s.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'kiosk' } });
    expect((await request(s.url, 'POST', `${D}/pairings/${started.body.code}/reject`, { cookie: admin })).status).toBe(204);
    const poll = await request(s.url, 'GET', `/api/v1/devices/pairing/${started.body.requestId}`, { headers: { 'x-pairing-secret': started.body.secret } });
    expect(poll.body.error.code).toBe('pairing_not_found');
    expect((await request(s.url, 'POST', `${D}/pairings/${started.body.code}/approve`, { cookie: admin, body: { name: 'x' } })).status).toBe(404);
  });

  it('keeps roles and offices apart: clerk 403, supervisor reads without codes, admin of another office 404', async () => {
    const s = await start();
    const admin = await login(s.url, 'admin');
    const k = await pairKiosk(s, admin);
    const started = await request(s.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'kiosk' } });
    const clerk = await login(s.url, 'petugas1');
    expect((await request(s.url, 'GET', D, { cookie: clerk })).status).toBe(403);
    const supervisor = await login(s.url, 'supervisor');
    const seen = await request(s.url, 'GET', D, { cookie: supervisor });
    expect(seen.status).toBe(200);
    expect(seen.body.pending).toEqual([]);
    expect(seen.body.paired.map((d: { id: string }) => d.id)).toEqual([k.id]);
    for (const cookie of [clerk, supervisor]) {
      expect((await request(s.url, 'POST', `${D}/pairings/${started.body.code}/approve`, { cookie, body: { name: 'x' } })).status).toBe(403);
      expect((await request(s.url, 'DELETE', `${D}/${k.id}`, { cookie })).status).toBe(403);
      expect((await request(s.url, 'PUT', `${D}/${k.id}/printer`, { cookie, body: { target: tcp(emuA) } })).status).toBe(403);
      expect((await request(s.url, 'POST', `${D}/${k.id}/test-print`, { cookie })).status).toBe(403);
    }
    const pp = await officeAdmin(s, admin, 'padang-panjang', 'admin-pp');
    const other = await request(s.url, 'GET', D, { cookie: pp });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('office_not_found');
    expect((await request(s.url, 'POST', `${D}/pairings/${started.body.code}/approve`, { cookie: pp, body: { name: 'x' } })).status).toBe(404);
    // Through its own office's path, another office's device is not found.
    const P = '/api/v1/admin/offices/padang-panjang/devices';
    expect((await request(s.url, 'DELETE', `${P}/${k.id}`, { cookie: pp })).status).toBe(404);
    expect((await request(s.url, 'PUT', `${P}/${k.id}/printer`, { cookie: pp, body: { target: tcp(emuA) } })).status).toBe(404);
    // The request is still there for this office's admin.
    expect((await request(s.url, 'POST', `${D}/pairings/${started.body.code}/approve`, { cookie: admin, body: { name: 'Kiosk 2' } })).status).toBe(201);
  });

  it('revokes a device: its socket is cut at once and its token refused', async () => {
    const s = await start();
    const admin = await login(s.url, 'admin');
    const k = await pairKiosk(s, admin);
    const sock = kiosk(s, k.token);
    await waitFor(sock, 'snapshot');
    const gone = waitFor<[string, unknown]>(sock, 'disconnect');
    expect((await request(s.url, 'DELETE', `${D}/${k.id}`, { cookie: admin })).status).toBe(204);
    expect((await gone)[0]).toBe('io server disconnect');
    const again = kiosk(s, k.token);
    expect(await connectOutcome(again)).toBe('device_not_paired');
    expect((await request(s.url, 'GET', D, { cookie: admin })).body.paired).toEqual([]);
  });

  it("sets a kiosk's printer live: the next ticket prints there, then on the next printer; test print answers", async () => {
    const s = await start();
    const admin = await login(s.url, 'admin');
    const k = await pairKiosk(s, admin);
    const sock = kiosk(s, k.token);
    await waitFor(sock, 'snapshot');
    const told = waitFor(sock, 'print_result');
    const noPrinter = await emitAck(sock, 'issue', { service: 'ktp-el' });
    expect(noPrinter.ok).toBe(true);
    expect((await told).state).toBe('no_printer');

    const set = await request(s.url, 'PUT', `${D}/${k.id}/printer`, { cookie: admin, body: { target: tcp(emuA, '?width=58') } });
    expect(set.status).toBe(200);
    expect(set.body.printer).toMatchObject({ target: tcp(emuA, '?width=58'), source: 'config' });
    const config = JSON.parse(await readFile(path.join(dataDir, 'config.json'), 'utf8'));
    expect(config.devices[0].printer).toBe(tcp(emuA, '?width=58'));
    const first = await emitAck(sock, 'issue', { service: 'ktp-el' });
    const [onA] = await emuA.waitForReceipts(1);
    expect(onA!.text).toContain(first.data.ticket.number);

    await request(s.url, 'PUT', `${D}/${k.id}/printer`, { cookie: admin, body: { target: tcp(emuB) } });
    const second = await emitAck(sock, 'issue', { service: 'ktp-el' });
    const [onB] = await emuB.waitForReceipts(1);
    expect(onB!.text).toContain(second.data.ticket.number);
    expect(emuA.receipts).toHaveLength(1);

    const test = await request(s.url, 'POST', `${D}/${k.id}/test-print`, { cookie: admin });
    expect(test.status).toBe(200);
    expect(test.body.result).toMatchObject({ state: 'printed', ticketId: null });
    const receipts = await emuB.waitForReceipts(2);
    expect(receipts[1]!.text).toContain('TES PRINTER');

    const listed = await request(s.url, 'GET', D, { cookie: admin });
    expect(listed.body.paired[0].printer).toMatchObject({ target: tcp(emuB), source: 'config', status: { state: 'ok' } });

    await request(s.url, 'PUT', `${D}/${k.id}/printer`, { cookie: admin, body: { target: null } });
    expect((await request(s.url, 'POST', `${D}/${k.id}/test-print`, { cookie: admin })).body.result.state).toBe('no_printer');
  });

  it('refuses a bad printer target with a bilingual error and changes nothing', async () => {
    const s = await start();
    const admin = await login(s.url, 'admin');
    const k = await pairKiosk(s, admin);
    const before = await readFile(path.join(dataDir, 'config.json'), 'utf8');
    for (const target of ['http://printer:9100', 'tcp://', 'tcp://h:9100?width=99', 'usb://zz:01', 42]) {
      const res = await request(s.url, 'PUT', `${D}/${k.id}/printer`, { cookie: admin, body: { target } });
      expect(res.status, String(target)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
      expect(res.body.error.message.id).toBeTruthy();
    }
    expect(await readFile(path.join(dataDir, 'config.json'), 'utf8')).toBe(before);
  });

  it('lets GILIRAN_PRINTERS override the configured printer (source env)', async () => {
    let s = await start();
    const admin = await login(s.url, 'admin');
    const k = await pairKiosk(s, admin);
    await request(s.url, 'PUT', `${D}/${k.id}/printer`, { cookie: admin, body: { target: tcp(emuA) } });
    await s.close();
    server = null;
    s = await start({ [k.id]: tcp(emuB) });
    const admin2 = await login(s.url, 'admin');
    const listed = await request(s.url, 'GET', D, { cookie: admin2 });
    expect(listed.body.paired[0].printer).toMatchObject({ target: tcp(emuB), source: 'env' });
    const sock = kiosk(s, k.token);
    await waitFor(sock, 'snapshot');
    const t = await emitAck(sock, 'issue', { service: 'ktp-el' });
    const [onB] = await emuB.waitForReceipts(1);
    expect(onB!.text).toContain(t.data.ticket.number);
    expect(emuA.receipts).toHaveLength(0);
  });
});
