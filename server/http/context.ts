// What every router needs, passed in (no singletons reached from anywhere).
import type { Request } from 'express';
import type { Role } from '../../protocol/model.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { hasRole, officeRoleOf, type Principal, type UserPrincipal } from '../auth/permissions.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import type { Settings } from '../settings.ts';
import type { Store } from '../store/types.ts';
import { HttpError } from './errors.ts';

export interface HttpContext {
  settings: Settings;
  store: Store;
  queue: QueueService;
  auth: AuthService;
  issueLimiter: RateLimiter;
  log: Logger;
}

export function principalOf(ctx: HttpContext, req: Request): Principal | null {
  return ctx.auth.identify(
    {
      cookieHeader: req.headers.cookie,
      authorization: req.headers.authorization,
      deviceToken: typeof req.headers['x-device-token'] === 'string' ? req.headers['x-device-token'] : undefined,
      remoteAddress: req.socket.remoteAddress,
      host: req.headers.host,
    },
    { allowLoopbackDevice: true },
  );
}

export function requirePrincipal(ctx: HttpContext, req: Request): Principal {
  const p = principalOf(ctx, req);
  if (!p) throw HttpError.of('unauthenticated');
  return p;
}

export function requireRole(ctx: HttpContext, req: Request, roles: Role[]): Principal {
  const p = requirePrincipal(ctx, req);
  if (!hasRole(p, roles)) throw HttpError.of('forbidden');
  return p;
}

/**
 * The admin check for one office, for every admin endpoint (config, staff,
 * devices, backup …): a signed-in user with one of `roles` who works for the
 * office. A wrong role is 403 whatever the office; an office the user does not
 * work for is 404 exactly like one that does not exist (nothing of it shows).
 */
export function requireOfficeRole(ctx: HttpContext, req: Request, officeId: string, roles: readonly Role[]): UserPrincipal {
  const p = requirePrincipal(ctx, req);
  if (p.kind !== 'user' || !roles.includes(p.user.role)) throw HttpError.of('forbidden');
  const exists = ctx.store.config.get().offices.some((o) => o.id === officeId);
  if (!exists || officeRoleOf(p, officeId) === null) throw HttpError.of('office_not_found');
  return p;
}
