// Receipt printers and scanners as pages and agents see them.
import type { Bilingual } from './model.ts';

export type PrinterState = 'ok' | 'paper_out' | 'paper_near_end' | 'cover_open' | 'offline' | 'error' | 'unknown';

export interface PrinterStatus {
  /** Printer id from configuration (e.g. "kiosk-1"), or "env" for GILIRAN_PRINTER. */
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
