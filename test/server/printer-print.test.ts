// Tickets issued at a kiosk are printed over real TCP to the ESC/POS printer
// emulator; the tests read what the emulator decoded (text, sizes, QR
// payloads, cuts), never the bytes the implementation produced.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { PrintResult, PrinterStatus } from '../../protocol/devices.ts';
import { trackUrl } from '../../protocol/urls.ts';
import { holderKey } from '../../server/auth/holder-key.ts';
import { devicesOf, type DeviceOverrides } from '../../server/devices/index.ts';
import type { DecodedReceipt } from '../../tools/printer-emulator/escpos-decoder.ts';
import { FAST_PRINTING, usePrinterRig } from '../helpers/printer-rig.ts';
import { emitAck, login, request, waitFor, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const rig = usePrinterRig();
let logLines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];

function captureLog() {
  logLines = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      cb();
    },
  });
  return pino({ level: 'info' }, stream);
}

async function start(o: DeviceOverrides = {}): Promise<TestServer> {
  const server = await rig.start({ printer: `tcp://127.0.0.1:${rig.emu.listeningPort}`, timing: FAST_PRINTING, log: captureLog(), ...o });
  // The printer's first status query has been answered (so the next connection is a job's).
  const spooler = devicesOf(server.giliran.io)?.localPrinters.get('env');
  if (spooler) await until(() => spooler.status.state !== 'unknown');
  return server;
}

const open = (role: 'kiosk' | 'counter', opts: { cookie?: string } = {}): Socket => rig.open(role, opts);
const spoolerOf = () => devicesOf(rig.server.giliran.io)!.localPrinters.get('env')!;

/** Collects every emission of an event. */
function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (x: T) => seen.push(x));
  return seen;
}

async function issue(kiosk: Socket, service = 'ktp-el'): Promise<{ id: string; number: string }> {
  const res = await emitAck(kiosk, 'issue', { service });
  expect(res.ok).toBe(true);
  return res.data.ticket;
}

function bigLines(r: DecodedReceipt): string[] {
  return r.lines.filter((l) => l.width >= 2 && l.height >= 2).map((l) => l.text);
}

describe('printing a kiosk ticket', () => {
  it('prints the number very large, the service, the wait and a QR code of the tracking URL', async () => {
    await start();
    const kiosk = open('kiosk');
    await waitFor(kiosk, 'snapshot');
    const results = record<PrintResult>(kiosk, 'print_result');
    const ticket = await issue(kiosk);
    const [receipt] = await rig.emu.waitForReceipts(1);
    const r = receipt!;
    const url = trackUrl(rig.server.url, 'kupang', ticket.id, holderKey(rig.server.giliran.secrets.holderKey, 'kupang', ticket.id));
    expect(r.qrPayloads).toEqual([url]);
    expect(bigLines(r)).toEqual([ticket.number]);
    expect(r.lines.find((l) => l.text === ticket.number)).toMatchObject({ width: 4, height: 4, align: 'center', bold: true });
    expect(r.text).toContain('Perekaman & Pencetakan KTP-el');
    expect(r.text).toContain('DINAS KEPENDUDUKAN DAN');
    expect(r.text).toContain('Di depan Anda: 0 orang');
    expect(r.text).toContain('Layanan ini GRATIS - tidak dipungut biaya');
    expect(r.text).toContain('SP4N-LAPOR!');
    expect(r.text).toMatch(/\d{2}\.\d{2} WITA/);
    expect(r.cut).toBe(true);
    await until(() => results.length === 1);
    expect(results).toEqual([{ jobId: `kupang/${ticket.id}`, ticketId: ticket.id, state: 'printed', printer: expect.objectContaining({ printerId: 'env', state: 'ok' }) }]);
  });

  it('counts the people ahead in the same service', async () => {
    await start();
    const kiosk = open('kiosk');
    await issue(kiosk);
    await issue(kiosk, 'kk');
    await issue(kiosk);
    const rs = await rig.emu.waitForReceipts(3);
    expect(rs.map((r) => bigLines(r)[0])).toEqual(['A001', 'B001', 'A002']);
    expect(rs.map((r) => /Di depan Anda: (\d+) orang/.exec(r.text)?.[1])).toEqual(['0', '0', '1']);
  });

  it('prints a ticket issued over REST from the kiosk machine', async () => {
    await start();
    const res = await request(rig.server.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'C' } });
    expect(res.status).toBe(201);
    const [r] = await rig.emu.waitForReceipts(1);
    expect(bigLines(r!)).toEqual(['C001']);
    expect(r!.qrPayloads).toEqual([trackUrl(rig.server.url, 'kupang', res.body.ticket.id, holderKey(rig.server.giliran.secrets.holderKey, 'kupang', res.body.ticket.id))]);
  });

  it('does not print tickets staff issue at the counter', async () => {
    await start();
    const cookie = await login(rig.server.url, 'petugas1');
    const counter = open('counter', { cookie });
    await waitFor(counter, 'snapshot');
    const res = await emitAck(counter, 'command', { type: 'issue', service: 'ktp-el' });
    expect(res.ok).toBe(true);
    // Jobs print in the order their tickets were issued: the kiosk ticket issued next is the first paper out.
    const next = await issue(open('kiosk'));
    const [first] = await rig.emu.waitForReceipts(1);
    expect(bigLines(first!)).toEqual([next.number]);
    expect(rig.emu.allReceipts).toHaveLength(1);
  });

  it("tells the kiosk 'no_printer' at once when it has none", async () => {
    await start({ printer: null });
    const kiosk = open('kiosk');
    const result = waitFor<PrintResult>(kiosk, 'print_result');
    const ticket = await issue(kiosk);
    expect(await result).toEqual({ jobId: `kupang/${ticket.id}`, ticketId: ticket.id, state: 'no_printer', printer: null });
  });

  it('sends the printer status to a kiosk and to staff when they connect', async () => {
    await start();
    const kiosk = open('kiosk');
    expect(await waitFor<PrinterStatus>(kiosk, 'printer_status')).toMatchObject({ printerId: 'env', state: 'ok' });
    const counter = open('counter', { cookie: await login(rig.server.url, 'petugas1') });
    expect(await waitFor<PrinterStatus>(counter, 'printer_status')).toMatchObject({ printerId: 'env', state: 'ok' });
  });
});

