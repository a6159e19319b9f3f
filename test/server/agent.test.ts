// The agent: a separate client on the /agent namespace with a paired device
// token, driving "its" printer (the emulator, over real TCP) for a kiosk.
// Jobs are printed exactly once across lost acknowledgements, reconnects and
// agent restarts.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PrintResult, PrinterStatus, ScanEvent } from '../../protocol/devices.ts';
import { trackUrl } from '../../protocol/urls.ts';
import { holderKey } from '../../server/auth/holder-key.ts';
import { Agent, type AgentOptions } from '../../server/agent/agent.ts';
import { configureDevices, devicesOf } from '../../server/devices/index.ts';
import { PrinterEmulator } from '../../tools/printer-emulator/printer-emulator.ts';
import type { HidModule } from '../../server/devices/scanner.ts';
import { connect, emitAck, login, okData, request, startServer, waitFor, type ClientSocket, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const FAST = { pollMs: 100, idlePollMs: 0, retryDelaysMs: [50], holdMaxMs: 60_000 };
const silent = pino({ level: 'silent' });

let emu: PrinterEmulator;
let server: TestServer;
let dir: string;
const agents: Agent[] = [];
const sockets: Array<{ disconnect(): unknown }> = [];

function record<T>(socket: { on(ev: string, fn: (x: T) => void): unknown }, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (x: T) => seen.push(x));
  return seen;
}

async function pairAgent(): Promise<{ token: string; id: string }> {
  const started = await request(server.url, 'POST', '/api/v1/devices/pairing', { body: { kind: 'agent', name: 'PC kiosk 1' } });
  expect(started.status).toBe(201);
  const admin = await login(server.url, 'admin');
  const approved = await request(server.url, 'POST', `/api/v1/devices/pairing/${started.body.code}/approve`, { cookie: admin, body: { office: 'kupang' } });
  expect(approved.status).toBe(201);
  const got = await request(server.url, 'GET', `/api/v1/devices/pairing/${started.body.requestId}`, { headers: { 'x-pairing-secret': started.body.secret } });
  return { token: got.body.token, id: got.body.device.id };
}

function agent(token: string, o: Partial<AgentOptions> = {}): Agent {
  const a = new Agent({
    server: server.url,
    token,
    printer: `tcp://127.0.0.1:${emu.listeningPort}`,
    scanner: null,
    kiosks: ['loopback'],
    stateFile: path.join(dir, 'agent-jobs.json'),
    log: silent,
    timing: FAST,
    reconnectDelayMs: 50,
    ...o,
  });
  agents.push(a);
  return a;
}

function kiosk(): ClientSocket<'kiosk'> {
  const s = connect(server.url, 'kiosk');
  sockets.push(s);
  return s;
}

async function issue(s: ClientSocket<'kiosk'>): Promise<{ id: string; number: string }> {
  const res = await emitAck(s, 'issue', { service: 'ktp-el' });
  expect(res.ok).toBe(true);
  return okData(res).ticket!;
}

/**
 * A bounded wait for the point "nothing more happens" (no second print of a
 * job): there is no event for a reprint that must not come, so the tests wait
 * this long after everything they expect has happened, then count.
 */
