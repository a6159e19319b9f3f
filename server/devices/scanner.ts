// Barcode/QR scanners over node-hid, in either of the two ways they talk USB:
//
// Keyboard mode (most scanners out of the box): HID boot-protocol keyboard
// input reports, 8 bytes: [modifiers, reserved, key1 … key6], keys as usage
// ids of the Keyboard/Keypad page (HID Usage Tables 1.21, §10). A character
// is a key that appears in a report and was not in the one before; shift is
// modifier bit 1 (left) or 5 (right); Enter, keypad Enter or Tab ends a code.
// The "Indonesian" layout is the US one: Indonesia uses US QWERTY keyboards,
// so `layout: 'id'` is accepted and decodes exactly like 'us'. A 9-byte report
// is taken to carry a report-ID byte first. Caps Lock is ignored (scanners
// send shift). Ctrl+letter and Ctrl+[ \ ] give ASCII control characters
// (GS1 codes send the group separator as Ctrl+]).
//
// HID POS mode (usage page 0x8C, "HID Point of Sale Usage Tables" 1.02, as
// Honeywell, Zebra and Datalogic scanners send it): a Scanned Data Report,
// 64 bytes:
//   byte 0       report ID 0x02
//   byte 1       number of data bytes in this report (0..56)
//   bytes 2–4    AIM symbology identifier, e.g. "]Q1" QR, "]C0" Code 128, "]E0" EAN-13
//   bytes 5–60   decoded data (UTF-8), zero padded
//   bytes 61–62  vendor specific (ignored)
//   byte 63      bit 0 "Decode Data Continued": more reports follow for this scan
// Other report IDs (trigger, status) are ignored.
//
// node-hid is loaded only when a scanner is configured; if it or libusb cannot
// be loaded, one error line says so and the server goes on without a scanner.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { ScanEvent } from '../../protocol/devices.ts';
import type { Logger } from '../log.ts';
import type { ScannerTarget } from './config.ts';

// ------------------------------------------------------------------ keyboard

export type KeyboardLayout = 'us' | 'id';

/** US layout: usage id → [unshifted, shifted]. */
const US_KEYS: Record<number, [string, string]> = {};
for (let i = 0; i < 26; i++) {
  const c = String.fromCharCode(97 + i);
  US_KEYS[0x04 + i] = [c, c.toUpperCase()];
}
'1234567890'.split('').forEach((d, i) => (US_KEYS[0x1e + i] = [d, '!@#$%^&*()'[i]!]));
Object.assign(US_KEYS, {
  0x2c: [' ', ' '],
  0x2d: ['-', '_'],
  0x2e: ['=', '+'],
  0x2f: ['[', '{'],
  0x30: [']', '}'],
  0x31: ['\\', '|'],
  0x32: ['#', '~'], // non-US # and ~ (not on US keyboards; harmless)
  0x33: [';', ':'],
  0x34: ["'", '"'],
  0x35: ['`', '~'],
  0x36: [',', '<'],
  0x37: ['.', '>'],
  0x38: ['/', '?'],
  // Keypad (Num Lock assumed on, as scanners send digits).
  0x54: ['/', '/'],
  0x55: ['*', '*'],
  0x56: ['-', '-'],
  0x57: ['+', '+'],
  0x59: ['1', '1'],
  0x5a: ['2', '2'],
  0x5b: ['3', '3'],
  0x5c: ['4', '4'],
  0x5d: ['5', '5'],
  0x5e: ['6', '6'],
  0x5f: ['7', '7'],
  0x60: ['8', '8'],
  0x61: ['9', '9'],
  0x62: ['0', '0'],
  0x63: ['.', '.'],
});
const LAYOUTS: Record<KeyboardLayout, Record<number, [string, string]>> = { us: US_KEYS, id: US_KEYS };

const KEY_ENTER = 0x28;
const KEY_BACKSPACE = 0x2a;
const KEY_TAB = 0x2b;
const KEY_KP_ENTER = 0x58;
const ERROR_ROLLOVER = 0x01;
const SHIFT = 0x02 | 0x20;
const CTRL = 0x01 | 0x10;

export class KeyboardReportDecoder {
  private previous = new Set<number>();
  private buffer = '';
  private readonly keys: Record<number, [string, string]>;

