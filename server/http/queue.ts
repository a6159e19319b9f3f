// The queue over REST: snapshot, issuing tickets and one endpoint per counter
// command. Each runs the same QueueService.execute as the sockets do.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { commandOf, commandVariant, idempotencyKeySchema, issueForm, restForm, type Command, type CommandType } from '../../protocol/commands.ts';
import type { auditSchema, officeListSchema, officeResponseSchema } from '../../protocol/schemas-http.ts';
import { actorOf, mayRun, worksFor, type Principal } from '../auth/permissions.ts';
import { publicOffice } from '../queue-service.ts';
import { feedOf, snapshotFor } from '../realtime/feeds.ts';
import { type HttpContext, requirePrincipal, requireRole } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';

/** The REST form of each command endpoint of one counter (the path gives the counter). */
export const COUNTER_ENDPOINTS = {
  'call-next': restForm('call_next', ['counterId']),
  call: restForm('call_ticket', ['counterId']),
  recall: restForm('recall', ['counterId']),
  start: restForm('start', ['counterId']),
  finish: restForm('finish', ['counterId'], { outcome: commandVariant('finish').shape.outcome.default('done') }),
  'no-show': restForm('no_show', ['counterId']),
  transfer: restForm('transfer', ['counterId']),
  park: restForm('park', ['counterId']),
  return: restForm('return', ['counterId']),
  pause: restForm('pause', ['counterId']),
  resume: restForm('resume', ['counterId']),
  'sign-in': restForm('sign_in', ['counterId']),
  'sign-out': restForm('sign_out', ['counterId']),
} as const;

/** The REST form of the other command endpoints, by operation. */
export const QUEUE_ENDPOINTS = {
  issue: issueForm,
  cancel: restForm('cancel', ['ticket']),
  reinstate: restForm('reinstate', ['ticket']),
  move: restForm('move_ticket', ['ticket']),
  precheck: restForm('record_precheck'),
  settings: restForm('configure_counter', ['counterId']),
  close: restForm('close_service', ['service']),
  reopen: restForm('reopen_service', ['service']),
  survey: restForm('answer_survey', ['ticket']),
} as const;

export const auditQuerySchema = z.object({ day: z.iso.date().optional().describe('Office day, YYYY-MM-DD; today when left out.') });

const headerKey = z.object({ idempotencyKey: idempotencyKeySchema });

interface Form<T extends CommandType = CommandType> {
  type: T;
  body: z.ZodType<{ idempotencyKey?: string | undefined }>;
  params: z.ZodType<Record<string, unknown>>;
}

/**
 * The command of a request: the body and the path fields validated once,
 * each by the command's own field schemas. The key comes from the body or
 * else the `Idempotency-Key` header (validated as the same field).
 */
function commandFrom<T extends CommandType>(req: Request, form: Form<T>, path: Record<string, unknown>): Extract<Command, { type: T }> {
  const body = validate(form.body, req.body);
  const params = validate(form.params, path);
  const header = req.headers['idempotency-key'];
  const key = body.idempotencyKey ?? (typeof header === 'string' ? validate(headerKey, { idempotencyKey: header }).idempotencyKey : undefined);
  return commandOf(form.type, params, body, key);
}

/** Whose ticket budget an issue request spends: the user, or the device at its address. */
function issuerKey(req: Request, p: Principal): string {
  return p.kind === 'user' ? `user:${p.user.id}` : `device:${p.device.id}:${req.socket.remoteAddress}`;
}