const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'giliran-agent-'));
  emu = new PrinterEmulator();
  await emu.start(0, '127.0.0.1');
  // The server has no printer of its own: kiosks are served by the agent.
  configureDevices({ printer: null, printers: {}, timing: FAST, agentOfflineGraceMs: 100, agentResendMs: 200 });
  server = await startServer();
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const a of agents.splice(0)) await a.close();
  await server.close();
  configureDevices(null);
  await emu.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('agent', () => {
  it('prints a ticket issued at its kiosk and reports the result through the server', async () => {
    const { token, id } = await pairAgent();
    const welcome = await agent(token).start();
    expect(welcome).toEqual({ agentId: id, officeId: 'kupang', printerId: `agent:${id}` });
    const k = kiosk();
    const results = record<PrintResult>(k, 'print_result');
    const ticket = await issue(k);
    const [r] = await emu.waitForReceipts(1);
    expect(r!.lines.find((l) => l.width === 4)?.text).toBe(ticket.number);
    expect(r!.qrPayloads).toEqual([trackUrl(server.url, 'kupang', ticket.id, holderKey(server.giliran.secrets.holderKey, 'kupang', ticket.id))]);
    await until(() => results.length === 1, 8000);
    expect(results[0]).toMatchObject({ ticketId: ticket.id, state: 'printed', printer: { printerId: `agent:${id}` } });
  });

  it('tells only the screen that issued a ticket how it printed, not the other screens of the same device', async () => {
    const { token } = await pairAgent();
    await agent(token).start();
    // Two demo screens on the server machine: both are the kiosk device "loopback".
    const [a, b] = [kiosk(), kiosk()];
    await Promise.all([waitFor(a, 'snapshot'), waitFor(b, 'snapshot')]);
    const toA = record<PrintResult>(a, 'print_result');
    const toB = record<PrintResult>(b, 'print_result');
    const first = await issue(a);
    await until(() => toA.length === 1, 8000);
    const second = await issue(b);
    // B's own result comes after anything sent to B for A's ticket: by then that would have arrived.
    await until(() => toB.length === 1, 8000);
    expect(toA.map((r) => r.ticketId)).toEqual([first.id]);
    expect(toB.map((r) => r.ticketId)).toEqual([second.id]);
    expect(toA[0]!.state).toBe('printed');
  });

  it('a lost acknowledgement: the server resends after the reconnect and the agent does not reprint', async () => {
    const { token } = await pairAgent();
    const a = agent(token);
    await a.start();
    const deliveries = record<unknown>(a.socket!, 'print');
    const welcomes = record<unknown>(a, 'welcome');
    a.loseAcks = 1;
    const k = kiosk();
    const results = record<PrintResult>(k, 'print_result');
    const ticket = await issue(k);
    await emu.waitForReceipts(1);
    // Reconnected, got the same job again, acknowledged it this time.
    await until(() => welcomes.length >= 1 && deliveries.length >= 2, 8000);
    const jobId = `kupang/${ticket.id}`;
    await until(() => devicesOf(server.giliran.io)!.job(jobId)!.told.includes('printed'), 8000);
    await settle();
    expect(emu.receipts).toHaveLength(1);
    expect(results.filter((x) => x.state === 'printed')).toHaveLength(1);
    expect(results.filter((x) => x.state === 'failed')).toHaveLength(0);
  });

  it('a reconnect after printing does not reprint anything', async () => {
    const { token } = await pairAgent();
    const a = agent(token);
    await a.start();
    const k = kiosk();
    await issue(k);
    await issue(k);
    await emu.waitForReceipts(2);
    const welcomes = record<unknown>(a, 'welcome');
    a.socket!.io.engine.close();
    await until(() => welcomes.length === 1, 8000);
    await emu.waitForReceipts(2);
    await settle();
    expect(emu.receipts).toHaveLength(2);
    expect(emu.receipts.map((r) => r.lines.find((l) => l.width === 4)?.text)).toEqual(['A001', 'A002']);
  });

  it('a restarted agent with the same state file does not reprint a job whose acknowledgement was lost', async () => {
    const { token } = await pairAgent();
    const first = agent(token, { reconnectDelayMs: 60_000 });
    await first.start();
    first.loseAcks = 1;
    const gone = waitFor(first, 'disconnected');
    const k = kiosk();
    const ticket = await issue(k);
    await gone;
    await emu.waitForReceipts(1);
    await until(() => first.spooler!.job(`kupang/${ticket.id}`)?.state === 'printed', 8000);
    await first.close();

    const second = agent(token);
    const deliveries: unknown[] = [];
    second.on('welcome', () => second.socket!.on('print', (j: unknown) => deliveries.push(j)));
    await second.start();
    await until(() => devicesOf(server.giliran.io)!.job(`kupang/${ticket.id}`)!.told.includes('printed'), 8000);
    // The server did send the job again (its acknowledgement had been lost) …
    await until(() => deliveries.length >= 1, 8000);
    await settle();
    // … and it was not printed a second time.
    expect(emu.receipts).toHaveLength(1);
    expect(second.spooler!.job(`kupang/${ticket.id}`)).toBeUndefined();
  });

  it('paper out at the agent: kiosk and staff told, printed once when paper is back', async () => {
    const { token, id } = await pairAgent();
    const a = agent(token);
    await a.start();
    const counter = connect(server.url, 'counter', 'kupang', { cookie: await login(server.url, 'petugas1') });
    sockets.push(counter);
    await waitFor(counter, 'snapshot');
    const staff = record<PrinterStatus>(counter, 'printer_status');
    const k = kiosk();
    const results = record<PrintResult>(k, 'print_result');
    emu.setPaperOut(true);
    const ticket = await issue(k);
    await until(() => results.length === 1, 8000);
    expect(results[0]).toMatchObject({ ticketId: ticket.id, state: 'failed', printer: { printerId: `agent:${id}`, state: 'paper_out' } });
    await until(() => staff.some((s) => s.state === 'paper_out' && s.printerId === `agent:${id}`), 8000);
    emu.setPaperOut(false);
    await emu.waitForReceipts(1);
    await until(() => results.length === 2, 8000);
    expect(results[1]).toMatchObject({ state: 'printed' });
    await settle();
    expect(emu.receipts).toHaveLength(1);
  });

  it('a ticket issued while the agent is away is printed once when it comes back', async () => {
    const { token, id } = await pairAgent();
    const first = agent(token);
    await first.start();
    await first.close();
    const k = kiosk();
    const results = record<PrintResult>(k, 'print_result');
    const ticket = await issue(k);
    await until(() => results.length === 1, 8000);
    expect(results[0]).toMatchObject({ state: 'failed', printer: { printerId: `agent:${id}`, state: 'offline' } });
    expect(emu.allReceipts).toEqual([]);
    await agent(token).start();
    const [r] = await emu.waitForReceipts(1);
    expect(r!.lines.find((l) => l.width === 4)?.text).toBe(ticket.number);
    await until(() => results.length === 2, 8000);
    expect(results[1]!.state).toBe('printed');
    await settle();
    expect(emu.receipts).toHaveLength(1);
  });

  it("delivers its scanner's codes to its kiosk as `scanned`", async () => {
    const { token } = await pairAgent();
    const device = new EventEmitter() as EventEmitter & { close(): void };
    device.close = () => {};
    const hid: HidModule = {
      devices: () => [{ vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw3', usagePage: 0x8c, usage: 0x02, product: 'Fake HID POS scanner' }],
      open: () => device,
    };
    await agent(token, { printer: null, scanner: 'hid://0c2e:0b61', hid: () => hid }).start();
    const k = kiosk();
    await waitFor(k, 'snapshot');
    const scanned = waitFor<ScanEvent>(k, 'scanned');
    const report = Buffer.alloc(64);
    report[0] = 0x02;
    report[1] = 8;
    report.write(']Q1', 2, 'latin1');
    report.write('BOOK-123', 5, 'latin1');
    device.emit('data', report);
    expect(await scanned).toMatchObject({ code: 'BOOK-123', source: 'hid://0c2e:0b61' });
  });

  it('refuses a hello from staff on the agent namespace', async () => {
    const s = connect(server.url, 'agent', 'kupang', { cookie: await login(server.url, 'admin') });
    sockets.push(s);
    await waitFor(s, 'snapshot');
    const res = await emitAck(s, 'hello', { kiosks: ['loopback'], printer: null, scanner: null, version: 'x' });
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