  constructor(layout: KeyboardLayout = 'us') {
    this.keys = LAYOUTS[layout];
  }

  /** Decodes one input report; returns the codes it completed (usually none or one). */
  push(report: Uint8Array): string[] {
    const r = report.length === 9 ? report.subarray(1) : report;
    if (r.length < 3) return [];
    const mods = r[0]!;
    const now = [...r.subarray(2, 8)].filter((k) => k !== 0);
    // Too many keys at once: the report says nothing about which; keep the last state.
    if (now.includes(ERROR_ROLLOVER)) return [];
    const out: string[] = [];
    for (const key of now) {
      if (this.previous.has(key)) continue;
      if (key === KEY_ENTER || key === KEY_KP_ENTER || key === KEY_TAB) {
        if (this.buffer.length > 0) out.push(this.buffer);
        this.buffer = '';
      } else if (key === KEY_BACKSPACE) {
        this.buffer = this.buffer.slice(0, -1);
      } else {
        const ch = this.keys[key];
        if (!ch) continue;
        if (mods & CTRL) {
          const c = ch[0].toUpperCase().charCodeAt(0);
          if (c >= 0x40 && c <= 0x5f) this.buffer += String.fromCharCode(c & 0x1f);
        } else {
          this.buffer += mods & SHIFT ? ch[1] : ch[0];
        }
      }
    }
    this.previous = new Set(now);
    return out;
  }

  /** Ends a code that came without a terminator (the scanner sends no suffix); null when nothing is pending. */
  flush(): string | null {
    const code = this.buffer;
    this.buffer = '';
    return code.length > 0 ? code : null;
  }
}

// ------------------------------------------------------------------ HID POS

export const POS_USAGE_PAGE = 0x8c;
const SCANNED_DATA_REPORT = 0x02;
const POS_DATA_OFFSET = 5;
const POS_DATA_MAX = 56;

export interface PosScan {
  code: string;
  /** AIM symbology identifier ("]Q1"), or '' when the scanner sent none. */
  symbology: string;
}

export class PosReportDecoder {
  private parts: Buffer[] = [];
  private symbology = '';

  /** Decodes one input report; returns the scan it completed, if any. */
  push(report: Uint8Array): PosScan | null {
    if (report.length < POS_DATA_OFFSET || report[0] !== SCANNED_DATA_REPORT) return null;
    const n = Math.min(report[1]!, POS_DATA_MAX, report.length - POS_DATA_OFFSET);
    if (this.parts.length === 0) this.symbology = Buffer.from(report.subarray(2, 5)).toString('latin1').replace(/\0/g, '');
    this.parts.push(Buffer.from(report.subarray(POS_DATA_OFFSET, POS_DATA_OFFSET + n)));
    const continued = report.length >= 64 ? (report[63]! & 0x01) === 1 : false;
    if (continued) return null;
    const code = Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    return code.length > 0 ? { code, symbology: this.symbology } : null;
  }
}

// ------------------------------------------------------------------ device

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
  product?: string | undefined;
}

export interface HidHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  close(): void;
}

/** The part of node-hid used here (tests pass a fake). */
export interface HidModule {
  devices(): HidDeviceInfo[];
  open(path: string): HidHandle;
}

export function realHid(): HidModule {
  const require = createRequire(import.meta.url);
  let mod: { devices(): HidDeviceInfo[]; HID: new (path: string) => HidHandle };
  try {
    mod = require('node-hid') as typeof mod;
  } catch (err) {
    throw new Error(`scanner support is unavailable: cannot load node-hid (is libusb-1.0-0 installed? apt-get install libusb-1.0-0): ${(err as Error).message}`);
  }
  return { devices: () => mod.devices(), open: (path) => new mod.HID(path) };
}

export interface HidScannerOptions {
  /** ScanEvent.source. */
  source: string;
  log: Logger;
  load?: () => HidModule;
  /** How often to look for the device while it is absent. */
  rescanMs?: number;
  /** A keyboard-mode code with no terminator ends after this much quiet. */
  idleFlushMs?: number;
  layout?: KeyboardLayout;
  now?: () => Date;
}

export type HidScannerEvents = {
  scan: [scan: ScanEvent];
  attached: [info: HidDeviceInfo];
  detached: [];
};

