// Staff login and logout: POST/GET/DELETE /api/v1/session.
import { Router, type Request, type Response } from 'express';
import { loginSchema } from '../../protocol/commands.ts';
import { SESSION_COOKIE } from '../auth/auth-service.ts';
import type { UserRecord } from '../store/types.ts';
import { type HttpContext, principalOf } from './context.ts';
import { HttpError, validate } from './errors.ts';

export function publicUser(u: UserRecord) {
  return { id: u.id, username: u.username, name: u.name, role: u.role, offices: u.offices };
}

function cookie(req: Request, value: string, maxAgeSeconds: number): string {
  const secure = req.secure ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

export function sessionRouter(ctx: HttpContext): Router {
  const r = Router();

  r.post('/api/v1/session', async (req: Request, res: Response) => {
    const body = validate(loginSchema, req.body);
    const address = req.socket.remoteAddress ?? 'unknown';
    const result = await ctx.auth.login(body.username, body.password, address);
    const at = ctx.queue.now().toISOString();
    if (typeof result === 'string') {
      await ctx.store.audit.append({ at, actor: { kind: 'system', id: 'auth' }, action: 'login_failed', detail: { username: body.username.slice(0, 64), address, reason: result } });
      throw HttpError.of(result);
    }
    await ctx.store.audit.append({ at, actor: { kind: 'user', id: result.user.id, name: result.user.name, role: result.user.role }, action: 'login', detail: { address } });
    res.setHeader('Set-Cookie', cookie(req, result.token, Math.round(ctx.auth.settings.sessionHours * 3600)));
    res.json({ user: publicUser(result.user), expiresAt: result.expiresAt.toISOString() });
  });

  r.get('/api/v1/session', (req: Request, res: Response) => {
    const p = principalOf(ctx, req);
    if (p?.kind !== 'user') throw HttpError.of('unauthenticated');
    res.json({ user: publicUser(p.user) });
  });

  r.delete('/api/v1/session', async (req: Request, res: Response) => {
    const p = principalOf(ctx, req);
    if (p?.kind === 'user') {
      await ctx.auth.logout(p.sessionHash);
      await ctx.store.audit.append({ at: ctx.queue.now().toISOString(), actor: { kind: 'user', id: p.user.id, name: p.user.name, role: p.user.role }, action: 'logout' });
    }
    res.setHeader('Set-Cookie', cookie(req, '', 0));
    res.status(204).end();
  });

  return r;
}