describe('printer faults', () => {
  it('paper out: the kiosk and staff are told, the ticket is held and printed once when paper is back', async () => {
    await start();
    const kiosk = open('kiosk');
    const counter = open('counter', { cookie: await login(rig.server.url, 'petugas1') });
    await waitFor(counter, 'snapshot');
    const kioskResults = record<PrintResult>(kiosk, 'print_result');
    const kioskStatus = record<PrinterStatus>(kiosk, 'printer_status');
    const staffStatus = record<PrinterStatus>(counter, 'printer_status');
    rig.emu.setPaperOut(true);
    const whilePaperOut: Buffer[] = [];
    const onData = (chunk: Buffer): void => void whilePaperOut.push(chunk);
    rig.emu.on('data', onData);

    const ticket = await issue(kiosk);
    await until(() => kioskResults.length === 1);
    expect(kioskResults[0]).toMatchObject({ ticketId: ticket.id, state: 'failed', printer: { printerId: 'env', state: 'paper_out' } });
    await until(() => staffStatus.some((s) => s.state === 'paper_out'));
    expect(kioskStatus.map((s) => s.state)).toContain('paper_out');
    expect(staffStatus.at(-1)!.message.id).toMatch(/Kertas printer habis/);
    const warn = logLines.find((l) => l.level === 40 && /out of paper/.test(l.msg));
    expect(warn).toMatchObject({ printer: 'env', to: 'paper_out' });
    // Held, not sent: while out of paper the printer got status queries (DLE EOT 1..4) and nothing else,
    // over two more attempts.
    await rig.statusPolls(2);
    expect(rig.emu.allReceipts).toEqual([]);
    rig.emu.off('data', onData);
    const query = [0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4];
    const seen = [...Buffer.concat(whilePaperOut)];
    expect(seen.length).toBeGreaterThanOrEqual(2 * query.length); // polled while held
    expect(seen).toEqual(Array.from({ length: seen.length / query.length }, () => query).flat());

    rig.emu.setPaperOut(false);
    const [r] = await rig.emu.waitForReceipts(1);
    expect(bigLines(r!)).toEqual([ticket.number]);
    await until(() => kioskResults.length === 2);
    expect(kioskResults[1]).toMatchObject({ ticketId: ticket.id, state: 'printed' });
    await until(() => staffStatus.at(-1)?.state === 'ok');
    // Printed exactly once: the spooler has nothing left to send.
    expect(spoolerOf().pending).toEqual([]);
    expect(spoolerOf().job(`kupang/${ticket.id}`)).toMatchObject({ state: 'printed' });
    expect(rig.emu.receipts).toHaveLength(1);
    expect(kioskResults).toHaveLength(2);
  });

  it('cover open: reported like paper out, and the ticket prints when it is closed', async () => {
    await start();
    const kiosk = open('kiosk');
    const results = record<PrintResult>(kiosk, 'print_result');
    rig.emu.setCoverOpen(true);
    await issue(kiosk);
    await until(() => results.length === 1);
    expect(results[0]).toMatchObject({ state: 'failed', printer: { state: 'cover_open' } });
    rig.emu.setCoverOpen(false);
    await rig.emu.waitForReceipts(1);
    await until(() => results.length === 2);
    expect(results[1]!.state).toBe('printed');
  });

  it('a connection dropped mid-job is retried once; the fragment is marked, the ticket printed once', async () => {
    await start();
    const kiosk = open('kiosk');
    const results = record<PrintResult>(kiosk, 'print_result');
    // 12 bytes of status queries, then ~200 bytes into the receipt.
    rig.emu.dropNextConnectionAfter(12 + 200);
    const ticket = await issue(kiosk);
    const rs = await rig.emu.waitForReceipts(2);
    await until(() => results.length === 1);
    expect(results).toEqual([expect.objectContaining({ ticketId: ticket.id, state: 'printed' })]);
    const [fragment, full] = rs;
    expect(fragment!.text).toContain('CETAKAN TERPUTUS - ABAIKAN POTONGAN INI');
    expect(fragment!.qrPayloads).toEqual([]);
    expect(bigLines(full!)).toEqual([ticket.number]);
    expect(full!.qrPayloads).toEqual([trackUrl(rig.server.url, 'kupang', ticket.id, holderKey(rig.server.giliran.secrets.holderKey, 'kupang', ticket.id))]);
    // One complete ticket: one receipt with the QR code, and no third attempt (nothing left to send).
    expect(spoolerOf().pending).toEqual([]);
    expect(rig.emu.receipts.filter((r) => r.qrPayloads.length > 0)).toHaveLength(1);
    const job = devicesOf(rig.server.giliran.io)!.localPrinters.get('env')!.job(`kupang/${ticket.id}`)!;
    expect(job).toMatchObject({ state: 'printed', attempts: 2 });
  });

  it('connection refused: retried, reported offline while it lasts, printed once when the printer is back', async () => {
    await start();
    const kiosk = open('kiosk');
    const counter = open('counter', { cookie: await login(rig.server.url, 'petugas1') });
    const staffStatus = record<PrinterStatus>(counter, 'printer_status');
    const results = record<PrintResult>(kiosk, 'print_result');
    await rig.emu.refuseConnections(true);
    const ticket = await issue(kiosk);
    await until(() => results.length === 1);
    expect(results[0]).toMatchObject({ state: 'failed', printer: { state: 'offline' } });
    await until(() => staffStatus.some((s) => s.state === 'offline'));
    await rig.emu.refuseConnections(false);
    const [r] = await rig.emu.waitForReceipts(1);
    expect(bigLines(r!)).toEqual([ticket.number]);
    await until(() => results.length === 2);
    expect(results[1]!.state).toBe('printed');
    expect(spoolerOf().pending).toEqual([]);
    expect(rig.emu.receipts).toHaveLength(1);
  });
});

