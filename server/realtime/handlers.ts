// The events each role may send. One function per role registers its
// listeners; every command goes through QueueService.execute like REST does.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Socket } from 'socket.io';
import { commandSchema, issueBodySchema, type Command } from '../../protocol/commands.ts';
import { apiError, type Ack, type ApiError } from '../../protocol/errors.ts';
import type { CommandResult } from '../../protocol/events.ts';
import type { QueueSnapshot } from '../../protocol/model.ts';
import { actorOf, mayRun } from '../auth/permissions.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import { snapshotFor, type Feed } from './feeds.ts';
import type { SocketData } from './handshake.ts';

/** Which socket a command came from, for replies that belong to that screen alone (print results). */
export const commandOrigin = new AsyncLocalStorage<{ socketId: string }>();

export interface HandlerDeps {
  queue: QueueService;
  auth: AuthService;
  issueLimiter: RateLimiter;
  log: Logger;
}

type AckFn<T> = (res: Ack<T>) => void;

/** Socket.IO passes whatever the client sent; an event without a callback gets a no-op. */
function ackOf<T>(maybe: unknown): AckFn<T> {
  return typeof maybe === 'function' ? (maybe as AckFn<T>) : () => undefined;
}

function fail(error: ApiError): { ok: false; error: ApiError } {
  return { ok: false, error };
}

function validationError(issues: Array<{ path: PropertyKey[]; message: string }>): ApiError {
  return apiError('bad_request', issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}

/** A fresh snapshot on request, in the role's feed (see feeds.ts). */
export function registerResync(feed: Feed) {
  return (socket: Socket, deps: HandlerDeps): void => {
    socket.on('resync', async (maybeAck: unknown) => {
      const ack = ackOf<QueueSnapshot>(maybeAck);
      const snap = await deps.queue.snapshot((socket.data as SocketData).officeId);
      ack(snap.ok ? { ok: true, data: snapshotFor(feed, snap.data) } : fail(snap.error));
    });
  };
}

async function runCommand(socket: Socket, deps: HandlerDeps, command: Command): Promise<Ack<CommandResult>> {
  const data = socket.data as SocketData;
  const p = data.principal;
  if (!p) return fail(apiError('unauthenticated'));
  if (!deps.auth.isStillValid(p)) {
    // The session expired or the device was revoked since the socket connected.
    setImmediate(() => socket.disconnect(true));
    return fail(apiError(p.kind === 'user' ? 'unauthenticated' : 'device_not_paired'));
  }
  if (!mayRun(p, command.type)) return fail(apiError('forbidden'));
  if (command.type === 'issue') {
    const who = p.kind === 'user' ? `user:${p.user.id}` : `device:${p.device.id}:${socket.handshake.address}`;
    if (!deps.issueLimiter.hit(who)) {
      deps.issueLimiter.refund(who);
      return fail(apiError('rate_limited'));
    }
    const r = await commandOrigin.run({ socketId: socket.id }, () => deps.queue.execute(data.officeId, command, actorOf(p)));
    if (!r.ok || r.data.replayed) deps.issueLimiter.refund(who);
    return r.ok ? { ok: true, data: r.data } : fail(r.error);
  }
  const r = await deps.queue.execute(data.officeId, command, actorOf(p));
  return r.ok ? { ok: true, data: r.data } : fail(r.error);
}

export function registerCounter(socket: Socket, deps: HandlerDeps): void {
  socket.on('command', async (payload: unknown, maybeAck: unknown) => {
    const ack = ackOf<CommandResult>(maybeAck);
    const parsed = commandSchema.safeParse(payload);
    if (!parsed.success) return ack(fail(validationError(parsed.error.issues)));
    const command = parsed.data.type === 'issue' ? { ...parsed.data, source: 'counter' as const } : parsed.data;
    ack(await runCommand(socket, deps, command).catch((err: unknown) => {
      deps.log.error({ err }, 'counter command failed');
      return fail(apiError('internal'));
    }));
  });
}

export function registerKiosk(socket: Socket, deps: HandlerDeps): void {
  socket.on('issue', async (payload: unknown, maybeAck: unknown) => {
    const ack = ackOf<CommandResult>(maybeAck);
    const parsed = issueBodySchema.safeParse(payload);
    if (!parsed.success) return ack(fail(validationError(parsed.error.issues)));
    const b = parsed.data;
    const command: Command = { type: 'issue', service: b.service, source: 'kiosk' };
    if (b.priority) command.priority = b.priority;
    if (b.precheck) command.precheck = b.precheck;
    if (b.idempotencyKey) command.key = b.idempotencyKey;
    ack(await runCommand(socket, deps, command).catch((err: unknown) => {
      deps.log.error({ err }, 'kiosk issue failed');
      return fail(apiError('internal'));
    }));
  });
}
