// Which printer and scanner belong where, from the environment:
//
//   GILIRAN_PRINTER=tcp://192.168.1.50:9100       the quick-start printer: the loopback
//                                                 kiosk's and any kiosk without its own
//   GILIRAN_PRINTERS={"dev-abc":"tcp://10.0.0.7:9100?width=58","dev-def":"agent://dev-xyz"}
//                                                 per kiosk device id
//   GILIRAN_SCANNER=hid://0c2e:0b61               a scanner on the server machine
//   GILIRAN_RECEIPT_LOGO=/etc/giliran/logo.png    logo printed on every receipt
//
// Printer URLs: tcp://HOST[:PORT] (port 9100 by default), usb://VID:PID (hex),
// agent://AGENT_DEVICE_ID (the printer attached to that agent); options
// ?width=58|80 (default 80) and &status=off (never send DLE EOT). A wrong value
// stops the start with the variable named, like the settings file does.
import { readFileSync } from 'node:fs';
import type { PaperWidth } from '../../protocol/devices.ts';

export type PrinterTarget =
  | { kind: 'tcp'; url: string; host: string; port: number; paper: PaperWidth; status: 'auto' | 'off' }
  | { kind: 'usb'; url: string; vendorId: number; productId: number; paper: PaperWidth; status: 'auto' | 'off' }
  | { kind: 'agent'; url: string; agentId: string };

export interface ScannerTarget {
  url: string;
  vendorId: number;
  productId: number;
  /** 'auto' picks by the device's HID usage page (0x8C → HID POS, else keyboard). */
  mode: 'auto' | 'keyboard' | 'pos';
}

export interface DeviceConfig {
  printer: PrinterTarget | null;
  printers: Record<string, PrinterTarget>;
  scanner: ScannerTarget | null;
  /** PNG, base64. */
  logoPng: string | null;
}

function fail(where: string, value: string, expected: string): never {
  throw new Error(`${where}: expected ${expected}, got ${JSON.stringify(value)}`);
}

function hexId(s: string | undefined): number | null {
  if (!s || !/^[0-9a-fA-F]{1,4}$/.test(s)) return null;
  return parseInt(s, 16);
}

const PRINTER_FORMS = 'tcp://HOST[:PORT], usb://VID:PID or agent://DEVICE_ID, with optional ?width=58|80&status=off';

export function parsePrinterUrl(value: string, where: string): PrinterTarget {
  // usb://0c2e:0b61 is no valid URL (a port is decimal): read the ids first.
  const usb = /^usb:\/\/([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})\/?(\?.*)?$/.exec(value.trim());
  let u: URL;
  try {
    u = new URL(usb ? `usb://device/${usb[3] ?? ''}` : value.trim());
  } catch {
    return fail(where, value, PRINTER_FORMS);
  }
  const width = u.searchParams.get('width') ?? '80';
  if (width !== '58' && width !== '80') fail(where, value, 'width=58 or width=80');
  const paper = Number(width) as PaperWidth;
  const statusParam = u.searchParams.get('status') ?? 'auto';
  if (statusParam !== 'auto' && statusParam !== 'off') fail(where, value, 'status=auto or status=off');
  const status = statusParam;
  switch (u.protocol) {
    case 'tcp:': {
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const port = u.port ? Number(u.port) : 9100;
      if (!host) fail(where, value, 'tcp://HOST[:PORT]');
      return { kind: 'tcp', url: value, host, port, paper, status };
    }
    case 'usb:': {
      const vendorId = hexId(usb?.[1]);
      const productId = hexId(usb?.[2]);
      if (vendorId === null || productId === null) return fail(where, value, 'usb://VID:PID in hex, e.g. usb://04b8:0202');
      return { kind: 'usb', url: value, vendorId, productId, paper, status };
    }
    case 'agent:': {
      // Read from the text: URL host names are lower-cased, device ids are not.
      const m = /^agent:\/\/([A-Za-z0-9._-]+)\/?$/.exec(value.trim());
      if (!m) return fail(where, value, 'agent://DEVICE_ID');
      return { kind: 'agent', url: value, agentId: m[1]! };
    }
    default:
      return fail(where, value, PRINTER_FORMS);
  }
}

export function parseScannerUrl(value: string, where: string): ScannerTarget {
  const m = /^hid:\/\/([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})(?:\?mode=(auto|keyboard|pos))?$/.exec(value.trim());
  if (!m) return fail(where, value, 'hid://VID:PID in hex, optionally ?mode=keyboard|pos');
  return { url: value.trim(), vendorId: parseInt(m[1]!, 16), productId: parseInt(m[2]!, 16), mode: (m[3] ?? 'auto') as ScannerTarget['mode'] };
}

export function parsePrinterMap(json: string, where: string): Record<string, PrinterTarget> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return fail(where, json, 'a JSON object {"<kiosk device id>": "<printer url>"}');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(where, json, 'a JSON object {"<kiosk device id>": "<printer url>"}');
  const out: Record<string, PrinterTarget> = {};
  for (const [id, url] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof url !== 'string') fail(`${where}.${id}`, String(url), 'a printer URL string');
    out[id] = parsePrinterUrl(url, `${where}.${id}`);
  }
  return out;
}

export function deviceConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DeviceConfig {
  const logoPath = env.GILIRAN_RECEIPT_LOGO;
  let logoPng: string | null = null;
  if (logoPath) {
    try {
      logoPng = readFileSync(logoPath).toString('base64');
    } catch (err) {
      throw new Error(`GILIRAN_RECEIPT_LOGO: cannot read ${logoPath}: ${(err as Error).message}`);
    }
  }
  return {
    printer: env.GILIRAN_PRINTER ? parsePrinterUrl(env.GILIRAN_PRINTER, 'GILIRAN_PRINTER') : null,
    printers: env.GILIRAN_PRINTERS ? parsePrinterMap(env.GILIRAN_PRINTERS, 'GILIRAN_PRINTERS') : {},
    scanner: env.GILIRAN_SCANNER ? parseScannerUrl(env.GILIRAN_SCANNER, 'GILIRAN_SCANNER') : null,
    logoPng,
  };
}
