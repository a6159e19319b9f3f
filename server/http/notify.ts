// Alerts to citizens over REST (contract C4): the holder subscribes and
// unsubscribes, the page gets the VAPID key, providers call back with delivery
// receipts and WhatsApp messages, and staff read whether the ticket in hand was
// told. Mounted before the app's JSON parser: the callbacks are verified over
// their raw bytes, so each route parses its own body.
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { notifySubscribeSchema, notifyUnsubscribeSchema, WEBHOOK_SIGNATURE_HEADER, type CounterNotify, type NotifyStatus } from '../../protocol/notify.ts';
import { trackParamsSchema } from '../../protocol/track-schemas.ts';
import { worksFor } from '../auth/permissions.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import type { NotifyService } from '../notify/notify-service.ts';
import { type HttpContext, requirePrincipal } from './context.ts';
import { HttpError, validate } from './errors.ts';

/** Largest provider callback accepted (the Cloud API batches up to a few dozen events). */
export const CALLBACK_MAX_BYTES = 256 * 1024;

export const staffNotifyParamsSchema = z.object({ office: z.string().min(1).max(64), ticket: z.string().regex(/^\d{4}-\d{2}-\d{2}\/[A-Z]\d{3,4}$/, 'a ticket id like 2026-11-23/A001') });

export function notifyRouter(ctx: HttpContext, notify: NotifyService): Router {
  const r = Router();
  const json = express.json({ limit: '16kb', strict: true });
  const raw = express.raw({ type: () => true, limit: CALLBACK_MAX_BYTES });
  let limits: { address: RateLimiter; ticket: RateLimiter } | null = null;

  /** A flood of subscribe calls (one address, or one ticket from many) is refused before any work. */
  function limit(req: Request, res: Response, ticketKey: string): void {
    const perMinute = ctx.settings.notify.subscribesPerAddressPerMinute;
    limits ??= { address: new RateLimiter(perMinute, 60_000), ticket: new RateLimiter(Math.max(5, Math.ceil(perMinute / 3)), 60_000) };
    const address = `addr:${req.socket.remoteAddress ?? '?'}`;
    const overAddress = !limits.address.hit(address);
    const overTicket = !limits.ticket.hit(ticketKey);
    if (overAddress || overTicket) {
      const ms = Math.max(limits.address.retryAfterMs(address), limits.ticket.retryAfterMs(ticketKey));
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(ms / 1000))));
      throw HttpError.of('rate_limited');
    }
  }

  r.put('/api/v1/track/:office/:day/:number/notify', json, async (req, res) => {
    const { office, day, number } = validate(trackParamsSchema, req.params);
    limit(req, res, `${office}/${day}/${number}`);
    const body = validate(notifySubscribeSchema, req.body);
    const status: NotifyStatus = await notify.subscribe(office, day, number, body);
    res.json(status);
  });

  r.delete('/api/v1/track/:office/:day/:number/notify', json, async (req, res) => {
    const { office, day, number } = validate(trackParamsSchema, req.params);
    limit(req, res, `${office}/${day}/${number}`);
    const { k } = validate(notifyUnsubscribeSchema, req.body);
    await notify.unsubscribe(office, day, number, k);
    res.status(204).end();
  });

  r.get('/api/v1/push/public-key', (_req, res) => {
    res.json({ key: notify.vapidPublicKey });
  });

  r.post('/api/v1/notify/webhook/receipt', raw, async (req, res) => {
    await notify.webhookReceipt(rawOf(req), req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()], req.socket.remoteAddress);
    res.json({ ok: true });
  });

  r.get('/api/v1/notify/whatsapp', (req, res) => {
    const challenge = notify.whatsappVerify(req.query['hub.mode'], req.query['hub.verify_token'], req.query['hub.challenge']);
    res.type('text/plain').send(challenge);
  });

  r.post('/api/v1/notify/whatsapp', raw, async (req, res) => {
    await notify.whatsappWebhook(rawOf(req), req.headers['x-hub-signature-256'], req.socket.remoteAddress);
    res.json({ ok: true });
  });

  r.get('/api/v1/offices/:office/tickets/:ticket/notify', (req, res) => {
    const p = requirePrincipal(ctx, req);
    const { office, ticket } = validate(staffNotifyParamsSchema, req.params);
    if (!ctx.queue.office(office)) throw HttpError.of('office_not_found');
    if (p.kind !== 'user' || !worksFor(p, office)) throw HttpError.of('forbidden');
    res.json(notify.counterStatus(office, ticket) satisfies CounterNotify);
  });

  return r;
}

function rawOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}
