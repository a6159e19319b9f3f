// Incremental ESC/POS decoder for the printer emulator (Epson TM-T82 / TM-T20
// class, standard mode only). Bytes go in as they arrive from the socket, in
// chunks of any size; a command split across chunks is held until complete,
// and bulk data (raster images, bit images, downloaded graphics) is skipped
// without being buffered. Out come "receipts": everything between two cuts,
// with its text lines (and the text attributes each was printed with), the
// QR codes, barcodes and images on it, and every decoded command.
//
// Command lengths follow the Epson ESC/POS Command Reference
// (https://download4.epson.biz/sec_pubs/pos/reference_en/escpos/). Page mode,
// kanji mode and the rarer maintenance commands are recognised only far enough
// to skip them. Nothing here throws on bad input: unknown sequences become
// `{ type: 'unknown' }` commands and decoding carries on.

export type Align = 'left' | 'center' | 'right';
export type FontName = 'A' | 'B' | 'C' | 'D' | 'E' | 'special-A' | 'special-B';
export type UnderlineMode = 0 | 1 | 2;
export type CutMode = 'full' | 'partial';
export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

export interface TextStyle {
  bold: boolean;
  underline: UnderlineMode;
  /** Character width multiplier, 1–8 (ESC ! double width gives 2). */
  width: number;
  /** Character height multiplier, 1–8 (ESC ! double height gives 2). */
  height: number;
  font: FontName;
  /** White on black (GS B). */
  invert: boolean;
}

export interface TextSegment {
  text: string;
  style: TextStyle;
}

/** One printed line. The flat style fields are those of its first segment with text. */
export interface TextLine extends TextStyle {
  text: string;
  align: Align;
  /** Runs of text with the attributes each was printed with. */
  segments: TextSegment[];
}

export type StatusRequestKind = 'printer' | 'offline-cause' | 'error-cause' | 'paper-sensor';

/** A request the printer has to answer (or at least could answer) on the wire. */
export type StatusRequest =
  /** DLE EOT n, n = 1..4: real-time status, one byte back. */
  | { command: 'DLE EOT'; n: 1 | 2 | 3 | 4; kind: StatusRequestKind }
  /** GS r n: transmit status (n = 1/49 paper sensor, 2/50 drawer connector). */
  | { command: 'GS r'; n: number }
  /** GS a n: enable/disable Automatic Status Back. */
  | { command: 'GS a'; n: number };

export interface QrItem {
  type: 'qr';
  payload: string;
  /** 1, 2, or 'micro' (GS ( k function 165); 2 unless set. */
  model: 1 | 2 | 'micro';
  /** Module size in dots (function 167); 3 unless set. */
  size: number;
  /** Error-correction level (function 169); L unless set. */
  errorLevel: QrErrorLevel;
}

export interface Code2dItem {
  type: 'code2d';
  symbology: 'pdf417' | 'maxicode' | 'gs1-databar' | 'composite' | 'aztec' | 'datamatrix' | 'unknown';
  payload: string;
}

export interface BarcodeItem {
  type: 'barcode';
  symbology: string;
  form: 'A' | 'B';
  /** The data bytes as sent (latin1), including any CODE128 code-set prefixes such as "{B". */
  data: string;
  /** Human-readable content: for CODE128 with the "{x" code-set selectors interpreted. */
  text: string;
  /** GS h, dots (default 162). */
  height: number;
  /** GS w, module width 2..6 (default 3). */
  moduleWidth: number;
  /** GS H. */
  hri: 'none' | 'above' | 'below' | 'both';
}

export interface ImageItem {
  type: 'image';
  source: 'GS v 0' | 'ESC *' | 'GS ( L' | 'GS 8 L' | 'GS /' | 'FS p';
  /** Width in dots (0 when unknown, e.g. printing a stored NV image). */
  widthDots: number;
  heightDots: number;
  /** Bytes of image data skipped. */
  dataBytes: number;
}

export interface FeedItem {
  type: 'feed';
  /** Lines (ESC d) or dots (ESC J). */
  unit: 'lines' | 'dots';
  amount: number;
}

export interface CutItem {
  type: 'cut';
  mode: CutMode;
  /** The m parameter as sent (0, 1, 48, 49, 65, 66, 97, 98, 103, 104; -1 for ESC i / ESC m). */
  m: number;
  /** Extra feed n before cutting (GS V 65/66/97/98/103/104); 0 otherwise. */
  feed: number;
}

export interface DrawerItem {
  type: 'drawer';
  via: 'ESC p' | 'DLE DC4';
  /** Drawer kick-out connector pin. */
  pin: 2 | 5;
  onMs: number;
  offMs: number;
}

export type ReceiptItem =
  | { type: 'text'; line: TextLine }
  | QrItem
  | Code2dItem
  | BarcodeItem
  | ImageItem
  | FeedItem
  | CutItem
  | DrawerItem;

export type EscPosCommand =
  | { type: 'init' }
  | { type: 'print-mode'; value: number }
  | { type: 'bold'; on: boolean }
  | { type: 'double-strike'; on: boolean }
  | { type: 'underline'; mode: UnderlineMode }
  | { type: 'align'; align: Align }
  | { type: 'size'; width: number; height: number }
  | { type: 'feed'; unit: 'lines' | 'dots'; amount: number }
  | { type: 'cut'; mode: CutMode; m: number; feed: number }
  | { type: 'code-page'; page: number }
  | { type: 'font'; font: FontName }
  | { type: 'invert'; on: boolean }
  | { type: 'left-margin'; dots: number }
  | { type: 'print-area-width'; dots: number }
  | { type: 'line-spacing'; dots: number | 'default' }
  | { type: 'qr'; function: number; fn: number; params: number[] }
  | { type: '2d-code'; cn: number; function: number; fn: number; params: number[] }
  | { type: 'barcode'; symbology: string; form: 'A' | 'B'; data: string }
  | { type: 'barcode-height'; dots: number }
  | { type: 'barcode-width'; width: number }
  | { type: 'hri-position'; position: BarcodeItem['hri'] }
  | { type: 'hri-font'; n: number }
  | { type: 'image'; source: ImageItem['source']; widthDots: number; heightDots: number; dataBytes: number; mode: number }
  | { type: 'graphics'; command: 'GS ( L' | 'GS 8 L'; fn: number; dataBytes: number }
  | { type: 'drawer-pulse'; via: DrawerItem['via']; pin: 2 | 5; onMs: number; offMs: number }
  | { type: 'status-request'; request: StatusRequest }
  | { type: 'realtime-request'; n: number }
  | { type: 'clear-buffer' }
  /** A recognised command the emulator does not model; `name` is its mnemonic, `bytes` its first (up to 16) bytes. */
  | { type: 'other'; name: string; bytes: number[] }
  | { type: 'unknown'; bytes: number[] };

