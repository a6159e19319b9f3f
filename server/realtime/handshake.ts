// Who may open a socket in which namespace. Runs once per connection, before
// any event; refusals reach the client as connect_error with { data: ApiError }.
import { apiError, type ErrorCode } from '../../protocol/errors.ts';
import type { Role } from '../../protocol/events.ts';
import type { DeviceKind } from '../../protocol/model.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { HostPolicy } from '../auth/hosts.ts';
import { worksFor } from '../auth/permissions.ts';
import type { QueueService } from '../queue-service.ts';
import type { QueueSocket } from './types.ts';

export type { SocketData } from './types.ts';

/** Device kinds accepted per namespace; staff users are accepted everywhere but track needs nobody. */
const DEVICES_BY_ROLE: Record<Role, DeviceKind[] | 'public'> = {
  display: ['display', 'kiosk'],
  kiosk: ['kiosk'],
  counter: [],
  agent: ['agent'],
  track: 'public',
};

function refuse(code: ErrorCode): Error {
  return Object.assign(new Error(code), { data: apiError(code) });
}

/** The Origin, when sent, is this request's own host and one this server answers to (`hosts`: DNS rebinding). */
export function sameOrigin(origin: string | undefined, host: string | undefined, hosts?: HostPolicy): boolean {
  if (!origin) return true; // not a browser (or a same-origin navigation): cookies alone cannot be forged cross-site here
  try {
    const o = new URL(origin).host;
    return o === host && (!hosts || hosts.allows(o));
  } catch {
    return false;
  }
}

export function handshake(role: Role, auth: AuthService, queue: QueueService) {
  return (socket: QueueSocket, next: (err?: Error) => void): void => {
    const hs = socket.handshake;
    // `auth` is whatever the client sent (HandshakeAuth from a page).
    const a: Record<string, unknown> = hs.auth ?? {};
    const office = a.office;
    if (typeof office !== 'string' || !queue.office(office)) return next(refuse('office_not_found'));
    if (!sameOrigin(hs.headers.origin, hs.headers.host, auth.hosts)) return next(refuse('bad_origin'));
    const allowed = DEVICES_BY_ROLE[role];
    const principal = auth.identify(
      {
        cookieHeader: hs.headers.cookie,
        deviceToken: typeof a.deviceToken === 'string' ? a.deviceToken : undefined,
        remoteAddress: hs.address,
        host: hs.headers.host,
      },
      { allowLoopbackDevice: role !== 'counter' },
    );
    socket.data.officeId = office;
    socket.data.principal = principal;
    if (allowed === 'public') return next();
    if (!principal) return next(refuse(role === 'counter' ? 'unauthenticated' : 'device_not_paired'));
    if (principal.kind === 'user' && principal.user.mustChangePassword) return next(refuse('password_change_required'));
    if (!worksFor(principal, office)) return next(refuse('forbidden'));
    if (principal.kind === 'device' && !principal.loopback && !allowed.includes(principal.device.kind)) return next(refuse('forbidden'));
    next();
  };
}
