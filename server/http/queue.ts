// The queue over REST: snapshot, issuing tickets and one endpoint per counter
// command. Each runs the same QueueService.execute as the sockets do.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { commandSchema, issueBodySchema, type Command } from '../../protocol/commands.ts';
import { FINISH_OUTCOMES, PAUSE_REASONS } from '../../protocol/model.ts';
import { actorOf, mayRun, worksFor, type Principal } from '../auth/permissions.ts';
import { publicOffice } from '../queue-service.ts';
import { type HttpContext, requirePrincipal, requireRole } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';

const empty = z.strictObject({ idempotencyKey: z.string().min(8).max(128).regex(/^[A-Za-z0-9:._-]+$/).optional() });
const withKey = <T extends z.core.$ZodLooseShape>(shape: T) => empty.extend(shape);

/** Body schemas of the counter endpoints (the path gives the counter). */
export const COUNTER_ENDPOINTS = {
  'call-next': { type: 'call_next', body: empty },
  call: { type: 'call_ticket', body: withKey({ ticket: z.string(), reason: z.string() }) },
  recall: { type: 'recall', body: empty },
  start: { type: 'start', body: empty },
  finish: { type: 'finish', body: withKey({ outcome: z.enum(FINISH_OUTCOMES).default('done') }) },
  'no-show': { type: 'no_show', body: empty },
  transfer: { type: 'transfer', body: withKey({ toService: z.string().optional(), toCounter: z.string().optional(), precedence: z.boolean().optional() }) },
  park: { type: 'park', body: withKey({ reason: z.string().optional() }) },
  return: { type: 'return', body: withKey({ ticket: z.string() }) },
  pause: { type: 'pause', body: withKey({ reason: z.enum(PAUSE_REASONS), note: z.string().nullable().optional() }) },
  resume: { type: 'resume', body: empty },
  'sign-in': { type: 'sign_in', body: empty },
  'sign-out': { type: 'sign_out', body: empty },
} as const;

function idempotencyKey(req: Request, body: { idempotencyKey?: string | undefined }): string | undefined {
  const header = req.headers['idempotency-key'];
  return body.idempotencyKey ?? (typeof header === 'string' ? header : undefined);
}