export interface DecodedReceipt {
  /** 0-based position in the decoder's receipt list. */
  index: number;
  /** The printed lines joined with '\n', attributes dropped. */
  text: string;
  lines: TextLine[];
  /** Everything that appears on paper, in order. */
  items: ReceiptItem[];
  /** Every command decoded while this receipt was open, in order. */
  commands: EscPosCommand[];
  qrPayloads: string[];
  /** Largest width or height multiplier of any non-blank text; 0 when there is no text. */
  maxTextSize: number;
  maxTextWidth: number;
  maxTextHeight: number;
  /** True once the receipt has been ended by a cut. */
  cut: boolean;
  cutMode: CutMode | null;
  /** performance.now() (or the injected clock) when the first byte of this receipt arrived. */
  firstByteAt: number;
  /** Clock value when the cut arrived; null while open. */
  completedAt: number | null;
  /** Bytes decoded into this receipt (real-time status requests excluded). */
  byteLength: number;
  /** No text, code or image on it (e.g. a cut right after a cut). */
  blank: boolean;
}

export interface EscPosDecoderOptions {
  /** Clock for firstByteAt / completedAt; default performance.now. */
  now?: () => number;
  /** Called when a receipt is ended by a cut. */
  onReceipt?: (receipt: DecodedReceipt) => void;
  /** Called, synchronously and in stream order, for each status request. */
  onStatusRequest?: (request: StatusRequest) => void;
  /** Called for every decoded command. */
  onCommand?: (command: EscPosCommand) => void;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const LF = 0x0a;
const CR = 0x0d;
const HT = 0x09;
const NUL = 0x00;

/** Returned by a parse step that needs more bytes than are buffered. */
const INCOMPLETE = -1;

/** Longest GS k form-A data we wait for a NUL terminator before giving up. */
const MAX_BARCODE_A = 255;

// CP437 (ESC t 0, the power-on default) upper half.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

// WPC1252 (ESC t 16): Latin-1 except 0x80..0x9F (Node's TextDecoder treats
// windows-1252 as Latin-1 on some versions, so the table is spelled out).
const CP1252_80 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

const BARCODE_A: Record<number, string> = {
  0: 'UPC-A',
  1: 'UPC-E',
  2: 'EAN13',
  3: 'EAN8',
  4: 'CODE39',
  5: 'ITF',
  6: 'CODABAR',
};
const BARCODE_B: Record<number, string> = {
  65: 'UPC-A',
  66: 'UPC-E',
  67: 'EAN13',
  68: 'EAN8',
  69: 'CODE39',
  70: 'ITF',
  71: 'CODABAR',
  72: 'CODE93',
  73: 'CODE128',
  74: 'GS1-128',
  75: 'GS1 DataBar Omnidirectional',
  76: 'GS1 DataBar Truncated',
  77: 'GS1 DataBar Limited',
  78: 'GS1 DataBar Expanded',
  79: 'CODE128 auto',
};
const CODE2D: Record<number, Code2dItem['symbology']> = {
  48: 'pdf417',
  50: 'maxicode',
  51: 'gs1-databar',
  52: 'composite',
  53: 'aztec',
  54: 'datamatrix',
};
const STATUS_KIND: Record<1 | 2 | 3 | 4, StatusRequestKind> = {
  1: 'printer',
  2: 'offline-cause',
  3: 'error-cause',
  4: 'paper-sensor',
};

// ESC x and GS x commands with a fixed number of parameter bytes; the
// variable-length ones are handled in escCommand / gsCommand.
const ESC_FIXED: Record<number, [name: string, params: number]> = {
  0x0c: ['ESC FF', 0],
  0x20: ['ESC SP', 1],
  0x24: ['ESC $', 2],
  0x25: ['ESC %', 1],
  0x3c: ['ESC <', 0],
  0x3d: ['ESC =', 1],
  0x3f: ['ESC ?', 1],
  0x4b: ['ESC K', 1],
  0x4c: ['ESC L', 0],
  0x52: ['ESC R', 1],
  0x53: ['ESC S', 0],
  0x54: ['ESC T', 1],
  0x55: ['ESC U', 1],
  0x56: ['ESC V', 1],
  0x57: ['ESC W', 8],
  0x5c: ['ESC \\', 2],
  0x63: ['ESC c', 2],
  0x65: ['ESC e', 1],
  0x72: ['ESC r', 1],
  0x75: ['ESC u', 1],
  0x76: ['ESC v', 0],
  0x7b: ['ESC {', 1],
};
const GS_FIXED: Record<number, [name: string, params: number]> = {
  0x24: ['GS $', 2],
  0x2f: ['GS /', 1],
  0x3a: ['GS :', 0],
  0x45: ['GS E', 1],
  0x49: ['GS I', 1],
  0x50: ['GS P', 2],
  0x54: ['GS T', 1],
  0x5c: ['GS \\', 2],
  0x5e: ['GS ^', 3],
  0x62: ['GS b', 1],
  0x63: ['GS c', 0],
  0x66: ['GS f', 1],
  0x67: ['GS g', 4],
  0x7a: ['GS z', 3],
};
const FS_FIXED: Record<number, [name: string, params: number]> = {
  0x21: ['FS !', 1],
  0x26: ['FS &', 0],
  0x2d: ['FS -', 1],
  0x2e: ['FS .', 0],
  0x43: ['FS C', 1],
  0x53: ['FS S', 2],
  0x57: ['FS W', 1],
};

function defaultStyle(): TextStyle {
  return { bold: false, underline: 0, width: 1, height: 1, font: 'A', invert: false };
}

function sameStyle(a: TextStyle, b: TextStyle): boolean {
  return (
    a.bold === b.bold &&
    a.underline === b.underline &&
    a.width === b.width &&
    a.height === b.height &&
    a.font === b.font &&
    a.invert === b.invert
  );
}

function on01(n: number): boolean {
  return (n & 1) === 1;
}

function align012(n: number): Align | null {
  if (n === 0 || n === 48) return 'left';
  if (n === 1 || n === 49) return 'center';
  if (n === 2 || n === 50) return 'right';
  return null;
}

function fontOf(n: number): FontName | null {
  switch (n) {
    case 0: case 48: return 'A';
    case 1: case 49: return 'B';
    case 2: case 50: return 'C';
    case 3: case 51: return 'D';
    case 4: case 52: return 'E';
    case 97: return 'special-A';
    case 98: return 'special-B';
    default: return null;
  }
}

/** Interprets CODE128 data with Epson's "{A" / "{B" / "{C" code-set selectors. */
export function code128Text(data: Uint8Array): string {
  let set: 'A' | 'B' | 'C' = 'B';
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0x7b && i + 1 < data.length) {
      const c = data[i + 1]!;
      i++;
      if (c === 0x41) set = 'A';
      else if (c === 0x42) set = 'B';
      else if (c === 0x43) set = 'C';
      else if (c === 0x7b) out += '{';
      // {S shift and {1..{4 FNC codes add no human-readable text.
      continue;
    }
    if (set === 'C') out += String(b).padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/** Something visible on paper (blank lines and paper movement are not). */
function isContent(item: ReceiptItem): boolean {
  if (item.type === 'text') return item.line.text.trim().length > 0;
  return item.type !== 'feed' && item.type !== 'cut' && item.type !== 'drawer';
}

function le16(buf: Uint8Array, at: number): number {
  return buf[at]! | (buf[at + 1]! << 8);
}

/**
 * Incremental ESC/POS decoder. Feed it with push(); read `result` (completed
 * receipts plus the open one, if it has anything on it).
 */
export class EscPosDecoder {
  readonly completed: DecodedReceipt[] = [];
  /** Total bytes pushed. */
  bytesPushed = 0;

