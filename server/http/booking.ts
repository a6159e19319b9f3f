// Online booking over REST (protocol/booking.ts, docs/booking.md): public
// slots, challenge, hold, manage (confirm, cancel, change, .ics, QR), the
// kiosk's check-in, and the staff endpoints. Each handler validates, asks
// BookingService (which decides in the domain and commits through the one
// writer of the slot's day) and answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import {
  BOOKING_ROUTES,
  bookingChangeBodySchema,
  bookingCheckInBodySchema,
  bookingCodeSchema,
  bookingDayQuerySchema,
  bookingHoldBodySchema,
  bookingKeyBodySchema,
  bookingKeyQuerySchema,
  bookingPrecheckFailedBodySchema,
  bookingQrPayload,
  bookingSlotBlockBodySchema,
  bookingSlotUnblockBodySchema,
  bookingStaffBodySchema,
  bookingStaffCancelBodySchema,
  slotsQuerySchema,
  type BookingCheckedIn,
} from '../../protocol/booking.ts';
import { apiError, httpStatusOf } from '../../protocol/errors.ts';
import type { Actor } from '../../protocol/model.ts';
import type { Logger } from '../log.ts';
import { actorOf, worksFor } from '../auth/permissions.ts';
import { bookingIcs, bookingView, type BookingService } from '../booking-service.ts';
import type { Result } from '../queue-service.ts';
import { requireOfficeRole, requirePrincipal, type HttpContext } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';
import { validationError } from '../validation.ts';

const CITIZEN: Actor = { kind: 'citizen', id: 'booking-holder' };

const codeParams = z.object({ office: z.string(), booking: bookingCodeSchema });

/** A status and a JSON body: what the hold and confirm answer, through Express or the fast path. */
interface Answer {
  status: number;
  json: unknown;
}

function answerOf<T>(r: Result<T>, status = 200): Answer {
  return r.ok ? { status, json: r.data } : { status: httpStatusOf(r.error.code), json: { error: r.error } };
}

/** Runs a handler body whose refusals are thrown HttpErrors (as the routes do) into an Answer. */
async function answering(fn: () => Promise<Answer>): Promise<Answer> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError) return { status: httpStatusOf(err.error.code), json: { error: err.error } };
    throw err;
  }
}

/** POST bookings: validate, rate limit per address, spend the proof of work, hold. */
function holdAnswer(ctx: HttpContext, booking: BookingService, officeParam: string, body: unknown, address: string): Promise<Answer> {
  return answering(async () => {
    const office = ctx.queue.office(officeParam);
    if (!office) throw HttpError.of('office_not_found');
    const b = validate(bookingHoldBodySchema, body);
    if (!booking.addressAllowed(address)) throw HttpError.of('rate_limited');
    const pow = booking.spendPow(b.altcha);
    if (pow) throw HttpError.of(pow);
    return answerOf(await booking.create(office.id, b, 'online', CITIZEN, address), 201);
  });
}

/** POST bookings/{code}/confirm with the manage key. */
function confirmAnswer(ctx: HttpContext, booking: BookingService, params: unknown, body: unknown): Promise<Answer> {
  return answering(async () => {
    const p = codeParams.safeParse(params);
    const office = ctx.queue.office(String((params as { office?: unknown }).office));
    if (!office) throw HttpError.of('office_not_found');
    if (!p.success) throw HttpError.of('booking_not_found');
    const { k } = validate(bookingKeyBodySchema, body);
    const out = await booking.confirm(office.id, p.data.booking, k, CITIZEN);
    return answerOf(out.ok ? { ok: true, data: { booking: out.data } } : out);
  });
}

export interface FastPathOptions {
  /** The JSON body limit (settings.bodyLimit, e.g. "16kb"). */
  bodyLimit: string;
  /** The headers every answer carries (the app's helmet headers and the API's Cache-Control). */
  headers: ReadonlyArray<readonly [string, string]>;
  /** The app's same-origin rule for state-changing requests. */
  sameOrigin(req: IncomingMessage): boolean;
  log: Logger;
}

/** The headers a header-setting middleware (helmet) sets, captured once. */
export function headersSetBy(middleware: (req: never, res: never, next: () => void) => void): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const res = { setHeader: (k: string, v: unknown) => void out.push([k, String(v)]), removeHeader: () => undefined, getHeader: () => undefined };
  middleware({ headers: {}, method: 'POST', url: '/' } as never, res as never, () => undefined);
  return out;
}