/** Opens the configured scanner when it is plugged in, decodes its reports, and waits for it again when it is pulled out. */
export class HidScanner extends EventEmitter<HidScannerEvents> {
  private hid: HidModule | null = null;
  private handle: HidHandle | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private toldMissing = false;
  private readonly rescanMs: number;
  private readonly now: () => Date;

  constructor(
    readonly target: ScannerTarget,
    private readonly opts: HidScannerOptions,
  ) {
    super();
    this.rescanMs = opts.rescanMs ?? 2000;
    this.now = opts.now ?? (() => new Date());
  }

  get attached(): boolean {
    return this.handle !== null;
  }

  /** Loads node-hid and starts looking for the device. Returns false (after one log line) when HID support cannot load. */
  start(): boolean {
    try {
      this.hid = (this.opts.load ?? realHid)();
    } catch (err) {
      this.opts.log.error({ scanner: this.target.url }, (err as Error).message);
      return false;
    }
    this.look();
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.detach(false);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => this.look(), this.rescanMs);
    this.timer.unref();
  }

  private pick(list: HidDeviceInfo[]): { info: HidDeviceInfo; mode: 'keyboard' | 'pos' } | null {
    const mine = list.filter((d) => d.vendorId === this.target.vendorId && d.productId === this.target.productId && d.path);
    if (mine.length === 0) return null;
    const pos = mine.find((d) => d.usagePage === POS_USAGE_PAGE);
    const keyboard = mine.find((d) => d.usagePage === 0x01 && d.usage === 0x06);
    if (this.target.mode === 'pos') return { info: pos ?? mine[0]!, mode: 'pos' };
    if (this.target.mode === 'keyboard') return { info: keyboard ?? mine[0]!, mode: 'keyboard' };
    if (pos) return { info: pos, mode: 'pos' };
    return { info: keyboard ?? mine[0]!, mode: 'keyboard' };
  }

  private look(): void {
    this.timer = null;
    if (this.closed || this.handle || !this.hid) return;
    let found: ReturnType<HidScanner['pick']> = null;
    try {
      found = this.pick(this.hid.devices());
    } catch (err) {
      this.opts.log.warn({ err, scanner: this.target.url }, 'cannot list HID devices');
    }
    if (!found) {
      if (!this.toldMissing) {
        this.toldMissing = true;
        this.opts.log.warn({ scanner: this.target.url }, 'scanner not connected; waiting for it');
      }
      return this.schedule();
    }
    try {
      this.open(found.info, found.mode);
    } catch (err) {
      // Typically EACCES on /dev/hidraw*: see the udev rule in docs/hardware.md.
      if (!this.toldMissing) {
        this.toldMissing = true;
        this.opts.log.error({ err, scanner: this.target.url, path: found.info.path }, 'cannot open scanner');
      }
      this.schedule();
    }
  }

  private open(info: HidDeviceInfo, mode: 'keyboard' | 'pos'): void {
    const handle = this.hid!.open(info.path!);
    this.handle = handle;
    this.toldMissing = false;
    const keyboard = new KeyboardReportDecoder(this.opts.layout ?? 'us');
    const pos = new PosReportDecoder();
    handle.on('data', (data: Buffer) => {
      if (mode === 'pos') {
        const scan = pos.push(data);
        if (scan) this.deliver(scan.code);
        return;
      }
      for (const code of keyboard.push(data)) this.deliver(code);
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = setTimeout(() => {
        const code = keyboard.flush();
        if (code) this.deliver(code);
      }, this.opts.idleFlushMs ?? 150);
      this.flushTimer.unref();
    });
    handle.on('error', (err: Error) => {
      // node-hid reports an unplugged device as a read error.
      this.opts.log.warn({ scanner: this.target.url, detail: err.message }, 'scanner disconnected; waiting for it to come back');
      this.detach(true);
    });
    this.opts.log.info({ scanner: this.target.url, mode, product: info.product, path: info.path }, 'scanner connected');
    this.emit('attached', info);
  }

  private detach(rescan: boolean): void {
    const h = this.handle;
    this.handle = null;
    if (h) {
      try {
        h.close();
      } catch {
        /* already gone */
      }
      this.emit('detached');
    }
    if (rescan) this.schedule();
  }

  private deliver(code: string): void {
    this.emit('scan', { code, source: this.opts.source, at: this.now().toISOString() });
  }
}