  private readonly now: () => number;
  private readonly opts: EscPosDecoderOptions;

  private current: DecodedReceipt | null = null;
  private pushAt = 0;

  // Incomplete command bytes and how many bytes we need before retrying.
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private need = 0;
  // Bulk data still to skip from the previous command.
  private skip = 0;

  // Printer state (reset by ESC @).
  private style: TextStyle = defaultStyle();
  private align: Align = 'left';
  private codePage = 0;
  private barcodeHeight = 162;
  private barcodeWidth = 3;
  private hri: BarcodeItem['hri'] = 'none';
  private qrModel: QrItem['model'] = 2;
  private qrSize = 3;
  private qrLevel: QrErrorLevel = 'L';
  private stored2d = new Map<number, Uint8Array>();
  private graphicsDims: { width: number; height: number; bytes: number } | null = null;

  // The line being assembled.
  private segments: TextSegment[] = [];
  private lineAlign: Align | null = null;

  constructor(options: EscPosDecoderOptions = {}) {
    this.opts = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** Completed receipts plus the open one when it has anything printed on it. */
  get result(): DecodedReceipt[] {
    const open = this.current;
    return open && open.items.length > 0 ? [...this.completed, open] : [...this.completed];
  }

  /** The receipt since the last cut, if any byte has arrived for it. */
  get openReceipt(): DecodedReceipt | null {
    return this.current;
  }

  /** Text received but not yet printed (no LF yet). */
  get pendingLineText(): string {
    return this.segments.map((s) => s.text).join('');
  }

  /** True while a command is incomplete or image data is still being skipped. */
  get midCommand(): boolean {
    return this.pendingLength > 0 || this.skip > 0;
  }

  push(chunk: Uint8Array, at: number = this.now()): void {
    if (chunk.length === 0) return;
    this.pushAt = at;
    this.bytesPushed += chunk.length;
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);

    if (this.skip > 0) {
      const n = Math.min(this.skip, buf.length);
      this.skip -= n;
      if (this.current) this.current.byteLength += n;
      buf = buf.subarray(n);
      if (buf.length === 0) return;
    }
    if (this.pendingLength > 0) {
      this.pending.push(buf);
      this.pendingLength += buf.length;
      if (this.pendingLength < this.need) return;
      buf = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
    }
    this.parse(buf);
  }

  /**
   * Forgets a half-received command (and any image data still to skip), e.g.
   * when the connection that was sending it has gone. Printed content and
   * printer settings are kept.
   */
  abortPartialCommand(): void {
    this.pending = [];
    this.pendingLength = 0;
    this.need = 0;
    this.skip = 0;
  }

  /** Back to power-on state, forgetting all receipts. */
  reset(): void {
    this.abortPartialCommand();
    this.completed.length = 0;
    this.current = null;
    this.bytesPushed = 0;
    this.initialise();
  }

  // ---------------------------------------------------------------- parsing

  private parse(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      const used = this.step(buf, i);
      if (used === INCOMPLETE) {
        // The receipt starts with the first byte of the command, not its completion.
        if (buf[i] !== DLE) this.open();
        const rest = buf.subarray(i);
        this.pending = [Buffer.from(rest)];
        this.pendingLength = rest.length;
        return;
      }
      i += used;
    }
  }

  private incomplete(needBytes: number): number {
    this.need = needBytes;
    return INCOMPLETE;
  }