const SLOTS_PATH = /^\/api\/v1\/offices\/([a-z0-9-]+)\/booking-slots$/;
const HOLD_PATH = /^\/api\/v1\/offices\/([a-z0-9-]+)\/bookings$/;
const CONFIRM_PATH = /^\/api\/v1\/offices\/([a-z0-9-]+)\/bookings\/([A-Za-z0-9]+)\/confirm$/;

/**
 * The rush's two requests, hold and confirm, answered before Express walks
 * its middleware and routers (at the instant a day opens a thousand phones
 * send them within a second: issue 12's ≤ 50 ms). Only the plain case is
 * taken: POST, `application/json`, a Content-Length within the body limit,
 * no cookie (a session's request goes the usual way, through the password
 * gate), same origin, a plain path; anything else returns false and Express
 * answers it as before. The answers are the routes' own (holdAnswer,
 * confirmAnswer: the same validation, rate limit, proof of work and
 * errors) with the same security headers.
 */
export function bookingFastPath(ctx: HttpContext, booking: BookingService, opts: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const m = /^(\d+)(b|kb|mb)$/.exec(opts.bodyLimit);
  const limit = m ? Number(m[1]) * (m[2] === 'mb' ? 1024 * 1024 : m[2] === 'kb' ? 1024 : 1) : 16 * 1024;
  const write = (res: ServerResponse, a: Answer) => {
    const text = JSON.stringify(a.json);
    for (const [k, v] of opts.headers) res.setHeader(k, v);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.statusCode = a.status;
    res.end(text);
  };
  const sendText = (res: ServerResponse, status: number, text: string) => {
    for (const [k, v] of opts.headers) res.setHeader(k, v);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.statusCode = status;
    res.end(text);
  };
  return (req, res) => {
    if (req.method === 'GET' && req.headers.cookie === undefined && req.url?.startsWith('/api/v1/offices/')) {
      // The availability listing (what every phone polls while it waits for the day to open).
      const q = req.url.indexOf('?');
      const slots = SLOTS_PATH.exec(q < 0 ? req.url : req.url.slice(0, q));
      if (!slots) return false;
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1))) {
        const had = query[k];
        query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
      }
      void (async () => {
        const office = ctx.queue.office(slots[1]!);
        if (!office) return sendText(res, httpStatusOf('office_not_found'), JSON.stringify({ error: apiError('office_not_found') }));
        const p = slotsQuerySchema.safeParse(query);
        if (!p.success) {
          const error = validationError(p.error);
          return sendText(res, httpStatusOf(error.code), JSON.stringify({ error }));
        }
        const out = await booking.slotsJson(office.id, p.data.service, p.data.from, p.data.to);
        if (!out.ok) return sendText(res, httpStatusOf(out.error.code), JSON.stringify({ error: out.error }));
        sendText(res, 200, out.data);
      })().catch((err: unknown) => {
        opts.log.error({ err }, 'unhandled error in request');
        if (!res.headersSent) sendText(res, 500, JSON.stringify({ error: apiError('internal') }));
      });
      return true;
    }
    if (req.method !== 'POST' || req.headers.cookie !== undefined || req.headers['content-encoding'] !== undefined || req.headers['transfer-encoding'] !== undefined) return false;
    const type = req.headers['content-type'];
    if (type !== 'application/json' && type !== 'application/json; charset=utf-8') return false;
    const url = req.url ?? '';
    const hold = HOLD_PATH.exec(url);
    const confirm = hold ? null : CONFIRM_PATH.exec(url);
    if (!hold && !confirm) return false;
    const length = Number(req.headers['content-length']);
    if (!Number.isInteger(length) || length <= 0 || length > limit || !opts.sameOrigin(req)) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      void (async () => {
        let body: unknown;
        try {
          if (size !== length) throw new Error('length');
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          // Express's parser is strict: an object or an array, nothing else.
          if (typeof body !== 'object' || body === null) throw new Error('not strict JSON');
        } catch {
          return write(res, { status: httpStatusOf('invalid_json'), json: { error: apiError('invalid_json') } });
        }
        const a = hold ? await holdAnswer(ctx, booking, hold[1]!, body, req.socket.remoteAddress ?? '?') : await confirmAnswer(ctx, booking, { office: confirm![1], booking: confirm![2] }, body);
        write(res, a);
      })().catch((err: unknown) => {
        opts.log.error({ err }, 'unhandled error in request');
        if (!res.headersSent) write(res, { status: 500, json: { error: apiError('internal') } });
      });
    });
    return true;
  };
}

