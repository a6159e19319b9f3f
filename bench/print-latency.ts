// Time from a kiosk's `issue` request to the first byte of the ticket reaching
// the printer. The Giliran server runs as in production (server/main.ts in its
// own process, journal with fsync) with GILIRAN_PRINTER pointing at the ESC/POS
// printer emulator, which runs in this process; a socket.io kiosk client on
// 127.0.0.1 (the loopback demo kiosk) issues tickets one after another. All
// instants are `performance.timeOrigin + performance.now()` of this process.
//
// Per ticket:
//   ack        issue emitted → acknowledgement received (the ticket is on disk)
//   status     issue emitted → first byte at the printer (the DLE EOT status query)
//   receipt    issue emitted → first byte of the receipt itself (after the status reply)
//   cut        issue emitted → the cut arrived (whole ticket received)
// Baseline, same run: this process connects to the emulator and sends the
// same status query + a receipt-sized write directly (the transport floor).
// Goal: p95 of `receipt` ≤ 300 ms.
//
//   npx tsx bench/print-latency.ts [--tickets 200] [--warmup 10] [--spacing 30]
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { DecodedReceipt } from '../tools/printer-emulator/escpos-decoder.ts';
import { PrinterEmulator } from '../tools/printer-emulator/printer-emulator.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
function flag(name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}
const QUICK = argv.includes('--quick');
const TICKETS = flag('tickets', QUICK ? 50 : 200);
const WARMUP = flag('warmup', 10);
const SPACING_MS = flag('spacing', 30);
const GOAL_P95_MS = 300;

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
}
const fmt = (n: number) => n.toFixed(1).padStart(8);

async function startServer(printerPort: number, dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const config = path.join(dir, 'settings.json');
  await writeFile(config, JSON.stringify({ ticketsPerDevicePerMinute: 1_000_000, logLevel: 'warn' }));
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      GILIRAN_DATA: path.join(dir, 'data'),
      GILIRAN_DEMO_PASSWORD: 'bench-print-latency',
      GILIRAN_CONFIG: config,
      GILIRAN_PRINTER: `tcp://127.0.0.1:${printerPort}`,
      GILIRAN_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 60_000);
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}\n${err}`)));
  });
  return {
    url,
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

interface Sample {
  ack: number;
  status: number;
  receipt: number;
  cut: number;
}

async function measureServer(emu: PrinterEmulator, kiosk: Socket, count: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const before = emu.receipts.length;
    let firstData = Number.NaN;
    const onData = (): void => {
      if (Number.isNaN(firstData)) firstData = now();
    };
    emu.on('data', onData);
    const cut = new Promise<DecodedReceipt>((resolve) => {
      const on = (r: DecodedReceipt): void => {
        if (emu.receipts.length > before) {
          emu.off('receipt', on);
          resolve(r);
        }
      };
      emu.on('receipt', on);
    });
    const t0 = now();
    const res = (await kiosk.timeout(10_000).emitWithAck('issue', { service: 'ktp-el' })) as { ok: boolean };
    const ack = now();
    if (!res.ok) throw new Error(`issue failed: ${JSON.stringify(res)}`);
    const r = await Promise.race([cut, sleep(10_000).then(() => null)]);
    emu.off('data', onData);
    if (!r) throw new Error('the ticket did not reach the printer in 10 s');
    samples.push({ ack: ack - t0, status: firstData - t0, receipt: r.firstByteAt - t0, cut: (r.completedAt ?? Number.NaN) - t0 });
    await sleep(SPACING_MS);
  }
  return samples;
}

/** The transport floor: connect, status query and reply, then a receipt-sized write, timed to its first byte. */
async function measureBaseline(emu: PrinterEmulator, bytes: number, count: number): Promise<number[]> {
  const out: number[] = [];
  const body = Buffer.concat([Buffer.of(0x1b, 0x40), Buffer.alloc(bytes - 5, 0x41), Buffer.of(0x1d, 0x56, 0x01)]);
  for (let i = 0; i < count; i++) {
    const before = emu.receipts.length;
    const got = new Promise<DecodedReceipt>((resolve) => {
      const on = (r: DecodedReceipt): void => {
        if (emu.receipts.length > before) {
          emu.off('receipt', on);
          resolve(r);
        }
      };
      emu.on('receipt', on);
    });
    const t0 = now();
    const s = net.connect(emu.listeningPort, '127.0.0.1');
    s.setNoDelay(true);
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write(Buffer.of(0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4));
    await new Promise<void>((r) => {
      let n = 0;
      s.on('data', (d: Buffer) => {
        n += d.length;
        if (n >= 4) r();
      });
    });
    s.end(body);
    const r = await got;
    out.push(r.firstByteAt - t0);
    await new Promise<void>((r2) => s.once('close', () => r2()));
    await sleep(5);
  }
  return out;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-print-bench-'));
  const emu = new PrinterEmulator({ now });
  await emu.start(0, '127.0.0.1');
  const server = await startServer(emu.listeningPort, dir);
  const kiosk: Socket = io(`${server.url}/kiosk`, { auth: { office: 'kupang' }, transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    await new Promise<void>((resolve, reject) => {
      kiosk.once('snapshot', () => resolve());
      kiosk.once('connect_error', reject);
    });
    await measureServer(emu, kiosk, WARMUP);
    const samples = await measureServer(emu, kiosk, TICKETS);
    const receiptBytes = Math.round(emu.receipts.slice(-TICKETS).reduce((a, r) => a + r.byteLength, 0) / TICKETS);
    await measureBaseline(emu, receiptBytes, WARMUP);
    const baseline = await measureBaseline(emu, receiptBytes, TICKETS);

    const rows: Array<[string, number[]]> = [
      ['issue → ack', samples.map((s) => s.ack)],
      ['issue → first byte (status query)', samples.map((s) => s.status)],
      ['issue → first receipt byte', samples.map((s) => s.receipt)],
      ['issue → cut received', samples.map((s) => s.cut)],
      ['baseline: raw TCP → first receipt byte', baseline],
    ];
    console.log(`print latency: ${TICKETS} tickets (+${WARMUP} warm-up), ${SPACING_MS} ms apart, receipt ≈ ${receiptBytes} bytes, ${cpus().length} CPUs, Node ${process.version}`);
    console.log(`${'ms'.padEnd(40)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}`);
    for (const [name, v] of rows) console.log(`${name.padEnd(40)}${fmt(quantile(v, 0.5))}${fmt(quantile(v, 0.95))}${fmt(quantile(v, 0.99))}${fmt(Math.max(...v))}`);
    const p95 = quantile(samples.map((s) => s.receipt), 0.95);
    const ack95 = quantile(samples.map((s) => s.ack), 0.95);
    console.log(`first receipt byte p95 = ${p95.toFixed(1)} ms (goal ≤ ${GOAL_P95_MS} ms): ${p95 <= GOAL_P95_MS ? 'PASS' : 'FAIL'}; ${(p95 / ack95).toFixed(2)}× the issue ack p95, ${(p95 / quantile(baseline, 0.95)).toFixed(1)}× the raw-TCP baseline p95`);
    if (emu.receipts.length !== WARMUP * 2 + TICKETS * 2) console.log(`warning: ${emu.receipts.length} receipts at the emulator, expected ${WARMUP * 2 + TICKETS * 2}`);
    process.exitCode = p95 <= GOAL_P95_MS ? 0 : 1;
  } finally {
    kiosk.disconnect();
    await server.stop();
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
