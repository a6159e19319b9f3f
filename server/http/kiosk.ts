// Kiosk-facing endpoints beyond the queue: which services can be offered now
// (availability), QR codes drawn on the server (so no QR encoder ships in the
// page), and the kiosk's settings (the public address for tracking QR codes).
import { Router } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { availabilityOf } from '../domain/availability.ts';
import type { HttpContext } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';

/** Longest QR payload accepted, in UTF-8 bytes: a "what to bring" list fits, a screen can still show it scannably. */
export const QR_MAX_BYTES = 1200;

const qrQuery = z.object({
  data: z.string().min(1).refine((s) => Buffer.byteLength(s, 'utf8') <= QR_MAX_BYTES, `at most ${QR_MAX_BYTES} bytes`),
});

export function kioskRouter(ctx: HttpContext): Router {
  const r = Router();

  r.get('/api/v1/offices/:office/availability', async (req, res) => {
    const office = ctx.queue.office(String(req.params.office));
    if (!office) throw HttpError.of('office_not_found');
    // The snapshot opens the right office day (and rolls it over at midnight);
    // the day's state itself is then already in memory.
    const snap = await ctx.queue.snapshot(office.id);
    if (!snap.ok) return sendError(res, snap.error);
    const day = await ctx.store.queue.openDay(office, snap.data.officeDay);
    res.setHeader('Cache-Control', 'no-store');
    res.json(availabilityOf(day, office, new Date(snap.data.serverTime)));
  });

  r.get('/api/v1/qr.svg', async (req, res) => {
    const { data } = validate(qrQuery, req.query);
    const long = Buffer.byteLength(data, 'utf8') > 300;
    const svg = await QRCode.toString(data, { type: 'svg', errorCorrectionLevel: long ? 'L' : 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('image/svg+xml').send(svg);
  });

  r.get('/api/v1/kiosk/config', (_req, res) => {
    res.json({ publicUrl: ctx.settings.publicUrl ?? null });
  });

  return r;
}
