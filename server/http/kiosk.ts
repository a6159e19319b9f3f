// Kiosk-facing endpoints beyond the queue: which services can be offered now
// (availability), QR codes drawn on the server (so no QR encoder ships in the
// page), and the kiosk's settings (the public address for tracking QR codes).
import { Router } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { RateLimiter } from '../auth/rate-limit.ts';
import { availabilityOf } from '../domain/availability.ts';
import type { HttpContext } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';
import { etaAccuracyRoute } from './eta-accuracy.ts';

/** Longest QR payload accepted, in UTF-8 bytes: a "what to bring" list fits, a screen can still show it scannably. */
export const QR_MAX_BYTES = 1200;

/** QR images drawn per address and minute (a drawing costs the event loop several ms), and answers in all (cached ones are cheap). */
export const QR_RENDERS_PER_MINUTE = 60;
export const QR_REQUESTS_PER_MINUTE = 600;
/** Drawn images kept, newest used last; bounded by bytes too. */
const QR_CACHE_ENTRIES = 500;
const QR_CACHE_BYTES = 8 * 1024 * 1024;

/** The SVG of each payload, drawn once: a least-recently-used cache (a Map keeps insertion order). */
class QrCache {
  #entries = new Map<string, { svg: Promise<string>; bytes: number }>();
  #bytes = 0;

  get(data: string): Promise<string> | undefined {
    const hit = this.#entries.get(data);
    if (hit) {
      this.#entries.delete(data);
      this.#entries.set(data, hit);
    }
    return hit?.svg;
  }

  /** Draws `data` (concurrent requests for it share the drawing) and keeps the result. */
  draw(data: string): Promise<string> {
    const long = Buffer.byteLength(data, 'utf8') > 300;
    const svg = QRCode.toString(data, { type: 'svg', errorCorrectionLevel: long ? 'L' : 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
    const entry = { svg, bytes: 0 };
    this.#entries.set(data, entry);
    svg.then(
      (text) => {
        if (this.#entries.get(data) !== entry) return;
        entry.bytes = text.length + data.length;
        this.#bytes += entry.bytes;
        this.#evict();
      },
      () => {
        if (this.#entries.get(data) === entry) this.#entries.delete(data);
      },
    );
    return svg;
  }

  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= QR_CACHE_ENTRIES && this.#bytes <= QR_CACHE_BYTES) break;
      this.#entries.delete(key);
      this.#bytes -= entry.bytes;
    }
  }
}

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

  etaAccuracyRoute(r, ctx);

  const qrCache = new QrCache();
  const qrRequests = new RateLimiter(QR_REQUESTS_PER_MINUTE, 60_000);
  const qrRenders = new RateLimiter(QR_RENDERS_PER_MINUTE, 60_000);
  r.get('/api/v1/qr.svg', async (req, res) => {
    const address = req.socket.remoteAddress ?? '?';
    if (!qrRequests.hit(address)) throw HttpError.of('rate_limited');
    const { data } = validate(qrQuery, req.query);
    let svg = qrCache.get(data);
    if (!svg) {
      if (!qrRenders.hit(address)) throw HttpError.of('rate_limited');
      svg = qrCache.draw(data);
    }
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('image/svg+xml').send(await svg);
  });

  r.get('/api/v1/kiosk/config', (_req, res) => {
    res.json({ publicUrl: ctx.settings.publicUrl ?? null });
  });

  return r;
}
