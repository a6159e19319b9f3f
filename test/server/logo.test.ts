// The office logo: uploaded raw by an admin (PNG, JPEG or WebP by their magic
// bytes, ≤ 200 KB, never SVG), kept in the data folder, set as office.logo,
// served with cache headers and nosniff, sent live to screens, and (a PNG)
// printed on receipts — checked with the printer emulator over TCP.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureDevices } from '../../server/devices/index.ts';
import { PrinterEmulator } from '../../tools/printer-emulator/printer-emulator.ts';
import { FAST_PRINTING } from '../helpers/printer-rig.ts';
import { connect, emitAck, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG_ISH = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
const L = '/api/v1/admin/offices/kupang/logo';

let server: TestServer;
let emu: PrinterEmulator;
let admin: string;

beforeAll(async () => {
  emu = new PrinterEmulator();
  await emu.start(0, '127.0.0.1');
  configureDevices({ printer: `tcp://127.0.0.1:${emu.listeningPort}`, printers: {}, timing: FAST_PRINTING });
  server = await startServer();
  admin = await login(server.url, 'admin');
});

afterAll(async () => {
  await server.close();
  configureDevices(null);
  await emu.stop();
});

async function upload(body: Buffer, type: string, cookie = admin, office = 'kupang') {
  const res = await fetch(`${server.url}/api/v1/admin/offices/${office}/logo`, { method: 'POST', headers: { cookie, 'content-type': type }, body: new Uint8Array(body) });
  return { status: res.status, body: (await res.json()) as any };
}

async function logoFiles(): Promise<string[]> {
  const dir = path.join(server.dataDir, 'offices', 'kupang');
  return existsSync(dir) ? (await readdir(dir)).filter((f) => f.startsWith('logo.')) : [];
}

describe('office logo', () => {
  it('refuses SVG, a type its bytes do not match, an oversize file and non-admins, writing nothing', async () => {
    const cases: Array<[Buffer, string, number, string]> = [
      [SVG, 'image/svg+xml', 415, 'unsupported_media_type'],
      [SVG, 'image/png', 415, 'unsupported_media_type'],
      [JPEG_ISH, 'image/png', 415, 'unsupported_media_type'],
      [Buffer.concat([PNG_1x1, Buffer.alloc(200 * 1024)]), 'image/png', 413, 'payload_too_large'],
    ];
    for (const [body, type, status, code] of cases) {
      const res = await upload(body, type);
      expect(res.status, `${type} ${body.length}`).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.message.id).toBeTruthy();
      expect(res.body.error.message.en).toBeTruthy();
    }
    const clerk = await login(server.url, 'petugas1');
    expect((await upload(PNG_1x1, 'image/png', clerk)).status).toBe(403);
    const supervisor = await login(server.url, 'supervisor');
    expect((await upload(PNG_1x1, 'image/png', supervisor)).status).toBe(403);
    expect(await logoFiles()).toEqual([]);
    expect((await request(server.url, 'GET', '/api/v1/offices/kupang')).body.office.logo).toBeNull();
  });

  it('stores a PNG, sets office.logo, tells screens live, serves it cached with nosniff', async () => {
    const display = connect(server.url, 'display');
    await waitFor(display, 'snapshot');
    const told = waitFor<[{ id: string; logo: string | null }, number]>(display, 'office');
    const res = await upload(PNG_1x1, 'image/png');
    expect(res.status).toBe(200);
    expect(res.body.logo).toMatch(/^\/api\/v1\/offices\/kupang\/logo\?v=[0-9a-f]{16}$/);
    expect((await told)[0].logo).toBe(res.body.logo);
    display.close();
    expect((await request(server.url, 'GET', '/api/v1/offices/kupang')).body.office.logo).toBe(res.body.logo);
    expect(await logoFiles()).toEqual(['logo.png']);

    const got = await fetch(server.url + res.body.logo);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PNG_1x1);
    const again = await fetch(server.url + res.body.logo, { headers: { 'if-none-match': got.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('prints the uploaded PNG on the next receipt', async () => {
    emu.clear();
    const kiosk = connect(server.url, 'kiosk');
    await waitFor(kiosk, 'snapshot');
    const issued = await emitAck<any>(kiosk, 'issue', { service: 'kk' });
    expect(issued.ok).toBe(true);
    const [receipt] = await emu.waitForReceipts(1);
    expect(receipt!.text).toContain(issued.data.ticket.number);
    expect(receipt!.items.some((i) => i.type === 'image')).toBe(true);
    kiosk.close();
  });

  it('replaces it with a JPEG (the PNG goes), keeps offices apart, and removes it', async () => {
    const res = await upload(JPEG_ISH, 'image/jpeg');
    expect(res.status).toBe(200);
    expect(await logoFiles()).toEqual(['logo.jpg']);
    expect((await fetch(server.url + res.body.logo)).headers.get('content-type')).toBe('image/jpeg');

    const made = await request(server.url, 'POST', '/api/v1/admin/offices/padang-panjang/staff', { cookie: admin, body: { username: 'admin-pp', name: 'Admin PP', role: 'admin' } });
    const first = await request(server.url, 'POST', '/api/v1/session', { body: { username: 'admin-pp', password: made.body.password } });
    const pp = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    await request(server.url, 'POST', '/api/v1/session/password', { cookie: pp, body: { current: made.body.password, next: 'admin-pp-sandi-baru' } });
    expect((await upload(PNG_1x1, 'image/png', pp)).status).toBe(404);
    expect((await request(server.url, 'DELETE', L, { cookie: pp })).status).toBe(404);

    expect((await request(server.url, 'DELETE', L, { cookie: admin })).status).toBe(204);
    expect(await logoFiles()).toEqual([]);
    expect((await request(server.url, 'GET', '/api/v1/offices/kupang')).body.office.logo).toBeNull();
    expect((await request(server.url, 'GET', '/api/v1/offices/kupang/logo')).status).toBe(404);
  });
});
