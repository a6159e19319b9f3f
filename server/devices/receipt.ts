// The ticket receipt and the "what to bring" slip, described once
// (ReceiptDescription) and laid out into lines for a given paper width. The
// ESC/POS encoder (receipt-escpos.ts) prints those lines; previewLines /
// previewText / previewHtml show the very same lines on a screen.
//
// No Node APIs here: the module is safe to bundle into a page (the kiosk can
// build and preview the same receipt it would print).
import QRCode from 'qrcode';
import type { Bilingual, PriorityGroup } from '../../protocol/model.ts';
import type { PaperWidth, ReceiptBlock, ReceiptDescription } from '../../protocol/devices.ts';
import { formatDateTime, formatTime, waitRange, zoneName } from '../../protocol/format.ts';

/** Characters per line of font A (12 dots wide): 384 dots on 58 mm paper, 576 on 80 mm. */
export const PAPER_COLUMNS: Record<PaperWidth, number> = { 58: 32, 80: 48 };
export const PAPER_DOTS: Record<PaperWidth, number> = { 58: 384, 80: 576 };
/** QR module size in dots: a tracking URL (QR version 4, 33 modules) is ~2.5 cm wide either way. */
export const QR_MODULE: Record<PaperWidth, number> = { 58: 5, 80: 6 };

export const FREE_OF_CHARGE = 'Layanan ini GRATIS - tidak dipungut biaya';

export type Align = 'left' | 'center' | 'right';

/** One printed line (or code, or image) after wrapping for a paper width. */
export type ReceiptLine =
  | { type: 'text'; text: string; align: Align; size: 1 | 2 | 3 | 4; bold: boolean }
  | { type: 'qr'; data: string; moduleSize: number }
  | { type: 'image'; png: string; alt: string }
  | { type: 'feed'; lines: number };

// ------------------------------------------------------------------ builders

export interface ReceiptOffice {
  name: Bilingual;
  shortName: string;
  timeZone: string;
  complaintChannel: Bilingual;
}

export interface TicketReceiptInput {
  office: ReceiptOffice;
  service: { name: Bilingual; standard: Bilingual; fee: number };
  /** A checked-in booking's ticket (source 'booking') is marked "Booking" with its slot's time. */
  ticket: { number: string; issuedAt: string; priority: PriorityGroup | null; source?: string; bookingSlot?: string | null };
  /** Tickets of the same service waiting before this one when it was issued. */
  peopleAhead: number;
  /** Estimated wait in minutes when issued (printed only without a range). */
  etaMinutes: number;
  /** The wait range promised at issue (ticket.waitAtIssue), as the kiosk and the phone show it. */
  wait?: { low: number; high: number } | null;
  /** protocol/urls.ts trackUrl(...): printed as a QR code and as text. */
  trackingUrl: string;
  /** Office logo, a PNG in base64 (monochrome works best), printed as a raster image. */
  logoPng?: string | null;
}

const PRIORITY_LABEL: Record<PriorityGroup, string> = {
  disabled: 'Penyandang disabilitas',
  elderly: 'Lanjut usia',
  pregnant: 'Ibu hamil',
  with_child: 'Membawa bayi / anak kecil',
  disaster_victim: 'Korban bencana',
};

function feeLine(fee: number): string {
  if (fee <= 0) return FREE_OF_CHARGE;
  return `Biaya layanan: Rp ${fee.toLocaleString('id-ID')} (bayar hanya di loket resmi)`;
}

function header(office: ReceiptOffice, at: string, logoPng: string | null | undefined): ReceiptBlock[] {
  const blocks: ReceiptBlock[] = [];
  if (logoPng) blocks.push({ type: 'image', png: logoPng, alt: office.shortName });
  blocks.push({ type: 'text', text: office.name.id.toUpperCase(), align: 'center', bold: true });
  blocks.push({ type: 'text', text: formatDateTime(at, office.timeZone), align: 'center' });
  blocks.push({ type: 'rule' });
  return blocks;
}

function footer(office: ReceiptOffice, fee: number): ReceiptBlock[] {
  return [
    { type: 'rule' },
    { type: 'text', text: feeLine(fee), align: 'center', bold: true },
    { type: 'text', text: office.complaintChannel.id, align: 'center' },
  ];
}

