// The payloads kiosks and agents send about printers and scanners, as zod
// schemas: the server validates with them and protocol/devices.ts takes its
// types from them. Kept apart so pages, which import those types only, never
// bundle zod.
import { z } from 'zod';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/);
const bilingual = z.strictObject({ id: z.string().max(500), en: z.string().max(500) });

export const printerStateSchema = z.enum(['ok', 'paper_out', 'paper_near_end', 'cover_open', 'offline', 'error', 'unknown']);

export const printerStatusSchema = z.strictObject({
  /** Printer id from configuration (e.g. "kiosk-1"), or "env" for GILIRAN_PRINTER, or "agent:<device id>". */
  printerId: z.string().max(200),
  state: printerStateSchema,
  /** Human text for staff and kiosk, Indonesian first. */
  message: bilingual,
  at: z.string().max(40),
});

/** What became of printing one ticket or slip: the kiosk falls back to the screen unless `printed`. */
export const printResultSchema = z.strictObject({
  jobId: z.string().min(1).max(200),
  /** The ticket printed, or null for a "what to bring" slip. */
  ticketId: z.string().max(64).nullable(),
  /**
   * 'failed' for a ticket may be followed by 'printed' for the same job: a
   * ticket held while the printer had no paper is printed once it has.
   */
  state: z.enum(['printed', 'failed', 'no_printer']),
  printer: printerStatusSchema.nullable(),
});

/** A "what to bring" slip a kiosk asks for: the service, its sub-case and the documents missing. */
export const slipRequestSchema = z.strictObject({
  service: z.string().min(1).max(64),
  subcase: id,
  missing: z.array(id).min(1).max(50),
});

export const scanEventSchema = z.strictObject({
  /** The decoded barcode/QR text. */
  code: z.string().min(1).max(4096),
  /** Which scanner: a configured id, or "wedge" for keyboard-wedge scanners typing into a page. */
  source: z.string().max(200),
  at: z.string().max(40),
});

/** What an agent says about itself right after connecting. */
export const agentHelloSchema = z.strictObject({
  /** Kiosk device ids whose tickets this agent prints (and whose pages get its scans). */
  kiosks: z.array(z.string().min(1).max(64)).max(50),
  printer: z.strictObject({ url: z.string().max(300), paper: z.union([z.literal(58), z.literal(80)]) }).nullable(),
  scanner: z.strictObject({ url: z.string().max(300) }).nullable(),
  version: z.string().max(40),
});