export function queueRouter(ctx: HttpContext): Router {
  const r = Router();

  const officeFor = (req: Request, p: Principal | null) => {
    const office = ctx.queue.office(String(req.params.office));
    if (!office) throw HttpError.of('office_not_found');
    if (p && !worksFor(p, office.id)) throw HttpError.of('forbidden');
    return office;
  };

  async function run(req: Request, res: Response, p: Principal, officeId: string, command: Command, created = false, withHolderKey = false) {
    if (!mayRun(p, command.type)) throw HttpError.of('forbidden');
    const result = await ctx.queue.execute(officeId, command, actorOf(p));
    if (command.type === 'issue' && (!result.ok || result.data.replayed)) ctx.issueLimiter.refund(issuerKey(req, p));
    if (!result.ok) return sendError(res, result.error);
    if (result.data.replayed) res.setHeader('Idempotent-Replayed', 'true');
    // The issuer (kiosk, or staff issuing for a citizen) gets the ticket's holder key for its QR link.
    const t = result.data.ticket;
    const body = withHolderKey && t ? { ...result.data, holderKey: ctx.track.keyOf(officeId, t.id) } : result.data;
    res.status(created && !result.data.replayed ? 201 : 200).json(body);
  }

  r.get('/api/v1/offices', (_req, res) => {
    res.json({ offices: ctx.queue.offices().map((o) => ({ id: o.id, name: o.name, shortName: o.shortName, timeZone: o.timeZone })) } satisfies z.infer<typeof officeListSchema>);
  });

  r.get('/api/v1/offices/:office', (req, res) => {
    res.json({ office: publicOffice(officeFor(req, null)) } satisfies z.infer<typeof officeResponseSchema>);
  });

  r.get('/api/v1/offices/:office/queue', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const snap = await ctx.queue.snapshot(office.id);
    if (!snap.ok) return sendError(res, snap.error);
    res.json(snapshotFor(feedOf(p), snap.data));
  });

  r.post('/api/v1/offices/:office/tickets', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const source = p.kind === 'user' ? 'counter' : 'kiosk';
    // Tickets issued here are never booking tickets: a slot is accepted and not used.
    const { bookingSlot: _unused, ...command } = commandFrom(req, QUEUE_ENDPOINTS.issue, { source });
    if (!mayRun(p, 'issue')) throw HttpError.of('forbidden');
    const who = issuerKey(req, p);
    // Only new tickets count against the limit: a retry with the same key gets its first answer.
    if (!ctx.issueLimiter.hit(who)) {
      ctx.issueLimiter.refund(who);
      throw HttpError.of('rate_limited');
    }
    await run(req, res, p, office.id, command, true, true);
  });

  const post = (path: string, form: Form, fromPath: (req: Request) => Record<string, unknown>, created = false) =>
    r.post(path, async (req, res) => {
      const p = requirePrincipal(ctx, req);
      const office = officeFor(req, p);
      await run(req, res, p, office.id, commandFrom(req, form, fromPath(req)), created);
    });
  const ticket = (req: Request) => ({ ticket: req.params.ticket });
  const service = (req: Request) => ({ service: req.params.service });
  const counter = (req: Request) => ({ counterId: req.params.counter });

  post('/api/v1/offices/:office/tickets/:ticket/cancel', QUEUE_ENDPOINTS.cancel, ticket);
  post('/api/v1/offices/:office/tickets/:ticket/reinstate', QUEUE_ENDPOINTS.reinstate, ticket);
  post('/api/v1/offices/:office/tickets/:ticket/move', QUEUE_ENDPOINTS.move, ticket);
  post('/api/v1/offices/:office/prechecks', QUEUE_ENDPOINTS.precheck, () => ({}), true);
  for (const [path, form] of Object.entries(COUNTER_ENDPOINTS)) post(`/api/v1/offices/:office/counters/:counter/${path}`, form, counter);

  r.put('/api/v1/offices/:office/counters/:counter/settings', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    await run(req, res, p, office.id, commandFrom(req, QUEUE_ENDPOINTS.settings, counter(req)));
  });

  post('/api/v1/offices/:office/services/:service/close', QUEUE_ENDPOINTS.close, service);
  post('/api/v1/offices/:office/services/:service/reopen', QUEUE_ENDPOINTS.reopen, service);
  post('/api/v1/offices/:office/tickets/:ticket/survey', QUEUE_ENDPOINTS.survey, ticket);

  r.get('/api/v1/offices/:office/audit', async (req, res) => {
    const p = requireRole(ctx, req, ['admin', 'supervisor']);
    const office = officeFor(req, p);
    const { day } = validate(auditQuerySchema, req.query);
    const officeDay = day ?? (await ctx.queue.snapshot(office.id).then((s) => (s.ok ? s.data.officeDay : '')));
    const commits = await ctx.store.queue.readCommits(office.id, String(officeDay));
    const entries = commits.flatMap((c) => c.events.map((e) => ({ version: c.version, at: e.at, actor: e.actor, action: e.type, ticketId: 'ticketId' in e ? e.ticketId : e.type === 'ticket_issued' ? e.ticket.id : null, reason: 'reason' in e ? e.reason : undefined })));
    res.json({ officeDay: String(officeDay), entries } satisfies z.infer<typeof auditSchema>);
  });

  return r;
}