  /** Consumes `total` bytes of which the tail may not have arrived yet. */
  private consumeWithSkip(buf: Buffer, i: number, total: number): number {
    const avail = buf.length - i;
    if (avail >= total) return this.count(total);
    this.skip = total - avail;
    return this.count(avail);
  }

  /** Opens a receipt if none is open and counts bytes into it. */
  private count(n: number): number {
    this.open().byteLength += n;
    return n;
  }

  private open(): DecodedReceipt {
    if (!this.current) {
      this.current = {
        index: this.completed.length,
        text: '',
        lines: [],
        items: [],
        commands: [],
        qrPayloads: [],
        maxTextSize: 0,
        maxTextWidth: 0,
        maxTextHeight: 0,
        cut: false,
        cutMode: null,
        firstByteAt: this.pushAt,
        completedAt: null,
        byteLength: 0,
        blank: true,
      };
    }
    return this.current;
  }

  private step(buf: Buffer, i: number): number {
    const b = buf[i]!;
    if (b >= 0x20) {
      let j = i + 1;
      while (j < buf.length && buf[j]! >= 0x20) j++;
      this.count(j - i);
      this.appendText(this.decodeText(buf, i, j));
      return j - i;
    }
    switch (b) {
      case LF:
        this.count(1);
        this.flushLine(true);
        return 1;
      case CR:
        return this.count(1);
      case HT:
        this.count(1);
        this.appendText('\t');
        return 1;
      case ESC:
        return this.escCommand(buf, i);
      case GS:
        return this.gsCommand(buf, i);
      case FS:
        return this.fsCommand(buf, i);
      case DLE:
        return this.dleCommand(buf, i);
      default:
        // Other C0 controls (NUL, FF and CAN in standard mode, ...) are ignored.
        return this.count(1);
    }
  }

  private decodeText(buf: Buffer, from: number, to: number): string {
    // ESC t 16 is WPC1252 (what the receipt code selects: it has the em dash and ±).
    if (this.codePage === 16) {
      let out = '';
      for (let k = from; k < to; k++) {
        const c = buf[k]!;
        out += c >= 0x80 && c < 0xa0 ? CP1252_80[c - 0x80]! : String.fromCharCode(c);
      }
      return out;
    }
    if (this.codePage !== 0) return buf.toString('latin1', from, to);
    let out = '';
    for (let k = from; k < to; k++) {
      const c = buf[k]!;
      out += c < 0x80 ? String.fromCharCode(c) : CP437_HIGH[c - 0x80]!;
    }
    return out;
  }

  private unknown(buf: Buffer, i: number, len: number): number {
    this.record({ type: 'unknown', bytes: [...buf.subarray(i, i + len)] });
    return this.count(len);
  }

  /**
   * An ESC/GS/FS sequence we do not know: drop the prefix and the command
   * byte, plus one following byte if it looks like a small numeric parameter
   * (0..7) rather than text or the start of the next command.
   */
  private unknownWithGuess(buf: Buffer, i: number): number {
    if (buf.length - i < 3) return this.incomplete(3);
    const next = buf[i + 2]!;
    return this.unknown(buf, i, next <= 0x07 ? 3 : 2);
  }

  /** A known command we only record; at most its first 16 bytes are kept. */
  private other(buf: Buffer, i: number, name: string, len: number): number {
    this.record({ type: 'other', name, bytes: [...buf.subarray(i, i + Math.min(len, 16))] });
    return this.count(len);
  }

