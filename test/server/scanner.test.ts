// Scanners: report byte fixtures (test/fixtures/hid) decode to the codes they
// carry, for both keyboard boot reports and HID POS reports; a scanner that
// is unplugged and plugged back in keeps working; no node-hid → one log line.
import { EventEmitter } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanEvent } from '../../protocol/devices.ts';
import { parseScannerUrl } from '../../server/devices/config.ts';
import { configureDevices } from '../../server/devices/index.ts';
import { HidScanner, KeyboardReportDecoder, PosReportDecoder, type HidDeviceInfo, type HidModule } from '../../server/devices/scanner.ts';
import { connect, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

interface Fixture {
  description: string;
  kind: 'keyboard' | 'pos';
  layout?: 'us' | 'id';
  reports: string[];
  expected: string[];
  symbologies?: string[];
}

const DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'hid');
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Fixture) }));

function logCapture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('report fixtures', () => {
  it('has fixtures of both kinds', () => {
    expect(new Set(fixtures.map((f) => f.kind))).toEqual(new Set(['keyboard', 'pos']));
  });

  for (const f of fixtures) {
    it(`${f.file}: ${f.description.split('.')[0]}`, () => {
      const codes: string[] = [];
      const symbologies: string[] = [];
      if (f.kind === 'keyboard') {
        const d = new KeyboardReportDecoder(f.layout ?? 'us');
        for (const hex of f.reports) codes.push(...d.push(Buffer.from(hex, 'hex')));
        expect(d.flush()).toBeNull();
      } else {
        const d = new PosReportDecoder();
        for (const hex of f.reports) {
          const scan = d.push(Buffer.from(hex, 'hex'));
          if (scan) {
            codes.push(scan.code);
            symbologies.push(scan.symbology);
          }
        }
      }
      expect(codes).toEqual(f.expected);
      if (f.symbologies) expect(symbologies).toEqual(f.symbologies);
    });
  }
});

describe('keyboard decoder details', () => {
  const rep = (mods: number, ...keys: number[]) => Buffer.from([mods, 0, ...keys, 0, 0, 0, 0, 0, 0].slice(0, 8));

  it('decodes the same with layout "id" as with "us" (Indonesia types on US QWERTY)', () => {
    const reports = [rep(0x02, 0x04), rep(0), rep(0, 0x33), rep(0), rep(0x20, 0x33), rep(0), rep(0, 0x28)];
    const us = new KeyboardReportDecoder('us');
    const id = new KeyboardReportDecoder('id');
    expect(reports.flatMap((r) => us.push(r))).toEqual(['A;:']);
    expect(reports.flatMap((r) => id.push(r))).toEqual(['A;:']);
  });

  it('gives the GS1 group separator for Ctrl+], applies backspace, and flushes a code without terminator', () => {
    const d = new KeyboardReportDecoder();
    for (const r of [rep(0, 0x1e), rep(0), rep(0x01, 0x30), rep(0), rep(0, 0x1f), rep(0), rep(0, 0x20), rep(0), rep(0, 0x2a), rep(0)]) d.push(r);
    expect(d.flush()).toBe('1\x1d2');
    expect(d.flush()).toBeNull();
  });
});

/** A fake node-hid: one device that can be plugged and unplugged. */
class FakeHid implements HidModule {
  plugged = true;
  opened = 0;
  /** How often the device list was read (each rescan reads it). */
  listed = 0;
  handle: (EventEmitter & { close(): void; closed: boolean }) | null = null;
  constructor(private readonly info: HidDeviceInfo) {}
  devices(): HidDeviceInfo[] {
    this.listed++;
    return this.plugged ? [{ vendorId: 0x1234, productId: 0x0001, path: '/dev/hidraw9', usagePage: 0x01, usage: 0x02, product: 'mouse' }, this.info] : [];
  }
  open(p: string) {
    if (!this.plugged || p !== this.info.path) throw new Error('could not open device');
    this.opened++;
    const h = Object.assign(new EventEmitter(), { closed: false, close() {
      h.closed = true;
    } });
    this.handle = h;
    return h;
  }
  unplug(): void {
    this.plugged = false;
    this.handle?.emit('error', new Error('could not read from HID device'));
  }
}