/** The queue ticket. */
export function ticketReceipt(input: TicketReceiptInput): ReceiptDescription {
  const { office, service, ticket } = input;
  const blocks: ReceiptBlock[] = [
    ...header(office, ticket.issuedAt, input.logoPng),
    { type: 'text', text: 'Nomor antrean Anda', align: 'center' },
    { type: 'text', text: ticket.number, align: 'center', size: 4, bold: true },
    { type: 'text', text: service.name.id, align: 'center', bold: true },
  ];
  if (ticket.source === 'booking') {
    const slot = ticket.bookingSlot ? ` ${formatTime(ticket.bookingSlot, office.timeZone)} ${zoneName(office.timeZone)}` : '';
    blocks.push({ type: 'text', text: `Booking${slot}`, align: 'center', bold: true });
  }
  if (ticket.priority) blocks.push({ type: 'text', text: `Prioritas: ${PRIORITY_LABEL[ticket.priority]}`, align: 'center' });
  blocks.push(
    { type: 'feed', lines: 1 },
    { type: 'text', text: `Di depan Anda: ${input.peopleAhead} orang`, align: 'left' },
    { type: 'text', text: `Perkiraan waktu tunggu: ${input.wait ? waitRange(input.wait, 'id') : input.etaMinutes <= 0 ? 'segera dipanggil' : `± ${input.etaMinutes} menit`}`, align: 'left' },
    { type: 'text', text: `Standar waktu layanan: ${service.standard.id}`, align: 'left' },
    { type: 'feed', lines: 1 },
    { type: 'text', text: 'Pantau antrean dari ponsel Anda:', align: 'center' },
    { type: 'qr', data: input.trackingUrl },
    { type: 'text', text: input.trackingUrl, align: 'center' },
    ...footer(office, service.fee),
  );
  return { kind: 'ticket', blocks };
}

export interface SlipReceiptInput {
  office: ReceiptOffice;
  service: { name: Bilingual; fee: number };
  subcase: { name: Bilingual };
  /** Texts of the missing requirements that apply, in checklist order; an item with alternatives as "A atau B" (protocol/rules.ts requirementText). */
  missing: string[];
  at: string;
  logoPng?: string | null;
}

/** "What to bring": what the kiosk pre-check found missing, to take home. */
export function slipReceipt(input: SlipReceiptInput): ReceiptDescription {
  const blocks: ReceiptBlock[] = [
    ...header(input.office, input.at, input.logoPng),
    { type: 'text', text: 'YANG PERLU DIBAWA', align: 'center', size: 2, bold: true },
    { type: 'text', text: `${input.service.name.id} - ${input.subcase.name.id}`, align: 'center', bold: true },
    { type: 'feed', lines: 1 },
    { type: 'text', text: 'Dokumen yang belum Anda bawa:', align: 'left' },
    ...input.missing.map((m): ReceiptBlock => ({ type: 'text', text: `[ ] ${m}`, align: 'left' })),
    { type: 'feed', lines: 1 },
    { type: 'text', text: 'Silakan datang kembali dengan dokumen di atas, lalu ambil nomor antrean di mesin antrean.', align: 'left' },
    ...footer(input.office, input.service.fee),
  ];
  return { kind: 'slip', blocks };
}

// ------------------------------------------------------------------ layout

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    const words = para.split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) {
      out.push('');
      continue;
    }
    let line = '';
    for (let word of words) {
      while (word.length > width) {
        if (line) {
          out.push(line);
          line = '';
        }
        // A long URL breaks after a '/' rather than mid-name, where it can.
        const slash = word.lastIndexOf('/', width - 1);
        const cut = slash >= width / 2 ? slash + 1 : width;
        out.push(word.slice(0, cut));
        word = word.slice(cut);
      }
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        out.push(line);
        line = word;
      }
    }
    if (line) out.push(line);
  }
  return out;
}

/**
 * Dashes, curly quotes and the ellipsis of configured text as plain ASCII.
 * They sit in WPC1252's 0x80–0x9F, which a printer without that code page
 * (many clones, and common ESC/POS decoders) prints from PC437: "—" as "ù".
 */
export function plainPunctuation(text: string): string {
  return text
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...');
}