  // ESC ...
  private escCommand(buf: Buffer, i: number): number {
    const avail = buf.length - i;
    if (avail < 2) return this.incomplete(2);
    const c = buf[i + 1]!;
    const p = (k: number): number => buf[i + 2 + k]!;
    const needParams = (n: number): boolean => avail >= 2 + n;

    switch (c) {
      case 0x40: // ESC @
        this.count(2);
        this.initialise();
        this.record({ type: 'init' });
        return 2;
      case 0x21: { // ESC ! n
        if (!needParams(1)) return this.incomplete(3);
        const n = p(0);
        this.style = {
          ...this.style,
          font: on01(n) ? 'B' : 'A',
          bold: (n & 0x08) !== 0,
          height: (n & 0x10) !== 0 ? 2 : 1,
          width: (n & 0x20) !== 0 ? 2 : 1,
          underline: (n & 0x80) !== 0 ? 1 : 0,
        };
        this.record({ type: 'print-mode', value: n });
        return this.count(3);
      }
      case 0x45: // ESC E n
        if (!needParams(1)) return this.incomplete(3);
        this.style = { ...this.style, bold: on01(p(0)) };
        this.record({ type: 'bold', on: on01(p(0)) });
        return this.count(3);
      case 0x47: // ESC G n
        if (!needParams(1)) return this.incomplete(3);
        this.record({ type: 'double-strike', on: on01(p(0)) });
        return this.count(3);
      case 0x2d: { // ESC - n
        if (!needParams(1)) return this.incomplete(3);
        const n = p(0);
        const mode: UnderlineMode = n === 1 || n === 49 ? 1 : n === 2 || n === 50 ? 2 : 0;
        this.style = { ...this.style, underline: mode };
        this.record({ type: 'underline', mode });
        return this.count(3);
      }
      case 0x61: { // ESC a n
        if (!needParams(1)) return this.incomplete(3);
        const a = align012(p(0));
        if (a) {
          this.align = a;
          this.record({ type: 'align', align: a });
          return this.count(3);
        }
        return this.unknown(buf, i, 3);
      }
      case 0x64: // ESC d n
        if (!needParams(1)) return this.incomplete(3);
        this.count(3);
        this.feed('lines', p(0));
        return 3;
      case 0x4a: // ESC J n
        if (!needParams(1)) return this.incomplete(3);
        this.count(3);
        this.feed('dots', p(0));
        return 3;
      case 0x74: // ESC t n
        if (!needParams(1)) return this.incomplete(3);
        this.codePage = p(0);
        this.record({ type: 'code-page', page: p(0) });
        return this.count(3);
      case 0x4d: { // ESC M n
        if (!needParams(1)) return this.incomplete(3);
        const f = fontOf(p(0));
        if (!f) return this.unknown(buf, i, 3);
        this.style = { ...this.style, font: f };
        this.record({ type: 'font', font: f });
        return this.count(3);
      }
      case 0x32: // ESC 2
        this.record({ type: 'line-spacing', dots: 'default' });
        return this.count(2);
      case 0x33: // ESC 3 n
        if (!needParams(1)) return this.incomplete(3);
        this.record({ type: 'line-spacing', dots: p(0) });
        return this.count(3);
      case 0x70: { // ESC p m t1 t2
        if (!needParams(3)) return this.incomplete(5);
        const m = p(0);
        const pin: 2 | 5 = m === 1 || m === 49 ? 5 : 2;
        this.count(5);
        this.drawer('ESC p', pin, p(1) * 2, p(2) * 2);
        return 5;
      }
      case 0x69: // ESC i (partial cut, legacy)
      case 0x6d: // ESC m (partial cut, legacy)
        this.count(2);
        this.cut('partial', -1, 0);
        return 2;
      case 0x2a: { // ESC * m nL nH d1..dk
        if (!needParams(3)) return this.incomplete(5);
        const m = p(0);
        const n = le16(buf, i + 3);
        const tall = m === 32 || m === 33;
        const k = tall ? n * 3 : n;
        const item: ImageItem = { type: 'image', source: 'ESC *', widthDots: n, heightDots: tall ? 24 : 8, dataBytes: k };
        this.record({ type: 'image', source: 'ESC *', widthDots: n, heightDots: item.heightDots, dataBytes: k, mode: m });
        this.addItem(item);
        return this.consumeWithSkip(buf, i, 5 + k);
      }
      case 0x26: { // ESC & y c1 c2 [x d1..d(y*x)]...
        if (!needParams(3)) return this.incomplete(5);
        const y = p(0);
        const c1 = p(1);
        const c2 = p(2);
        let pos = i + 5;
        for (let ch = c1; ch <= c2; ch++) {
          if (pos >= buf.length) return this.incomplete(pos - i + 1);
          pos += 1 + y * buf[pos]!;
        }
        if (pos > buf.length) return this.incomplete(pos - i);
        return this.other(buf, i, 'ESC &', pos - i);
      }
      case 0x44: { // ESC D n1..nk NUL (tab stops, k <= 32)
        for (let k = i + 2; k < Math.min(buf.length, i + 2 + 33); k++) {
          if (buf[k] === NUL) return this.other(buf, i, 'ESC D', k - i + 1);
        }
        if (avail < 2 + 33) return this.incomplete(avail + 1);
        return this.unknown(buf, i, 2);
      }
      case 0x28: { // ESC ( X pL pH data
        if (!needParams(3)) return this.incomplete(5);
        const total = 5 + le16(buf, i + 3);
        this.record({ type: 'other', name: `ESC ( ${String.fromCharCode(p(0))}`, bytes: [...buf.subarray(i, Math.min(i + total, i + 8, buf.length))] });
        return this.consumeWithSkip(buf, i, total);
      }
      default: {
        const fixed = ESC_FIXED[c];
        if (fixed) {
          const [name, params] = fixed;
          if (!needParams(params)) return this.incomplete(2 + params);
          return this.other(buf, i, name, 2 + params);
        }
        return this.unknownWithGuess(buf, i);
      }
    }
  }

