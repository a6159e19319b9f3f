// Staff login and logout: POST/GET/DELETE /api/v1/session.
import { Router, type CookieOptions, type Request, type Response } from 'express';
import { passwordChangeSchema } from '../../protocol/admin-ops.ts';
import { loginSchema } from '../../protocol/commands.ts';
import { actorOf } from '../auth/permissions.ts';
import { SESSION_COOKIE } from '../auth/auth-service.ts';
import type { UserRecord } from '../store/types.ts';
import { type HttpContext, principalOf } from './context.ts';
import { HttpError, validate } from './errors.ts';

export function publicUser(u: UserRecord) {
  return { id: u.id, username: u.username, name: u.name, role: u.role, offices: u.offices };
}

function cookieOptions(req: Request): CookieOptions {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure: req.secure };
}

export function sessionRouter(ctx: HttpContext): Router {
  const r = Router();

  r.post('/api/v1/session', async (req: Request, res: Response) => {
    const body = validate(loginSchema, req.body);
    const address = req.socket.remoteAddress ?? 'unknown';
    // A client that hangs up while its password waits for a hash slot gives the slot up.
    const left = new AbortController();
    res.once('close', () => left.abort());
    const result = await ctx.auth.login(body.username, body.password, address, left.signal);
    if (!result.ok) {
      // The first refusals of a window are written one by one, the rest only counted into its summary.
      await ctx.auth.refusals.refused({ username: body.username, address, reason: result.error });
      if (result.error === 'rate_limited') res.setHeader('Retry-After', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))));
      throw HttpError.of(result.error);
    }
    const at = ctx.queue.now().toISOString();
    await ctx.store.audit.append({ at, actor: { kind: 'user', id: result.user.id, name: result.user.name, role: result.user.role }, action: 'login', detail: { address } });
    res.cookie(SESSION_COOKIE, result.token, { ...cookieOptions(req), maxAge: Math.round(ctx.auth.settings.sessionHours * 3600) * 1000 });
    res.json({ user: publicUser(result.user), expiresAt: result.expiresAt.toISOString(), mustChangePassword: result.user.mustChangePassword === true });
  });

  r.get('/api/v1/session', (req: Request, res: Response) => {
    const p = principalOf(ctx, req);
    if (p?.kind !== 'user') throw HttpError.of('unauthenticated');
    res.json({ user: publicUser(p.user), mustChangePassword: p.user.mustChangePassword === true });
  });

  // The signed-in user's own password (the one request a must-change session may make besides these).
  r.post('/api/v1/session/password', async (req: Request, res: Response) => {
    const p = principalOf(ctx, req);
    if (p?.kind !== 'user') throw HttpError.of('unauthenticated');
    const body = validate(passwordChangeSchema, req.body);
    const address = req.socket.remoteAddress ?? 'unknown';
    const result = await ctx.auth.changePassword(p, body.current, body.next, address);
    if (!result.ok) {
      if (result.error === 'rate_limited') res.setHeader('Retry-After', String(Math.max(1, Math.ceil((result.retryAfterMs ?? 1000) / 1000))));
      throw HttpError.of(result.error);
    }
    await ctx.store.audit.append({ at: ctx.queue.now().toISOString(), actor: actorOf(p), action: 'password_changed', detail: { userId: p.user.id } });
    res.status(204).end();
  });

  r.delete('/api/v1/session', async (req: Request, res: Response) => {
    const p = principalOf(ctx, req);
    if (p?.kind === 'user') {
      await ctx.auth.logout(p.sessionHash);
      await ctx.store.audit.append({ at: ctx.queue.now().toISOString(), actor: { kind: 'user', id: p.user.id, name: p.user.name, role: p.user.role }, action: 'logout' });
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  return r;
}