function send<T>(res: Response, r: Result<T>, status = 200): void {
  if (!r.ok) return sendError(res, r.error);
  res.status(status).json(r.data);
}

export function bookingRouter(ctx: HttpContext, booking: BookingService): Router {
  const r = Router();
  const address = (req: Request) => req.socket.remoteAddress ?? '?';
  const officeOf = (req: Request) => {
    const office = ctx.queue.office(String(req.params.office));
    if (!office) throw HttpError.of('office_not_found');
    return office;
  };
  const codeOf = (req: Request) => {
    const p = codeParams.safeParse(req.params);
    if (!p.success) throw HttpError.of('booking_not_found');
    return p.data.booking;
  };

  r.get(BOOKING_ROUTES.slots, async (req, res) => {
    const office = officeOf(req);
    const q = validate(slotsQuerySchema, req.query);
    const out = await booking.slotsJson(office.id, q.service, q.from, q.to);
    if (!out.ok) return sendError(res, out.error);
    res.type('application/json').send(out.data);
  });

  r.post(BOOKING_ROUTES.challenge, async (req, res) => {
    officeOf(req);
    if (!booking.addressAllowed(`challenge:${address(req)}`)) throw HttpError.of('rate_limited');
    res.json(await booking.challenge());
  });

  r.post(BOOKING_ROUTES.precheckFailed, async (req, res) => {
    const office = officeOf(req);
    const body = validate(bookingPrecheckFailedBodySchema, req.body);
    if (!booking.addressAllowed(`precheck:${address(req)}`)) throw HttpError.of('rate_limited');
    const out = await booking.precheckFailed(office.id, body.service, body.subcase, body.missing, body.answers, CITIZEN);
    if (!out.ok) return sendError(res, out.error);
    res.status(204).end();
  });

  r.post(BOOKING_ROUTES.checkIn, async (req, res) => {
    const office = officeOf(req);
    const p = requirePrincipal(ctx, req);
    if (!worksFor(p, office.id)) throw HttpError.of('forbidden');
    // A paired kiosk (device auth, as its ticket endpoint), or staff checking a citizen in by hand.
    if (p.kind === 'device' && p.device.kind !== 'kiosk' && p.device.kind !== 'agent') throw HttpError.of('forbidden');
    const body = validate(bookingCheckInBodySchema, req.body);
    const out = await booking.checkIn(office.id, body.code, actorOf(p), {}, body.idempotencyKey);
    if (!out.ok) return sendError(res, out.error);
    const answer: BookingCheckedIn = { booking: out.data.booking, ticket: out.data.ticket, holderKey: ctx.track.keyOf(office.id, out.data.ticket.id), replayed: out.data.replayed };
    res.status(out.data.replayed ? 200 : 201).json(answer);
  });

  r.post(BOOKING_ROUTES.hold, async (req, res) => {
    const a = await holdAnswer(ctx, booking, String(req.params.office), req.body, address(req));
    res.status(a.status).json(a.json);
  });

  r.get(BOOKING_ROUTES.one, async (req, res) => {
    const office = officeOf(req);
    const code = codeOf(req);
    const { k } = validate(bookingKeyQuerySchema, req.query);
    const f = await booking.findWithKey(office.id, code, k);
    if (!f.ok) return sendError(res, f.error);
    res.json({ booking: bookingView(f.data.office, f.data.booking) });
  });

  r.post(BOOKING_ROUTES.confirm, async (req, res) => {
    const a = await confirmAnswer(ctx, booking, req.params, req.body);
    res.status(a.status).json(a.json);
  });

  r.post(BOOKING_ROUTES.cancel, async (req, res) => {
    const office = officeOf(req);
    const code = codeOf(req);
    const { k } = validate(bookingKeyBodySchema, req.body);
    const out = await booking.cancel(office.id, code, k, CITIZEN);
    send(res, out.ok ? { ok: true, data: { booking: out.data } } : out);
  });

  r.post(BOOKING_ROUTES.change, async (req, res) => {
    const office = officeOf(req);
    const code = codeOf(req);
    const body = validate(bookingChangeBodySchema, req.body);
    if (!booking.addressAllowed(address(req))) throw HttpError.of('rate_limited');
    send(res, await booking.change(office.id, code, body.k, body.slot, CITIZEN, address(req)), 201);
  });

  r.get(BOOKING_ROUTES.ics, async (req, res) => {
    const office = officeOf(req);
    const code = codeOf(req);
    const { k } = validate(bookingKeyQuerySchema, req.query);
    const f = await booking.findWithKey(office.id, code, k);
    if (!f.ok) return sendError(res, f.error);
    res.setHeader('Content-Disposition', `attachment; filename="booking-${code}.ics"`);
    res.type('text/calendar; charset=utf-8').send(bookingIcs(f.data.office, f.data.booking, booking.now));
  });

  r.get(BOOKING_ROUTES.qr, async (req, res) => {
    const office = officeOf(req);
    const code = codeOf(req);
    const { k } = validate(bookingKeyQuerySchema, req.query);
    const f = await booking.findWithKey(office.id, code, k);
    if (!f.ok) return sendError(res, f.error);
    const svg = await QRCode.toString(bookingQrPayload(office.id, code), { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
    res.type('image/svg+xml').send(svg);
  });

  // ------------------------------------------------------------ staff

  r.post(BOOKING_ROUTES.staffCreate, async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeRole(ctx, req, office.id, ['clerk', 'supervisor', 'admin']);
    const body = validate(bookingStaffBodySchema, req.body);
    const out = await booking.create(office.id, { ...body, confirm: true }, 'staff', actorOf(p), address(req));
    if (out.ok) await ctx.store.audit.append({ at: booking.now.toISOString(), actor: actorOf(p), action: 'booking.staff_create', officeId: office.id, detail: { code: out.data.booking.code, slot: out.data.booking.slot, service: out.data.booking.serviceId } });
    send(res, out, 201);
  });

  r.get(BOOKING_ROUTES.staffDay, async (req, res) => {
    const office = officeOf(req);
    requireOfficeRole(ctx, req, office.id, ['supervisor', 'admin']);
    const q = validate(bookingDayQuerySchema, req.query);
    send(res, await booking.day(office.id, q.day, q.service));
  });

  r.post(BOOKING_ROUTES.staffCancel, async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeRole(ctx, req, office.id, ['supervisor', 'admin']);
    const code = codeOf(req);
    const body = validate(bookingStaffCancelBodySchema, req.body);
    const out = await booking.cancel(office.id, code, null, actorOf(p), 'staff', body.reason);
    if (out.ok) await ctx.store.audit.append({ at: booking.now.toISOString(), actor: actorOf(p), action: 'booking.staff_cancel', officeId: office.id, detail: { code } });
    send(res, out.ok ? { ok: true, data: { booking: out.data } } : out);
  });

  r.post(BOOKING_ROUTES.block, async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeRole(ctx, req, office.id, ['supervisor', 'admin']);
    const body = validate(bookingSlotBlockBodySchema, req.body);
    const out = await booking.block(office.id, body.service, body.slot, body.reason, actorOf(p));
    if (out.ok) await ctx.store.audit.append({ at: booking.now.toISOString(), actor: actorOf(p), action: 'booking.slot_block', officeId: office.id, detail: { service: body.service, slot: body.slot, cancelled: out.data.cancelled.length } });
    send(res, out);
  });

  r.post(BOOKING_ROUTES.unblock, async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeRole(ctx, req, office.id, ['supervisor', 'admin']);
    const body = validate(bookingSlotUnblockBodySchema, req.body);
    const out = await booking.unblock(office.id, body.service, body.slot, actorOf(p));
    if (!out.ok) return sendError(res, out.error);
    await ctx.store.audit.append({ at: booking.now.toISOString(), actor: actorOf(p), action: 'booking.slot_unblock', officeId: office.id, detail: { service: body.service, slot: body.slot } });
    res.status(204).end();
  });

  return r;
}