describe('"what to bring" slip', () => {
  it('prints the missing items of the subcase and acknowledges the outcome', async () => {
    await start();
    const kiosk = open('kiosk');
    const res = await emitAck(kiosk, 'print_slip', { service: 'ktp-el', subcase: 'hilang', missing: ['surat-kehilangan-polisi', 'kk'] });
    expect(res).toMatchObject({ ok: true, data: { ticketId: null, state: 'printed' } });
    const [r] = await rig.emu.waitForReceipts(1);
    expect(r!.text).toContain('YANG PERLU DIBAWA');
    expect(r!.text).toContain('Perekaman & Pencetakan KTP-el - Hilang');
    // Checklist order, whatever order the kiosk sent.
    const items = r!.lines.filter((l) => l.text.startsWith('[ ]')).map((l) => l.text);
    expect(items[0]).toBe('[ ] Kartu Keluarga (KK)');
    expect(items[1]).toMatch(/^\[ \] Surat keterangan kehilangan/);
    expect(r!.text).toContain('Layanan ini GRATIS');
    expect(r!.qrPayloads).toEqual([]);
    expect(r!.cut).toBe(true);
  });

  it('is not held: out of paper it fails at once and is never printed later', async () => {
    await start();
    const kiosk = open('kiosk');
    rig.emu.setPaperOut(true);
    const res = await emitAck(kiosk, 'print_slip', { service: 'A', subcase: 'baru', missing: ['kk'] });
    expect(res).toMatchObject({ ok: true, data: { state: 'failed', printer: { state: 'paper_out' } } });
    rig.emu.setPaperOut(false);
    expect(spoolerOf().pending).toEqual([]); // not held by the spooler
    // Nothing more happens: nothing announces that no one resends a failed slip once the paper is
    // back, so give that a bounded 500 ms (five of the test printer's status polls).
    await new Promise((r) => setTimeout(r, 500));
    expect(rig.emu.allReceipts).toEqual([]);
  });

  it('refuses an invalid request', async () => {
    await start();
    const kiosk = open('kiosk');
    expect(await emitAck(kiosk, 'print_slip', { service: 'ktp-el', subcase: 'hilang', missing: [] })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await emitAck(kiosk, 'print_slip', { service: 'ktp-el', subcase: 'hilang', missing: ['ijazah'] })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await emitAck(kiosk, 'print_slip', { service: 'nope', subcase: 'x', missing: ['kk'] })).toMatchObject({ ok: false, error: { code: 'service_not_found' } });
    expect(rig.emu.allReceipts).toEqual([]);
  });
});
