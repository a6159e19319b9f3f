// A citizen's phone over REST, no sign-in: the ticket's view (anyone with the
// link; `holder` with the key) and "Saya batal datang" (the holder only, while
// the ticket waits). A wrong key is refused before the ticket is looked up, so
// the answer is the same whether the ticket exists or not.
import { Router, type Request } from 'express';
import type { Actor } from '../../protocol/model.ts';
import { trackCancelBodySchema, trackParamsSchema, trackQuerySchema } from '../../protocol/track-schemas.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import type { HttpContext } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';

/** Views one address may read a minute (a page polling every few seconds, many phones behind one NAT). */
export const TRACK_READS_PER_ADDRESS_PER_MINUTE = 300;
/** Cancel attempts one address may make a minute. */
export const TRACK_CANCELS_PER_ADDRESS_PER_MINUTE = 10;

/** The one actor of a holder's own commands: no personal data, the holder key is the authority. */
export const CITIZEN_ACTOR: Actor = { kind: 'citizen', id: 'ticket-holder' };
export const CITIZEN_CANCEL_REASON = 'Dibatalkan oleh pemegang karcis lewat ponsel (Saya batal datang)';

export function trackRouter(ctx: HttpContext): Router {
  const r = Router();
  const reads = new RateLimiter(TRACK_READS_PER_ADDRESS_PER_MINUTE, 60_000);
  const cancels = new RateLimiter(TRACK_CANCELS_PER_ADDRESS_PER_MINUTE, 60_000);
  const address = (req: Request) => req.socket.remoteAddress ?? '?';

  /** The ticket of the path, with the key checked first (wrong key → 403, whether or not the ticket exists). */
  const ticketOf = (req: Request, key: string | undefined) => {
    const params = validate(trackParamsSchema, { office: req.params.office, day: req.params.day, number: req.params.number });
    if (!ctx.queue.office(params.office)) throw HttpError.of('office_not_found');
    const ticketId = `${params.day}/${params.number}`;
    if (key !== undefined && !ctx.track.keyValid(params.office, ticketId, key)) throw HttpError.of('holder_key_invalid');
    return { officeId: params.office, ticketId, holder: key !== undefined };
  };

  r.get('/api/v1/track/:office/:day/:number', async (req, res) => {
    if (!reads.hit(address(req))) throw HttpError.of('rate_limited');
    const { k } = validate(trackQuerySchema, req.query);
    const { officeId, ticketId, holder } = ticketOf(req, k);
    const view = await ctx.track.view(officeId, ticketId, holder);
    if (!view.ok) return sendError(res, view.error);
    res.json(view.data);
  });

  r.post('/api/v1/track/:office/:day/:number/cancel', async (req, res) => {
    if (!cancels.hit(address(req))) throw HttpError.of('rate_limited');
    const { k } = validate(trackCancelBodySchema, req.body);
    const { officeId, ticketId } = ticketOf(req, k);
    // One key per ticket: a second tap (or a retry after a lost answer) gets the first result.
    const key = `holder-cancel:${ticketId.replace('/', ':')}`;
    const done = await ctx.queue.execute(officeId, { type: 'cancel', ticket: ticketId, reason: CITIZEN_CANCEL_REASON, key }, CITIZEN_ACTOR);
    if (!done.ok) return sendError(res, done.error);
    // execute answered once the cancel was on disk and broadcast; the view reads that state.
    const view = await ctx.track.view(officeId, ticketId, true);
    if (!view.ok) return sendError(res, view.error);
    res.json(view.data);
  });

  return r;
}