  // GS ...
  private gsCommand(buf: Buffer, i: number): number {
    const avail = buf.length - i;
    if (avail < 2) return this.incomplete(2);
    const c = buf[i + 1]!;
    const p = (k: number): number => buf[i + 2 + k]!;
    const needParams = (n: number): boolean => avail >= 2 + n;

    switch (c) {
      case 0x21: { // GS ! n
        if (!needParams(1)) return this.incomplete(3);
        const n = p(0);
        const width = ((n >> 4) & 0x07) + 1;
        const height = (n & 0x07) + 1;
        this.style = { ...this.style, width, height };
        this.record({ type: 'size', width, height });
        return this.count(3);
      }
      case 0x42: // GS B n
        if (!needParams(1)) return this.incomplete(3);
        this.style = { ...this.style, invert: on01(p(0)) };
        this.record({ type: 'invert', on: on01(p(0)) });
        return this.count(3);
      case 0x4c: // GS L nL nH
        if (!needParams(2)) return this.incomplete(4);
        this.record({ type: 'left-margin', dots: le16(buf, i + 2) });
        return this.count(4);
      case 0x57: // GS W nL nH
        if (!needParams(2)) return this.incomplete(4);
        this.record({ type: 'print-area-width', dots: le16(buf, i + 2) });
        return this.count(4);
      case 0x56: { // GS V m [n]
        if (!needParams(1)) return this.incomplete(3);
        const m = p(0);
        if (m === 0 || m === 48 || m === 1 || m === 49) {
          this.count(3);
          this.cut(m === 0 || m === 48 ? 'full' : 'partial', m, 0);
          return 3;
        }
        if (m === 65 || m === 66 || m === 97 || m === 98 || m === 103 || m === 104) {
          if (!needParams(2)) return this.incomplete(4);
          this.count(4);
          this.cut(m % 2 === 1 ? 'full' : 'partial', m, p(1));
          return 4;
        }
        return this.unknown(buf, i, 3);
      }
      case 0x68: // GS h n
        if (!needParams(1)) return this.incomplete(3);
        this.barcodeHeight = p(0);
        this.record({ type: 'barcode-height', dots: p(0) });
        return this.count(3);
      case 0x77: // GS w n
        if (!needParams(1)) return this.incomplete(3);
        this.barcodeWidth = p(0);
        this.record({ type: 'barcode-width', width: p(0) });
        return this.count(3);
      case 0x48: { // GS H n
        if (!needParams(1)) return this.incomplete(3);
        const positions: BarcodeItem['hri'][] = ['none', 'above', 'below', 'both'];
        const n = p(0);
        const pos = positions[n >= 48 ? n - 48 : n];
        if (!pos) return this.unknown(buf, i, 3);
        this.hri = pos;
        this.record({ type: 'hri-position', position: pos });
        return this.count(3);
      }
      case 0x66: // GS f n
        if (!needParams(1)) return this.incomplete(3);
        this.record({ type: 'hri-font', n: p(0) });
        return this.count(3);
      case 0x6b: // GS k
        return this.barcode(buf, i);
      case 0x28: // GS ( X pL pH ...
        return this.gsParen(buf, i);
      case 0x76: { // GS v 0 m xL xH yL yH d1..dk
        if (!needParams(6)) return this.incomplete(8);
        if (p(0) !== 0x30) return this.unknown(buf, i, 3);
        const m = p(1);
        const widthBytes = le16(buf, i + 4);
        const height = le16(buf, i + 6);
        const k = widthBytes * height;
        this.record({ type: 'image', source: 'GS v 0', widthDots: widthBytes * 8, heightDots: height, dataBytes: k, mode: m });
        this.addItem({ type: 'image', source: 'GS v 0', widthDots: widthBytes * 8, heightDots: height, dataBytes: k });
        return this.consumeWithSkip(buf, i, 8 + k);
      }
      case 0x2a: { // GS * x y d1..d(x*y*8): define downloaded bit image
        if (!needParams(2)) return this.incomplete(4);
        const k = p(0) * p(1) * 8;
        this.graphicsDims = { width: p(0) * 8, height: p(1) * 8, bytes: k };
        this.record({ type: 'other', name: 'GS *', bytes: [GS, c, p(0), p(1)] });
        return this.consumeWithSkip(buf, i, 4 + k);
      }
      case 0x2f: { // GS / m: print downloaded bit image
        if (!needParams(1)) return this.incomplete(3);
        const dims = this.graphicsDims;
        this.record({ type: 'other', name: 'GS /', bytes: [GS, c, p(0)] });
        this.count(3);
        this.addItem({ type: 'image', source: 'GS /', widthDots: dims?.width ?? 0, heightDots: dims?.height ?? 0, dataBytes: 0 });
        return 3;
      }
      case 0x38: { // GS 8 L p1 p2 p3 p4 m fn ... (and GS 8 A)
        if (!needParams(5)) return this.incomplete(7);
        const len = p(1) + p(2) * 0x100 + p(3) * 0x10000 + p(4) * 0x1000000;
        const total = 7 + len;
        if (p(0) !== 0x4c) return this.unknown(buf, i, 3);
        return this.graphics(buf, i, 'GS 8 L', 7, len, total);
      }
      case 0x61: // GS a n
        if (!needParams(1)) return this.incomplete(3);
        this.count(3);
        this.status({ command: 'GS a', n: p(0) }, true);
        return 3;
      case 0x72: // GS r n
        if (!needParams(1)) return this.incomplete(3);
        this.count(3);
        this.status({ command: 'GS r', n: p(0) }, true);
        return 3;
      case 0x43: { // GS C ... (counter printing; only the simple forms)
        if (!needParams(1)) return this.incomplete(3);
        const sub = p(0);
        const lens: Record<number, number> = { 0x30: 5, 0x31: 9, 0x32: 5 };
        const len = lens[sub];
        if (len === undefined) return this.unknownWithGuess(buf, i);
        if (avail < len) return this.incomplete(len);
        return this.other(buf, i, 'GS C', len);
      }
      default: {
        const fixed = GS_FIXED[c];
        if (fixed) {
          const [name, params] = fixed;
          if (!needParams(params)) return this.incomplete(2 + params);
          return this.other(buf, i, name, 2 + params);
        }
        return this.unknownWithGuess(buf, i);
      }
    }
  }

  // GS ( X pL pH data
  private gsParen(buf: Buffer, i: number): number {
    const avail = buf.length - i;
    if (avail < 5) return this.incomplete(5);
    const x = buf[i + 2]!;
    const len = le16(buf, i + 3);
    const total = 5 + len;
    if (x === 0x6b) {
      // GS ( k: 2D codes. Wait for the whole command (at most 64 KiB).
      if (avail < total) return this.incomplete(total);
      this.count(total);
      this.code2d(buf.subarray(i + 5, i + total));
      return total;
    }
    if (x === 0x4c) return this.graphics(buf, i, 'GS ( L', 5, len, total);
    this.record({ type: 'other', name: `GS ( ${String.fromCharCode(x)}`, bytes: [...buf.subarray(i, Math.min(i + total, i + 8))] });
    return this.consumeWithSkip(buf, i, total);
  }

  /** GS ( L / GS 8 L graphics: header at i + headerLen is m fn a bx by c xL xH yL yH. */
  private graphics(buf: Buffer, i: number, command: 'GS ( L' | 'GS 8 L', headerLen: number, len: number, total: number): number {
    const avail = buf.length - i;
    const peek = Math.min(total, headerLen + 10);
    if (avail < Math.min(total, headerLen + 2)) return this.incomplete(Math.min(total, headerLen + 2));
    const fn = len >= 2 ? buf[i + headerLen + 1]! : -1;
    if ((fn === 112 || fn === 113) && len >= 10) {
      if (avail < peek) return this.incomplete(peek);
      const h = i + headerLen;
      this.graphicsDims = { width: le16(buf, h + 6), height: le16(buf, h + 8), bytes: len - 10 };
    }
    this.record({ type: 'graphics', command, fn, dataBytes: Math.max(0, len - 2) });
    if (fn === 50 || fn === 2) {
      // Print the graphics data in the print buffer.
      const dims = this.graphicsDims;
      this.addItem({ type: 'image', source: command, widthDots: dims?.width ?? 0, heightDots: dims?.height ?? 0, dataBytes: dims?.bytes ?? 0 });
    } else if (fn === 69 || fn === 85) {
      // Print NV / download graphics by key code: dimensions unknown here.
      this.addItem({ type: 'image', source: command, widthDots: 0, heightDots: 0, dataBytes: 0 });
    }
    return this.consumeWithSkip(buf, i, total);
  }

