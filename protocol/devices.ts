// Receipt printers and scanners as pages and agents see them.
import type { Bilingual } from './model.ts';

export type PrinterState = 'ok' | 'paper_out' | 'paper_near_end' | 'cover_open' | 'offline' | 'error' | 'unknown';

export interface PrinterStatus {
  /** Printer id from configuration (e.g. "kiosk-1"), or "env" for GILIRAN_PRINTER, or "agent:<device id>". */
  printerId: string;
  state: PrinterState;
  /** Human text for staff and kiosk, Indonesian first. */
  message: Bilingual;
  at: string;
}

/** What became of printing one ticket or slip: the kiosk falls back to the screen unless `printed`. */
export interface PrintResult {
  jobId: string;
  /** The ticket printed, or null for a "what to bring" slip. */
  ticketId: string | null;
  /**
   * 'failed' for a ticket may be followed by 'printed' for the same job: a
   * ticket held while the printer had no paper is printed once it has.
   */
  state: 'printed' | 'failed' | 'no_printer';
  printer: PrinterStatus | null;
}

export interface SlipRequest {
  service: string;
  subcase: string;
  missing: string[];
}

export interface ScanEvent {
  /** The decoded barcode/QR text. */
  code: string;
  /** Which scanner: a configured id, or "wedge" for keyboard-wedge scanners typing into a page. */
  source: string;
  at: string;
}

// ------------------------------------------------------------------ receipts

/** Roll width: 58 mm (384 dots, 32 characters of font A) or 80 mm (576 dots, 48 characters). */
export type PaperWidth = 58 | 80;

/**
 * One piece of a receipt. A receipt is described once and then either printed
 * (ESC/POS) or shown on a screen (preview); both go through the same layout,
 * so the lines break at the same places.
 */
export type ReceiptBlock =
  /** `size` multiplies character width and height (1–4); long text wraps at word boundaries. */
  | { type: 'text'; text: string; align?: 'left' | 'center' | 'right'; size?: 1 | 2 | 3 | 4; bold?: boolean }
  /** A horizontal rule across the paper. */
  | { type: 'rule' }
  /** A QR code (printed with the printer's own QR command). */
  | { type: 'qr'; data: string }
  /** A raster image, a PNG in base64 (the office logo); `alt` is its text for previews. */
  | { type: 'image'; png: string; alt: string }
  | { type: 'feed'; lines: number };

export interface ReceiptDescription {
  kind: 'ticket' | 'slip';
  blocks: ReceiptBlock[];
}

// ------------------------------------------------------------------ agent

/** A print job the server hands to an agent. */
export interface AgentPrintJob {
  /** Unique; the agent prints a job id at most once, however often it is sent. */
  jobId: string;
  officeId: string;
  ticketId: string | null;
  /** The kiosk the job is for (device id, "loopback" for the demo screen). */
  kioskId: string;
  receipt: ReceiptDescription;
  /** Hold the job while the printer cannot print and print it later (tickets), or fail at once (slips). */
  hold: boolean;
  createdAt: string;
}

/** What an agent says about itself right after connecting. */
export interface AgentHello {
  /** Kiosk device ids whose tickets this agent prints (and whose pages get its scans). */
  kiosks: string[];
  printer: { url: string; paper: PaperWidth } | null;
  scanner: { url: string } | null;
  version: string;
}

export interface AgentWelcome {
  agentId: string;
  officeId: string;
  /** Printer id the server uses for this agent's printer in PrinterStatus. */
  printerId: string;
}
