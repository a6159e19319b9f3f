// Device pairing: an unpaired kiosk or TV asks for a code, shows it, an admin
// approves it, and the screen collects its device token once.
import { Router } from 'express';
import type { z } from 'zod';
import { pairApproveSchema, pairingCodeSchema, pairRequestSchema } from '../../protocol/commands.ts';
import type { deviceListSchema, deviceResponseSchema, ownDeviceSchema, pairingStatusSchema, pendingListSchema } from '../../protocol/schemas-http.ts';
import { actorOf } from '../auth/permissions.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { type HttpContext, principalOf, requireRole } from './context.ts';
import { HttpError, validate } from './errors.ts';

export function devicesRouter(ctx: HttpContext): Router {
  const r = Router();
  const pairLimiter = new RateLimiter(20, 60_000);

  r.post('/api/v1/devices/pairing', (req, res) => {
    const body = validate(pairRequestSchema, req.body);
    if (!pairLimiter.hit(req.socket.remoteAddress ?? '?')) throw HttpError.of('rate_limited');
    const started = ctx.auth.startPairing(body.kind, body.name, req.socket.remoteAddress ?? '?');
    if (!started) throw HttpError.of('rate_limited'); // too many pending requests, from this address or in all
    res.status(201).json(started);
  });

  r.get('/api/v1/devices/pairing/:requestId', (req, res) => {
    const secret = req.headers['x-pairing-secret'];
    const status = ctx.auth.pairingStatus(String(req.params.requestId), typeof secret === 'string' ? secret : '');
    if (!status) throw HttpError.of('pairing_not_found');
    if (status.status === 'pending') return void res.json(status);
    const d = status.device;
    res.json({ status: 'approved', token: status.token, device: { id: d.id, kind: d.kind, officeId: d.officeId, name: d.name } } satisfies z.infer<typeof pairingStatusSchema>);
  });

  r.get('/api/v1/devices/pairing', (req, res) => {
    requireRole(ctx, req, ['admin']);
    res.json({ pending: ctx.auth.pendingPairings() } satisfies z.infer<typeof pendingListSchema>);
  });

  r.post('/api/v1/devices/pairing/:code/approve', async (req, res) => {
    const p = requireRole(ctx, req, ['admin']);
    const body = validate(pairApproveSchema, req.body);
    const code = validate(pairingCodeSchema, req.params.code);
    if (!ctx.queue.office(body.office)) throw HttpError.of('office_not_found');
    const device = await ctx.auth.approvePairing(code, body.office, body.name, p.kind === 'user' ? p.user.username : '?');
    if (!device) throw HttpError.of('pairing_not_found');
    await ctx.store.audit.append({ at: ctx.queue.now().toISOString(), actor: actorOf(p), action: 'device_paired', officeId: body.office, detail: { deviceId: device.id, kind: device.kind, name: device.name } });
    res.status(201).json({ device: { id: device.id, kind: device.kind, officeId: device.officeId, name: device.name } } satisfies z.infer<typeof deviceResponseSchema>);
  });

  r.get('/api/v1/devices', (req, res) => {
    requireRole(ctx, req, ['admin']);
    res.json({ devices: ctx.store.config.get().devices.map((d) => ({ id: d.id, kind: d.kind, officeId: d.officeId, name: d.name, createdAt: d.createdAt, approvedBy: d.approvedBy })) } satisfies z.infer<typeof deviceListSchema>);
  });

  r.delete('/api/v1/devices/:id', async (req, res) => {
    const p = requireRole(ctx, req, ['admin']);
    const id = String(req.params.id);
    if (!(await ctx.auth.revokeDevice(id))) throw HttpError.of('not_found');
    await ctx.store.audit.append({ at: ctx.queue.now().toISOString(), actor: actorOf(p), action: 'device_revoked', detail: { deviceId: id } });
    res.status(204).end();
  });

  /** A screen asks whether it is paired (or trusted as a loopback demo screen). */
  r.get('/api/v1/devices/me', (req, res) => {
    const p = principalOf(ctx, req);
    if (p?.kind !== 'device') throw HttpError.of('device_not_paired');
    res.json({ device: { id: p.device.id, kind: p.device.kind, officeId: p.device.officeId, name: p.device.name }, loopback: p.loopback } satisfies z.infer<typeof ownDeviceSchema>);
  });

  return r;
}