/** Lays a receipt out for a paper width: text wrapped, large text shrunk until its longest word fits. */
export function layoutReceipt(receipt: ReceiptDescription, paper: PaperWidth): ReceiptLine[] {
  const columns = PAPER_COLUMNS[paper];
  const lines: ReceiptLine[] = [];
  for (const b of receipt.blocks) {
    switch (b.type) {
      case 'text': {
        const align = b.align ?? 'left';
        const bold = b.bold ?? false;
        const plain = plainPunctuation(b.text);
        let size = b.size ?? 1;
        const longest = Math.max(0, ...plain.split(/\s+/).map((w) => w.length));
        while (size > 1 && longest * size > columns) size = (size - 1) as 1 | 2 | 3;
        for (const text of wrapText(plain, Math.floor(columns / size))) lines.push({ type: 'text', text, align, size, bold });
        break;
      }
      case 'rule':
        lines.push({ type: 'text', text: '-'.repeat(columns), align: 'left', size: 1, bold: false });
        break;
      case 'qr':
        lines.push({ type: 'qr', data: b.data, moduleSize: QR_MODULE[paper] });
        break;
      case 'image':
        lines.push({ type: 'image', png: b.png, alt: b.alt });
        break;
      case 'feed':
        if (b.lines > 0) lines.push({ type: 'feed', lines: Math.min(10, Math.floor(b.lines)) });
        break;
    }
  }
  return lines;
}

// ------------------------------------------------------------------ preview

/** What a screen shows for one line; every string is plain text (put it in textContent, or use previewHtml). */
export type PreviewLine =
  | { kind: 'text'; text: string; align: Align; size: 1 | 2 | 3 | 4; bold: boolean }
  | { kind: 'qr'; data: string }
  | { kind: 'image'; src: string; alt: string }
  | { kind: 'blank' };

export function previewLines(receipt: ReceiptDescription, paper: PaperWidth = 80): PreviewLine[] {
  const out: PreviewLine[] = [];
  for (const l of layoutReceipt(receipt, paper)) {
    if (l.type === 'text') out.push({ kind: 'text', text: l.text, align: l.align, size: l.size, bold: l.bold });
    else if (l.type === 'qr') out.push({ kind: 'qr', data: l.data });
    else if (l.type === 'image') out.push({ kind: 'image', src: `data:image/png;base64,${l.png}`, alt: l.alt });
    else for (let i = 0; i < l.lines; i++) out.push({ kind: 'blank' });
  }
  return out;
}

/**
 * The receipt as monospace text, `columns` wide: large characters take `size`
 * columns each (so "A001" at 4x reads "A   0   0   1"), a QR code is "[QR: …]".
 */
export function previewText(receipt: ReceiptDescription, paper: PaperWidth = 80): string {
  const columns = PAPER_COLUMNS[paper];
  const rows: string[] = [];
  for (const l of previewLines(receipt, paper)) {
    if (l.kind === 'blank') rows.push('');
    else if (l.kind === 'qr') rows.push(`[QR: ${l.data}]`);
    else if (l.kind === 'image') rows.push(`[${l.alt}]`);
    else {
      const wide = l.size === 1 ? l.text : [...l.text].map((c) => c + ' '.repeat(l.size - 1)).join('').trimEnd();
      const pad = Math.max(0, columns - wide.length);
      const left = l.align === 'center' ? Math.floor(pad / 2) : l.align === 'right' ? pad : 0;
      rows.push((' '.repeat(left) + wide).trimEnd());
    }
  }
  return rows.join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An inline SVG of a QR code (same data and error level as printed). */
export function qrSvg(data: string): string {
  const qr = QRCode.create(data, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  let path = '';
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (qr.modules.get(y, x)) path += `M${x + 2} ${y + 2}h1v1h-1z`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n + 4} ${n + 4}" shape-rendering="crispEdges" role="img" aria-label="${escapeHtml(data)}"><rect width="100%" height="100%" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}

/**
 * The receipt as an HTML fragment (all text escaped): one element per line,
 * classes `r-left|r-center|r-right`, `r-s1..r-s4`, `r-b` for a page to style.
 */
export function previewHtml(receipt: ReceiptDescription, paper: PaperWidth = 80): string {
  const rows = previewLines(receipt, paper).map((l) => {
    if (l.kind === 'blank') return '<div class="r-blank"></div>';
    if (l.kind === 'qr') return `<div class="r-qr">${qrSvg(l.data)}</div>`;
    if (l.kind === 'image') return `<div class="r-image"><img src="${escapeHtml(l.src)}" alt="${escapeHtml(l.alt)}"></div>`;
    return `<div class="r-${l.align} r-s${l.size}${l.bold ? ' r-b' : ''}">${escapeHtml(l.text)}</div>`;
  });
  return `<div class="receipt receipt-${paper}mm" data-columns="${PAPER_COLUMNS[paper]}">${rows.join('')}</div>`;
}
