// What every role's socket shares: the reply helpers, the snapshot on connect
// and on `resync`, and running a command through QueueService.execute like
// REST does. Each role file (display, kiosk, counter, agent, track) registers
// its listeners with these.
import { apiError, type Ack, type ApiError } from '../../protocol/errors.ts';
import type { CommandResult, Role } from '../../protocol/events.ts';
import type { Command } from '../../protocol/commands.ts';
import { actorOf, mayRun } from '../auth/permissions.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { DeviceHub } from '../devices/hub.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import { FEEDS, snapshotFor } from './feeds.ts';
import { officeRoom, type QueueSocket } from './types.ts';

export interface HandlerDeps {
  queue: QueueService;
  auth: AuthService;
  issueLimiter: RateLimiter;
  devices: DeviceHub;
  log: Logger;
}

export type AckFn<T> = (res: Ack<T>) => void;

/** Socket.IO passes whatever the client sent; an event without a callback gets a no-op. */
export function ackOf<T>(maybe: unknown): AckFn<T> {
  return typeof maybe === 'function' ? (res: Ack<T>) => void maybe(res) : () => undefined;
}

export function fail(error: ApiError): { ok: false; error: ApiError } {
  return { ok: false, error };
}

/**
 * Answers an event with what `work` resolves to. Every async handler goes
 * through here: a failure is logged and answered `internal`, never left as an
 * unhandled rejection (which would end the process for every office).
 */
export function answer<T>(ack: AckFn<T>, log: Logger, what: string, work: () => Promise<Ack<T>>): void {
  let pending: Promise<Ack<T>>;
  try {
    pending = work();
  } catch (err) {
    pending = Promise.reject(err);
  }
  pending
    .catch((err: unknown) => {
      log.error({ err }, `${what} failed`);
      return fail(apiError('internal'));
    })
    .then(ack)
    .catch((err: unknown) => log.error({ err }, `${what}: cannot answer`));
}

/** A staff session that ended (expired, signed out, user disabled) or a revoked device: the socket is cut. */
export function stillValid(socket: QueueSocket, auth: AuthService): boolean {
  const p = socket.data.principal;
  if (!p || auth.isStillValid(p)) return true;
  setImmediate(() => socket.disconnect(true));
  return false;
}

/** Joins the office's room, then sends the snapshot (or `unavailable` when the office's day cannot be read). */
export function sendInitialSnapshot(socket: QueueSocket, role: Role, deps: HandlerDeps): void {
  const { officeId } = socket.data;
  const run = async () => {
    // Join before reading the snapshot so no delta can fall between the two.
    await socket.join(officeRoom(officeId));
    const snap = await deps.queue.snapshot(officeId);
    if (snap.ok) socket.emit('snapshot', snapshotFor(FEEDS[role].feed, snap.data));
    else socket.emit('unavailable', snap.error);
  };
  run().catch((err: unknown) => {
    deps.log.error({ err, office: officeId, role }, 'cannot send the snapshot');
    socket.emit('unavailable', apiError('unavailable'));
  });
}

/** A fresh snapshot on request, in the role's feed (see feeds.ts). */
export function registerResync(socket: QueueSocket, role: Role, deps: HandlerDeps): void {
  socket.on('resync', (maybeAck: unknown) => {
    answer(ackOf(maybeAck), deps.log, 'resync', async () => {
      const p = socket.data.principal;
      if (!stillValid(socket, deps.auth)) return fail(apiError(p?.kind === 'user' ? 'unauthenticated' : 'device_not_paired'));
      const snap = await deps.queue.snapshot(socket.data.officeId);
      return snap.ok ? { ok: true, data: snapshotFor(FEEDS[role].feed, snap.data) } : fail(snap.error);
    });
  });
}

/** Runs a command for the socket's principal; the origin lets a ticket's print result reach this screen alone. */
export async function runCommand(socket: QueueSocket, deps: HandlerDeps, command: Command): Promise<Ack<CommandResult>> {
  const { officeId, principal: p } = socket.data;
  if (!p) return fail(apiError('unauthenticated'));
  // The session expired or the device was revoked since the socket connected.
  if (!stillValid(socket, deps.auth)) return fail(apiError(p.kind === 'user' ? 'unauthenticated' : 'device_not_paired'));
  if (!mayRun(p, command.type)) return fail(apiError('forbidden'));
  const origin = { socketId: socket.id };
  if (command.type === 'issue') {
    const who = p.kind === 'user' ? `user:${p.user.id}` : `device:${p.device.id}:${socket.handshake.address}`;
    if (!deps.issueLimiter.hit(who)) {
      deps.issueLimiter.refund(who);
      return fail(apiError('rate_limited'));
    }
    const r = await deps.queue.execute(officeId, command, actorOf(p), origin);
    if (!r.ok || r.data.replayed) deps.issueLimiter.refund(who);
    return r.ok ? { ok: true, data: r.data } : fail(r.error);
  }
  const r = await deps.queue.execute(officeId, command, actorOf(p), origin);
  return r.ok ? { ok: true, data: r.data } : fail(r.error);
}
