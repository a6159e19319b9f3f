// The print queue's exactly-once rules, against a scripted printer (what each
// attempt returns is set by the test), and the printer code against printers
// that answer no status at all.
import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PaperWidth, PrintResult, ReceiptDescription } from '../../protocol/devices.ts';
import { EscPosDecoder } from '../../tools/printer-emulator/escpos-decoder.ts';
import type { PrinterCondition } from '../../server/devices/escpos-commands.ts';
import { EscPosPrinter, TcpTransport, type JobBytes, type PrintAttempt, type ReceiptPrinter, type Resume } from '../../server/devices/printer.ts';
import { PrintSpooler } from '../../server/devices/spooler.ts';
import { until } from '../helpers/until.ts';

const log = pino({ level: 'silent' });
const receipt: ReceiptDescription = { kind: 'ticket', blocks: [{ type: 'text', text: 'A001', size: 4 }] };
const OK: PrinterCondition = { paperOut: false, paperNearEnd: false, coverOpen: false, offline: false, error: false, bytes: [0x12, 0x12, 0x12, 0x12] };
const PAPER_OUT: PrinterCondition = { ...OK, paperOut: true, offline: true, bytes: [0x1a, 0x32, 0x12, 0x72] };

/** A printer whose attempts follow a script; records what each attempt was asked to send. */
class ScriptedPrinter implements ReceiptPrinter {
  readonly url = 'fake://printer';
  readonly paper: PaperWidth = 80;
  sent: Array<{ resume: Resume; body: number; tail: number }> = [];
  constructor(private readonly script: PrintAttempt[]) {}
  async status(): Promise<PrinterCondition | null> {
    return OK;
  }
  async print(job: JobBytes, resume: Resume): Promise<PrintAttempt> {
    this.sent.push({ resume, body: job.body.length, tail: job.tail.length });
    return this.script.shift() ?? { kind: 'printed', condition: OK };
  }
  async close(): Promise<void> {}
}

const spoolers: PrintSpooler[] = [];
function spool(printer: ReceiptPrinter, timing = {}): { spooler: PrintSpooler; results: PrintResult[] } {
  const spooler = new PrintSpooler(printer, { printerId: 'p1', log, timing: { pollMs: 20, idlePollMs: 0, retryDelaysMs: [5, 5], ...timing } });
  const results: PrintResult[] = [];
  spooler.on('result', (_job, r) => results.push(r));
  spooler.start();
  spoolers.push(spooler);
  return { spooler, results };
}

afterEach(async () => {
  for (const s of spoolers.splice(0)) await s.close();
});