const typed = (s: string): Buffer[] => {
  // Lower-case letters and digits only, enough for this test.
  const out: Buffer[] = [];
  for (const c of s) {
    const key = c >= 'a' && c <= 'z' ? 0x04 + c.charCodeAt(0) - 97 : c === '0' ? 0x27 : 0x1e + Number(c) - 1;
    out.push(Buffer.from([0, 0, key, 0, 0, 0, 0, 0]), Buffer.alloc(8));
  }
  out.push(Buffer.from([0, 0, 0x28, 0, 0, 0, 0, 0]), Buffer.alloc(8));
  return out;
};

describe('HID scanner device', () => {
  const scanners: HidScanner[] = [];
  afterEach(() => {
    for (const s of scanners.splice(0)) s.close();
  });

  it('survives being unplugged and plugged back in, and says so in the log', async () => {
    const hid = new FakeHid({ vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw3', usagePage: 0x01, usage: 0x06, product: 'Scanner (keyboard)' });
    const { log, lines } = logCapture();
    const scanner = new HidScanner(parseScannerUrl('hid://0c2e:0b61', 'test'), { source: 'hid://0c2e:0b61', log, load: () => hid, rescanMs: 20 });
    scanners.push(scanner);
    const scans: ScanEvent[] = [];
    scanner.on('scan', (s) => scans.push(s));
    expect(scanner.start()).toBe(true);
    expect(scanner.attached).toBe(true);
    for (const r of typed('abc1')) hid.handle!.emit('data', r);
    expect(scans.map((s) => s.code)).toEqual(['abc1']);

    hid.unplug();
    expect(scanner.attached).toBe(false);
    const listed = hid.listed;
    await until(() => hid.listed >= listed + 3); // a few rescans while it is away
    hid.plugged = true;
    await until(() => scanner.attached);
    for (const r of typed('xyz9')) hid.handle!.emit('data', r);
    expect(scans.map((s) => s.code)).toEqual(['abc1', 'xyz9']);
    expect(hid.opened).toBe(2);
    const msgs = lines.map((l) => l.msg);
    expect(msgs.filter((m) => m === 'scanner connected')).toHaveLength(2);
    expect(msgs).toContain('scanner disconnected; waiting for it to come back');
    // Waiting quietly: one "not connected" line, not one per rescan.
    expect(msgs.filter((m) => m === 'scanner not connected; waiting for it')).toHaveLength(1);
  });

  it('picks the HID POS interface of a scanner that has both, in auto mode', () => {
    const hid = new FakeHid({ vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw4', usagePage: 0x8c, usage: 0x02 });
    const scanner = new HidScanner(parseScannerUrl('hid://0c2e:0b61', 'test'), { source: 's', log: pino({ level: 'silent' }), load: () => hid });
    scanners.push(scanner);
    const scans: ScanEvent[] = [];
    scanner.on('scan', (s) => scans.push(s));
    scanner.start();
    const r = Buffer.alloc(64);
    r.set([0x02, 4, 0x5d, 0x43, 0x30]);
    r.write('A001', 5, 'latin1');
    hid.handle!.emit('data', r);
    expect(scans.map((s) => s.code)).toEqual(['A001']);
  });

  it('without node-hid (or libusb): one clear error line, no crash', () => {
    const { log, lines } = logCapture();
    const scanner = new HidScanner(parseScannerUrl('hid://0c2e:0b61', 'test'), {
      source: 's',
      log,
      load: () => {
        throw new Error('scanner support is unavailable: cannot load node-hid (is libusb-1.0-0 installed? apt-get install libusb-1.0-0): libusb-1.0.so.0: cannot open shared object file');
      },
    });
    expect(scanner.start()).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: expect.stringContaining('libusb-1.0-0') });
  });
});

describe('server scanner', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
    configureDevices(null);
  });

  it('sends what the server-attached scanner reads to the kiosk as `scanned`', async () => {
    const hid = new FakeHid({ vendorId: 0x0c2e, productId: 0x0b61, path: '/dev/hidraw3', usagePage: 0x8c, usage: 0x02 });
    configureDevices({ printer: null, scanner: 'hid://0c2e:0b61', hid: () => hid });
    server = await startServer();
    const kiosk = connect(server.url, 'kiosk');
    await waitFor(kiosk, 'snapshot');
    const got = waitFor<ScanEvent>(kiosk, 'scanned');
    const fixture = fixtures.find((f) => f.file === 'pos-qr-continued.json')!;
    for (const hex of fixture.reports) hid.handle!.emit('data', Buffer.from(hex, 'hex'));
    expect(await got).toMatchObject({ code: fixture.expected[0], source: 'hid://0c2e:0b61' });
    kiosk.disconnect();
  });
});
