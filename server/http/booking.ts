// Online booking over REST (protocol/booking.ts, docs/booking.md): public
// slots, challenge, hold, manage (confirm, cancel, change, .ics, QR), the
// kiosk's check-in, and the staff endpoints. Each handler validates, asks
// BookingService (which decides in the domain and commits through the one
// writer of the slot's day) and answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request } from 'express';
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
import type { Actor } from '../../protocol/model.ts';
import { actorOf, worksFor } from '../auth/permissions.ts';
import { bookingIcs, bookingView, type BookingService } from '../booking-service.ts';
import type { Result } from '../queue-service.ts';
import { requireOfficeRole, requirePrincipal, type HttpContext } from './context.ts';
import type { LaneHandler, LaneRequest, LaneRoute } from './citizen-lane.ts';
import { HttpError, sendError, sendJson, validate } from './errors.ts';

const CITIZEN: Actor = { kind: 'citizen', id: 'booking-holder' };

const codeParams = z.object({ office: z.string(), booking: bookingCodeSchema });

function send<T>(res: ServerResponse, r: Result<T>, status = 200): void {
  if (!r.ok) return sendError(res, r.error);
  sendJson(res, status, r.data);
}

const address = (req: IncomingMessage) => req.socket.remoteAddress ?? '?';

function officeIn(ctx: HttpContext, req: LaneRequest) {
  const office = ctx.queue.office(String(req.params.office));
  if (!office) throw HttpError.of('office_not_found');
  return office;
}

function codeIn(req: LaneRequest) {
  const p = codeParams.safeParse(req.params);
  if (!p.success) throw HttpError.of('booking_not_found');
  return p.data.booking;
}

/**
 * The citizen's steps of a booking rush: the proof-of-work challenge, the
 * hold and the confirm. Express mounts them (bookingRouter) and so does the
 * citizens' lane (citizenLaneRoutes, server/http/citizen-lane.ts): they use
 * nothing of a request but its params, parsed body and socket.
 */
function citizenHandlers(ctx: HttpContext, booking: BookingService): { challenge: LaneHandler; hold: LaneHandler; confirm: LaneHandler } {
  return {
    async challenge(req, res) {
      officeIn(ctx, req);
      if (!booking.addressAllowed(`challenge:${address(req)}`)) throw HttpError.of('rate_limited');
      sendJson(res, 200, await booking.challenge());
    },
    async hold(req, res) {
      const office = officeIn(ctx, req);
      const body = validate(bookingHoldBodySchema, req.body);
      if (!booking.addressAllowed(address(req))) throw HttpError.of('rate_limited');
      // Most of a rush: a slot already full is refused before the work is spent (BookingService.slotFull).
      if (await booking.slotFull(office.id, body)) throw HttpError.of('booking_slot_full');
      const pow = booking.spendPow(body.altcha);
      if (pow) throw HttpError.of(pow);
      send(res, await booking.create(office.id, body, 'online', CITIZEN, address(req)), 201);
    },
    async confirm(req, res) {
      const office = officeIn(ctx, req);
      const code = codeIn(req);
      const { k } = validate(bookingKeyBodySchema, req.body);
      const out = await booking.confirm(office.id, code, k, CITIZEN);
      send(res, out.ok ? { ok: true, data: { booking: out.data } } : out);
    },
  };
}

/** The routes the citizens' lane answers before Express: the same handlers as bookingRouter's. */
export function citizenLaneRoutes(ctx: HttpContext, booking: BookingService): LaneRoute[] {
  const h = citizenHandlers(ctx, booking);
  return [
    { method: 'POST', path: BOOKING_ROUTES.hold, handler: h.hold },
    { method: 'POST', path: BOOKING_ROUTES.confirm, handler: h.confirm },
    { method: 'POST', path: BOOKING_ROUTES.challenge, handler: h.challenge },
  ];
}

export function bookingRouter(ctx: HttpContext, booking: BookingService): Router {
  const r = Router();
  const officeOf = (req: Request) => officeIn(ctx, req);
  const codeOf = (req: Request) => codeIn(req);

  r.get(BOOKING_ROUTES.slots, async (req, res) => {
    const office = officeOf(req);
    const q = validate(slotsQuerySchema, req.query);
    const out = await booking.slotsJson(office.id, q.service, q.from, q.to);
    if (!out.ok) return sendError(res, out.error);
    res.type('application/json').send(out.data);
  });

  const citizen = citizenHandlers(ctx, booking);
  r.post(BOOKING_ROUTES.challenge, citizen.challenge);

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

  r.post(BOOKING_ROUTES.hold, citizen.hold);

  r.get(BOOKING_ROUTES.one, async (req, res) => {
    const office = officeOf(req);
    const code = codeOf(req);
    const { k } = validate(bookingKeyQuerySchema, req.query);
    const f = await booking.findWithKey(office.id, code, k);
    if (!f.ok) return sendError(res, f.error);
    res.json({ booking: bookingView(f.data.office, f.data.booking) });
  });

  r.post(BOOKING_ROUTES.confirm, citizen.confirm);

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
