// Receipt printers and scanners as pages and agents see them. The payloads a
// screen or agent sends are zod schemas in device-schemas.ts (types here by
// z.infer, imported as types only, so pages carry no zod).
import type { z } from 'zod';
import type { agentHelloSchema, printResultSchema, printerStateSchema, printerStatusSchema, scanEventSchema, slipRequestSchema } from './device-schemas.ts';

export type PrinterState = z.infer<typeof printerStateSchema>;
export type PrinterStatus = z.infer<typeof printerStatusSchema>;
/** What became of printing one ticket or slip: the kiosk falls back to the screen unless `printed`. */
export type PrintResult = z.infer<typeof printResultSchema>;
export type SlipRequest = z.infer<typeof slipRequestSchema>;
export type ScanEvent = z.infer<typeof scanEventSchema>;

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
export type AgentHello = z.infer<typeof agentHelloSchema>;

export interface AgentWelcome {
  agentId: string;
  officeId: string;
  /** Printer id the server uses for this agent's printer in PrinterStatus. */
  printerId: string;
}