  // GS ( k body: cn fn params
  private code2d(body: Buffer): void {
    if (body.length < 2) {
      this.record({ type: 'unknown', bytes: [GS, 0x28, 0x6b, body.length & 0xff, body.length >> 8, ...body] });
      return;
    }
    const cn = body[0]!;
    const fn = body[1]!;
    const functionNumber = (cn - 48) * 100 + fn;
    const params = body.subarray(2);
    const shortParams = [...params.subarray(0, 8)];
    if (cn === 49) {
      this.record({ type: 'qr', function: functionNumber, fn, params: shortParams });
      switch (fn) {
        case 65: { // 165: model
          const n1 = params[0];
          this.qrModel = n1 === 49 ? 1 : n1 === 51 ? 'micro' : 2;
          return;
        }
        case 67: // 167: module size
          if (params[0] !== undefined) this.qrSize = params[0];
          return;
        case 69: { // 169: error correction level
          const levels: QrErrorLevel[] = ['L', 'M', 'Q', 'H'];
          const lvl = levels[(params[0] ?? 48) - 48];
          if (lvl) this.qrLevel = lvl;
          return;
        }
        case 80: // 180: store data (m = 48, then the data)
          this.stored2d.set(cn, new Uint8Array(params.subarray(1)));
          return;
        case 81: { // 181: print
          const data = this.stored2d.get(cn);
          const payload = data ? Buffer.from(data).toString('utf8') : '';
          this.addItem({ type: 'qr', payload, model: this.qrModel, size: this.qrSize, errorLevel: this.qrLevel });
          this.open().qrPayloads.push(payload);
          return;
        }
        default:
          return;
      }
    }
    this.record({ type: '2d-code', cn, function: functionNumber, fn, params: shortParams });
    if (fn === 80) this.stored2d.set(cn, new Uint8Array(params.subarray(1)));
    else if (fn === 81) {
      const data = this.stored2d.get(cn);
      this.addItem({ type: 'code2d', symbology: CODE2D[cn] ?? 'unknown', payload: data ? Buffer.from(data).toString('utf8') : '' });
    }
  }

  // GS k m ...
  private barcode(buf: Buffer, i: number): number {
    const avail = buf.length - i;
    if (avail < 3) return this.incomplete(3);
    const m = buf[i + 2]!;
    let form: 'A' | 'B';
    let data: Buffer;
    let len: number;
    if (m <= 6) {
      form = 'A';
      const end = buf.indexOf(NUL, i + 3);
      if (end < 0 || end - (i + 3) > MAX_BARCODE_A) {
        if (avail - 3 <= MAX_BARCODE_A) return this.incomplete(avail + 1);
        return this.unknown(buf, i, 3);
      }
      data = buf.subarray(i + 3, end);
      len = end - i + 1;
    } else if (m >= 65 && m <= 79) {
      form = 'B';
      if (avail < 4) return this.incomplete(4);
      const n = buf[i + 3]!;
      if (avail < 4 + n) return this.incomplete(4 + n);
      data = buf.subarray(i + 4, i + 4 + n);
      len = 4 + n;
    } else {
      return this.unknown(buf, i, 3);
    }
    this.count(len);
    const symbology = (form === 'A' ? BARCODE_A[m] : BARCODE_B[m]) ?? `m=${m}`;
    const raw = data.toString('latin1');
    this.record({ type: 'barcode', symbology, form, data: raw });
    this.addItem({
      type: 'barcode',
      symbology,
      form,
      data: raw,
      text: m === 73 ? code128Text(data) : raw,
      height: this.barcodeHeight,
      moduleWidth: this.barcodeWidth,
      hri: this.hri,
    });
    return len;
  }

  // FS ...
  private fsCommand(buf: Buffer, i: number): number {
    const avail = buf.length - i;
    if (avail < 2) return this.incomplete(2);
    const c = buf[i + 1]!;
    switch (c) {
      case 0x70: // FS p n m: print NV bit image
        if (avail < 4) return this.incomplete(4);
        this.record({ type: 'other', name: 'FS p', bytes: [...buf.subarray(i, i + 4)] });
        this.count(4);
        this.addItem({ type: 'image', source: 'FS p', widthDots: 0, heightDots: 0, dataBytes: 0 });
        return 4;
      case 0x71: { // FS q n [xL xH yL yH d1..dk]1..n: define NV bit images
        if (avail < 3) return this.incomplete(3);
        let pos = i + 3;
        for (let img = 0; img < buf[i + 2]!; img++) {
          if (pos + 4 > buf.length) return this.incomplete(pos + 4 - i);
          pos += 4 + le16(buf, pos) * le16(buf, pos + 2) * 8;
        }
        if (pos > buf.length) return this.incomplete(pos - i);
        return this.other(buf, i, 'FS q', pos - i);
      }
      case 0x28: { // FS ( X pL pH data
        if (avail < 5) return this.incomplete(5);
        const total = 5 + le16(buf, i + 3);
        this.record({ type: 'other', name: `FS ( ${String.fromCharCode(buf[i + 2]!)}`, bytes: [...buf.subarray(i, Math.min(i + 8, buf.length))] });
        return this.consumeWithSkip(buf, i, total);
      }
      default: {
        const fixed = FS_FIXED[c];
        if (fixed) {
          const [name, params] = fixed;
          if (avail < 2 + params) return this.incomplete(2 + params);
          return this.other(buf, i, name, 2 + params);
        }
        return this.unknownWithGuess(buf, i);
      }
    }
  }

