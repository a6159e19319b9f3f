// The only hand-written ESC/POS in the printing path, for what
// @node-escpos/core 0.6 lacks or gets wrong (everything else, text, size,
// alignment, raster images, cut, comes from its Printer):
//
// - QR codes. Its `qrcode()` sends `GS Z` / `ESC Z`, which is not an Epson
//   command (TM-T20/T82 and most clones print nothing); its `qrimage()` sends a
//   picture instead of a code. Epson's native symbol is `GS ( k` (cn = 49).
// - Real-time status. Its `getStatus()` queues `DLE EOT n` in the print buffer
//   and reads a signed byte through the adapter, which a raw socket cannot do;
//   we send the four requests ourselves and decode the four reply bytes.
//
// Byte values: Epson ESC/POS Command Reference,
// https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/gs_lparen_lk.html
// and .../dle_eot.html.

const GS = 0x1d;
const DLE = 0x10;
const EOT = 0x04;

export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

/** GS ( k pL pH cn fn [params]: one QR-code function (cn 49 = QR code). */
function qrFunction(fn: number, params: Uint8Array | number[]): Buffer {
  const len = params.length + 2;
  return Buffer.concat([Buffer.of(GS, 0x28, 0x6b, len & 0xff, (len >> 8) & 0xff, 49, fn), Buffer.from(params)]);
}

/**
 * A native QR code: model 2 (function 165), module size in dots (167),
 * error correction (169), store the data (180), print it (181). Data is sent
 * as UTF-8; a tracking URL is plain ASCII.
 */
export function qrCode(data: string, opts: { moduleSize?: number; errorLevel?: QrErrorLevel } = {}): Buffer {
  const payload = Buffer.from(data, 'utf8');
  if (payload.length === 0 || payload.length > 7089) throw new RangeError(`QR data must be 1..7089 bytes, got ${payload.length}`);
  const size = Math.min(16, Math.max(1, Math.round(opts.moduleSize ?? 6)));
  const level = { L: 48, M: 49, Q: 50, H: 51 }[opts.errorLevel ?? 'M'];
  return Buffer.concat([
    qrFunction(65, [50, 0]), // 165: model 2
    qrFunction(67, [size]), // 167: module size
    qrFunction(69, [level]), // 169: error correction level
    qrFunction(80, Buffer.concat([Buffer.of(48), payload])), // 180: store (m = 48)
    qrFunction(81, [48]), // 181: print
  ]);
}

/** DLE EOT 1, 2, 3, 4: printer, offline cause, error cause, roll-paper sensor. One reply byte each, in order. */
export const STATUS_REQUEST = Buffer.of(DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 3, DLE, EOT, 4);
export const STATUS_REPLY_BYTES = 4;

/** What the four DLE EOT replies say. */
export interface PrinterCondition {
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  /** Offline (bit 3 of DLE EOT 1); also set with paper out and cover open. */
  offline: boolean;
  /** A mechanical, autocutter, unrecoverable or auto-recoverable error. */
  error: boolean;
  /** The raw bytes, for logs. */
  bytes: number[];
}

/**
 * Decodes the replies to STATUS_REQUEST. Every DLE EOT reply has bit 1 and
 * bit 4 set and bits 0 and 7 clear (0xx1xx10); anything else is not a status
 * byte (a printer that ignores DLE EOT and echoes, or line noise) → null.
 *
 *   1 printer:      bit 3 offline
 *   2 offline:      bit 2 cover open, bit 5 stopped by paper end, bit 6 error
 *   3 error cause:  bit 2 mechanical, bit 3 autocutter, bit 5 unrecoverable, bit 6 auto-recoverable
 *   4 paper sensor: bits 2+3 near end, bits 5+6 paper end
 */
export function parseStatus(reply: ArrayLike<number>): PrinterCondition | null {
  if (reply.length < STATUS_REPLY_BYTES) return null;
  const b = [reply[0]!, reply[1]!, reply[2]!, reply[3]!];
  if (b.some((x) => (x & 0x93) !== 0x12)) return null;
  const [s1, s2, s3, s4] = b as [number, number, number, number];
  return {
    paperOut: (s4 & 0x60) !== 0 || (s2 & 0x20) !== 0,
    paperNearEnd: (s4 & 0x0c) !== 0,
    coverOpen: (s2 & 0x04) !== 0,
    offline: (s1 & 0x08) !== 0,
    error: (s2 & 0x40) !== 0 || (s3 & 0x6c) !== 0,
    bytes: b,
  };
}

/** True when the printer can print now (near end still prints). */
export function canPrint(c: PrinterCondition): boolean {
  return !c.paperOut && !c.coverOpen && !c.error && !c.offline;
}