describe('print spooler', () => {
  it('queues a job id once, however often it is submitted', async () => {
    const printer = new ScriptedPrinter([]);
    const { spooler, results } = spool(printer);
    const a = spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    const b = spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    expect(b).toBe(a);
    await until(() => results.length === 1);
    // Known and printed: not queued again, so nothing is left for the worker to send.
    expect(spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true })).toMatchObject({ state: 'printed' });
    expect(spooler.pending).toEqual([]);
    expect(printer.sent).toHaveLength(1);
    expect(results).toEqual([{ jobId: 'j1', ticketId: 't1', state: 'printed', printer: expect.objectContaining({ state: 'ok' }) }]);
  });

  it('after an attempt whose body was confirmed, sends only the feed and cut', async () => {
    const printer = new ScriptedPrinter([{ kind: 'interrupted', reached: 'body', error: 'ECONNRESET', condition: OK }]);
    const { spooler, results } = spool(printer);
    spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    await until(() => results.length === 1);
    expect(printer.sent.map((s) => s.resume)).toEqual(['full', 'tail']);
    expect(results.map((r) => r.state)).toEqual(['printed']);
  });

  it('after an attempt cut off mid-body, reprints the whole job after the fragment note, once', async () => {
    const printer = new ScriptedPrinter([
      { kind: 'interrupted', reached: 'partial', error: 'ECONNRESET', condition: null },
      { kind: 'interrupted', reached: 'none', error: 'ECONNREFUSED', condition: null },
    ]);
    const { spooler, results } = spool(printer);
    spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    await until(() => results.length === 1);
    // The refused connection sent nothing: the next attempt still starts with the note.
    expect(printer.sent.map((s) => s.resume)).toEqual(['full', 'after-fragment', 'after-fragment']);
    expect(spooler.job('j1')).toMatchObject({ state: 'printed', attempts: 3 });
  });

  it('holds a ticket while out of paper (told failed once) and prints it once afterwards', async () => {
    const printer = new ScriptedPrinter([
      { kind: 'not_ready', condition: PAPER_OUT },
      { kind: 'not_ready', condition: PAPER_OUT },
      { kind: 'not_ready', condition: PAPER_OUT },
    ]);
    const { spooler, results } = spool(printer);
    const statuses: string[] = [];
    spooler.on('status', (s) => statuses.push(s.state));
    await until(() => statuses.length === 1);
    spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    await until(() => results.length === 2);
    expect(results.map((r) => [r.state, r.printer?.state])).toEqual([
      ['failed', 'paper_out'],
      ['printed', 'ok'],
    ]);
    expect(statuses).toEqual(['ok', 'paper_out', 'ok']); // first the start-up query
    expect(printer.sent).toHaveLength(4);
    expect(printer.sent.every((s) => s.resume === 'full')).toBe(true);
  });

  it('fails a slip at once when the printer cannot print, and never prints it later', async () => {
    const printer = new ScriptedPrinter([{ kind: 'not_ready', condition: PAPER_OUT }]);
    const { spooler, results } = spool(printer);
    spooler.submit({ id: 's1', ticketId: null, receipt: { ...receipt, kind: 'slip' }, hold: false });
    await until(() => results.length === 1);
    // Not held: out of the queue, so the worker never tries it again.
    expect(spooler.pending).toEqual([]);
    expect(results.map((r) => r.state)).toEqual(['failed']);
    expect(printer.sent).toHaveLength(1);
  });

  it('drops a held ticket that waited longer than holdMaxMs', async () => {
    const printer = new ScriptedPrinter(Array.from({ length: 50 }, () => ({ kind: 'not_ready', condition: PAPER_OUT }) as PrintAttempt));
    const { spooler, results } = spool(printer, { holdMaxMs: 60 });
    spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    await until(() => spooler.job('j1')?.state === 'failed');
    expect(results.map((r) => r.state)).toEqual(['failed']);
    expect(spooler.pending).toEqual([]);
  });

  it('prints jobs in the order they were submitted', async () => {
    const printer = new ScriptedPrinter([{ kind: 'interrupted', reached: 'none', error: 'ECONNREFUSED', condition: null }]);
    const { spooler, results } = spool(printer);
    for (const id of ['a', 'b', 'c']) spooler.submit({ id, ticketId: id, receipt, hold: true });
    await until(() => results.length === 3);
    expect(results.map((r) => r.jobId)).toEqual(['a', 'b', 'c']);
  });
});

/** A "printer" that takes bytes and never answers (no DLE EOT support), decoding what it gets. */
async function mutePrinter(): Promise<{ port: number; decoder: EscPosDecoder; connections: () => number; close(): Promise<void> }> {
  const decoder = new EscPosDecoder();
  let connections = 0;
  const socks = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    connections++;
    socks.add(s);
    s.on('data', (d) => decoder.push(d));
    s.on('error', () => {});
    s.on('end', () => s.end());
    s.on('close', () => socks.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    decoder,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        srv.close(() => r());
      }),
  };
}

describe('printers that answer no status', () => {
  it("'auto' falls back to write-only after one unanswered query, and says so once", async () => {
    const mute = await mutePrinter();
    let told = 0;
    const printer = new EscPosPrinter(new TcpTransport('127.0.0.1', mute.port), { paper: 58, status: 'auto', timeouts: { statusMs: 150 }, onNoStatus: () => told++ });
    const { spooler, results } = spool(printer);
    spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    spooler.submit({ id: 'j2', ticketId: 't2', receipt: { kind: 'ticket', blocks: [{ type: 'text', text: 'A002', size: 4 }] }, hold: true });
    await until(() => results.length === 2);
    expect(results.map((r) => r.state)).toEqual(['printed', 'printed']);
    expect(told).toBe(1);
    expect(mute.decoder.completed.map((r) => r.text.trim())).toEqual(['A001', 'A002']);
    expect(mute.decoder.completed[0]!.maxTextSize).toBe(4);
    await spooler.close();
    await mute.close();
  });

  it("'off' never sends DLE EOT", async () => {
    const mute = await mutePrinter();
    const printer = new EscPosPrinter(new TcpTransport('127.0.0.1', mute.port), { paper: 80, status: 'off' });
    const { spooler, results } = spool(printer);
    spooler.submit({ id: 'j1', ticketId: 't1', receipt, hold: true });
    await until(() => results.length === 1);
    const statusQueries = mute.decoder.completed.flatMap((r) => r.commands).filter((c) => c.type === 'status-request');
    expect(statusQueries).toEqual([]);
    expect(mute.decoder.completed.map((r) => r.text.trim())).toEqual(['A001']);
    await spooler.close();
    await mute.close();
  });
});