  // DLE ...
  private dleCommand(buf: Buffer, i: number): number {
    const avail = buf.length - i;
    if (avail < 2) return this.incomplete(2);
    const c = buf[i + 1]!;
    if (c === 0x04) {
      // DLE EOT n: real-time status. Does not open a receipt.
      if (avail < 3) return this.incomplete(3);
      const n = buf[i + 2]!;
      if (n >= 1 && n <= 4) {
        const nn = n as 1 | 2 | 3 | 4;
        this.status({ command: 'DLE EOT', n: nn, kind: STATUS_KIND[nn] }, false);
        return 3;
      }
      if (n === 7 || n === 8) {
        if (avail < 4) return this.incomplete(4);
        return this.realtimeOther(buf, i, 'DLE EOT', 4);
      }
      return this.realtimeOther(buf, i, 'DLE EOT', 3);
    }
    if (c === 0x05) {
      // DLE ENQ n: real-time request (recover from error, ...).
      if (avail < 3) return this.incomplete(3);
      this.emitCommand({ type: 'realtime-request', n: buf[i + 2]! });
      return 3;
    }
    if (c === 0x14) {
      // DLE DC4 fn ...
      if (avail < 3) return this.incomplete(3);
      const fn = buf[i + 2]!;
      const lens: Record<number, number> = { 1: 5, 2: 5, 3: 5, 7: 4, 8: 10 };
      const len = lens[fn];
      if (len === undefined) return this.unknown(buf, i, 3);
      if (avail < len) return this.incomplete(len);
      if (fn === 1) {
        const m = buf[i + 3]!;
        const t = buf[i + 4]!;
        this.count(len);
        this.drawer('DLE DC4', m === 1 ? 5 : 2, t * 100, t * 100);
        return len;
      }
      if (fn === 8) {
        // Clear receive and print buffers: drops the unprinted line.
        this.segments = [];
        this.lineAlign = null;
        this.record({ type: 'clear-buffer' });
        return this.count(len);
      }
      return this.other(buf, i, 'DLE DC4', len);
    }
    // A lone DLE is not a command: drop it and go on with the next byte.
    return this.unknown(buf, i, 1);
  }

  private realtimeOther(buf: Buffer, i: number, name: string, len: number): number {
    this.emitCommand({ type: 'other', name, bytes: [...buf.subarray(i, i + len)] });
    return len;
  }

  // ---------------------------------------------------------------- effects

  private initialise(): void {
    this.style = defaultStyle();
    this.align = 'left';
    this.codePage = 0;
    this.barcodeHeight = 162;
    this.barcodeWidth = 3;
    this.hri = 'none';
    this.qrModel = 2;
    this.qrSize = 3;
    this.qrLevel = 'L';
    this.stored2d.clear();
    // ESC @ clears the print buffer: text without a LF yet is lost.
    this.segments = [];
    this.lineAlign = null;
  }

  private record(cmd: EscPosCommand): void {
    this.open().commands.push(cmd);
    this.opts.onCommand?.(cmd);
  }

  /** Real-time commands: recorded in the open receipt if there is one, but never open one. */
  private emitCommand(cmd: EscPosCommand): void {
    this.current?.commands.push(cmd);
    this.opts.onCommand?.(cmd);
  }

  private status(request: StatusRequest, opensReceipt: boolean): void {
    const cmd: EscPosCommand = { type: 'status-request', request };
    if (opensReceipt) this.record(cmd);
    else this.emitCommand(cmd);
    this.opts.onStatusRequest?.(request);
  }

  private addItem(item: ReceiptItem): void {
    // Barcodes, 2D codes and raster images print at the start of a line:
    // whatever text is in the line buffer goes out first.
    if (item.type === 'qr' || item.type === 'code2d' || item.type === 'barcode' || (item.type === 'image' && item.source !== 'ESC *')) {
      this.flushLine(false);
    }
    const r = this.open();
    r.items.push(item);
    if (isContent(item)) r.blank = false;
  }

  private appendText(text: string): void {
    if (this.segments.length === 0) this.lineAlign = this.align;
    const last = this.segments[this.segments.length - 1];
    if (last && sameStyle(last.style, this.style)) last.text += text;
    else this.segments.push({ text, style: this.style });
  }

  /** Prints the line buffer. With `always`, an empty buffer still prints an empty line (LF). */
  private flushLine(always: boolean): void {
    if (this.segments.length === 0 && !always) return;
    const r = this.open();
    const segments = this.segments;
    const first = segments.find((s) => s.text.length > 0)?.style ?? this.style;
    const line: TextLine = {
      text: segments.map((s) => s.text).join(''),
      align: this.lineAlign ?? this.align,
      segments,
      ...first,
    };
    this.segments = [];
    this.lineAlign = null;
    r.lines.push(line);
    r.text = r.lines.length === 1 ? line.text : `${r.text}\n${line.text}`;
    for (const s of segments) {
      if (s.text.trim().length === 0) continue;
      r.maxTextWidth = Math.max(r.maxTextWidth, s.style.width);
      r.maxTextHeight = Math.max(r.maxTextHeight, s.style.height);
      r.maxTextSize = Math.max(r.maxTextWidth, r.maxTextHeight);
    }
    this.addItem({ type: 'text', line });
  }

  private feed(unit: 'lines' | 'dots', amount: number): void {
    this.flushLine(false);
    this.record({ type: 'feed', unit, amount });
    this.addItem({ type: 'feed', unit, amount });
  }

  private drawer(via: DrawerItem['via'], pin: 2 | 5, onMs: number, offMs: number): void {
    this.record({ type: 'drawer-pulse', via, pin, onMs, offMs });
    this.addItem({ type: 'drawer', via, pin, onMs, offMs });
  }

  private cut(mode: CutMode, m: number, feed: number): void {
    this.flushLine(false);
    const r = this.open();
    this.record({ type: 'cut', mode, m, feed });
    this.addItem({ type: 'cut', mode, m, feed });
    r.cut = true;
    r.cutMode = mode;
    r.completedAt = this.pushAt;
    this.completed.push(r);
    this.current = null;
    this.opts.onReceipt?.(r);
  }
}

/** Decodes a whole byte stream at once. */
export function decodeEscPos(bytes: Uint8Array, options: EscPosDecoderOptions = {}): DecodedReceipt[] {
  const d = new EscPosDecoder(options);
  d.push(bytes);
  return d.result;
}