/** Builds the full command and validates it with the one command schema. */
function toCommand(input: Record<string, unknown>): Command {
  const clean = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  return validate(commandSchema, clean);
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

  async function run(req: Request, res: Response, p: Principal, officeId: string, command: Command, created = false) {
    if (!mayRun(p, command.type)) throw HttpError.of('forbidden');
    const result = await ctx.queue.execute(officeId, command, actorOf(p));
    if (command.type === 'issue' && (!result.ok || result.data.replayed)) ctx.issueLimiter.refund(issuerKey(req, p));
    if (!result.ok) return sendError(res, result.error);
    if (result.data.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(created && !result.data.replayed ? 201 : 200).json(result.data);
  }

  r.get('/api/v1/offices', (_req, res) => {
    res.json({ offices: ctx.queue.offices().map((o) => ({ id: o.id, name: o.name, shortName: o.shortName, timeZone: o.timeZone })) });
  });

  r.get('/api/v1/offices/:office', (req, res) => {
    res.json({ office: publicOffice(officeFor(req, null)) });
  });

  r.get('/api/v1/offices/:office/queue', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const snap = await ctx.queue.snapshot(office.id);
    if (!snap.ok) return sendError(res, snap.error);
    res.json(snap.data);
  });

  r.post('/api/v1/offices/:office/tickets', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(issueBodySchema, req.body);
    if (!mayRun(p, 'issue')) throw HttpError.of('forbidden');
    const who = issuerKey(req, p);
    // Only new tickets count against the limit: a retry with the same key gets its first answer.
    if (!ctx.issueLimiter.hit(who)) {
      ctx.issueLimiter.refund(who);
      throw HttpError.of('rate_limited');
    }
    const source = p.kind === 'user' ? 'counter' : 'kiosk';
    await run(req, res, p, office.id, toCommand({
      type: 'issue',
      service: body.service,
      priority: body.priority,
      precheck: body.precheck,
      source,
      key: idempotencyKey(req, body),
    }), true);
  });

  r.post('/api/v1/offices/:office/tickets/:ticket/cancel', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(withKey({ reason: z.string() }), req.body);
    await run(req, res, p, office.id, toCommand({ type: 'cancel', ticket: req.params.ticket, reason: body.reason, key: idempotencyKey(req, body) }));
  });

  r.post('/api/v1/offices/:office/tickets/:ticket/reinstate', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(empty, req.body);
    await run(req, res, p, office.id, toCommand({ type: 'reinstate', ticket: req.params.ticket, key: idempotencyKey(req, body) }));
  });

  r.post('/api/v1/offices/:office/tickets/:ticket/move', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(withKey({ toService: z.string().optional(), toCounter: z.string().optional(), precedence: z.boolean().optional() }), req.body);
    await run(req, res, p, office.id, toCommand({ type: 'move_ticket', ticket: req.params.ticket, toService: body.toService, toCounter: body.toCounter, precedence: body.precedence, key: idempotencyKey(req, body) }));
  });

  r.post('/api/v1/offices/:office/prechecks', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(withKey({ service: z.string(), subcase: z.string(), missing: z.array(z.string()) }), req.body);
    await run(req, res, p, office.id, toCommand({ type: 'record_precheck', service: body.service, subcase: body.subcase, missing: body.missing, key: idempotencyKey(req, body) }), true);
  });

  for (const [path, spec] of Object.entries(COUNTER_ENDPOINTS)) {
    r.post(`/api/v1/offices/:office/counters/:counter/${path}`, async (req, res) => {
      const p = requirePrincipal(ctx, req);
      const office = officeFor(req, p);
      const { idempotencyKey: _k, ...fields } = validate(spec.body, req.body) as Record<string, unknown> & { idempotencyKey?: string };
      await run(req, res, p, office.id, toCommand({ ...fields, type: spec.type, counterId: req.params.counter, key: idempotencyKey(req, { idempotencyKey: _k }) }));
    });
  }

  r.put('/api/v1/offices/:office/counters/:counter/settings', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(withKey({ services: z.array(z.string()), autoCallNext: z.boolean() }), req.body);
    await run(req, res, p, office.id, toCommand({ type: 'configure_counter', counterId: req.params.counter, services: body.services, autoCallNext: body.autoCallNext, key: idempotencyKey(req, body) }));
  });

  r.post('/api/v1/offices/:office/services/:service/close', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(withKey({ reason: z.string() }), req.body);
    await run(req, res, p, office.id, toCommand({ type: 'close_service', service: req.params.service, reason: body.reason, key: idempotencyKey(req, body) }));
  });

  r.post('/api/v1/offices/:office/services/:service/reopen', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeFor(req, p);
    const body = validate(empty, req.body);
    await run(req, res, p, office.id, toCommand({ type: 'reopen_service', service: req.params.service, key: idempotencyKey(req, body) }));
  });

  r.get('/api/v1/offices/:office/audit', async (req, res) => {
    const p = requireRole(ctx, req, ['admin', 'supervisor']);
    const office = officeFor(req, p);
    const { day } = validate(z.object({ day: z.iso.date().optional() }), req.query);
    const officeDay = day ?? (await ctx.queue.snapshot(office.id).then((s) => (s.ok ? s.data.officeDay : '')));
    const commits = await ctx.store.queue.readCommits(office.id, String(officeDay));
    const entries = commits.flatMap((c) => c.events.map((e) => ({ version: c.version, at: e.at, actor: e.actor, action: e.type, ticketId: 'ticketId' in e ? e.ticketId : e.type === 'ticket_issued' ? e.ticket.id : null, reason: 'reason' in e ? e.reason : undefined })));
    res.json({ officeDay, entries });
  });

  return r;
}
