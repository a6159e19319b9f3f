// What every role's socket shares: the reply helpers, the snapshot on connect
// and on `resync`, and running a command through QueueService.execute like
// REST does. Each role file (display, kiosk, counter, agent, track) registers
// its listeners with these.
import { apiError, type Ack, type ApiError } from '../../protocol/errors.ts';
import type { CommandResult } from '../../protocol/events.ts';
import type { QueueSnapshot } from '../../protocol/model.ts';
import type { Command } from '../../protocol/commands.ts';
import { actorOf, mayRun } from '../auth/permissions.ts';
import type { AuthService } from '../auth/auth-service.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import type { DeviceHub } from '../devices/hub.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import type { Secrets } from '../store/secrets.ts';
import type { TrackService } from '../track-service.ts';
import { FEEDS, snapshotFor, type QueueRole } from './feeds.ts';
import { officeRoom, type QueueSocket } from './types.ts';

export interface HandlerDeps {
  queue: QueueService;
  limits: SocketLimits;
  auth: AuthService;
  issueLimiter: RateLimiter;
  devices: DeviceHub;
  log: Logger;
  secrets: Secrets;
  /** Phones' views of their tickets (server/track-service.ts). */
  track: TrackService;
}

/** What one socket may cost the server (issue 15, finding 2; settings.ts). */
export interface SocketLimits {
  /** Open `/track` sockets per address, and new ones a minute. */
  publicSocketsPerAddress: number;
  publicConnectsPerAddressPerMinute: number;
  /** `resync`: a burst, then one per `resyncEveryMs`. */
  resyncBurst: number;
  resyncEveryMs: number;
}

/** Refused resyncs in a row after which a socket is cut: a page retries once a second and is served within a few, a flood does not wait. */
export const REFUSALS_BEFORE_CUT = 100;

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
export function sendInitialSnapshot(socket: QueueSocket, role: QueueRole, deps: HandlerDeps): void {
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

/**
 * A fresh snapshot on request, in the role's feed (see feeds.ts). Each answer
 * is the whole day, so a socket gets a budget (a burst, then one per
 * interval): asking again while one is being read shares that answer, asking
 * beyond the budget is refused (`rate_limited`, a few bytes), and a socket
 * that keeps asking regardless is cut. A page only resyncs after a gap,
 * one at a time, retrying a refusal a second later (ui/queue-client.ts).
 */
export function registerResync(socket: QueueSocket, role: QueueRole, deps: HandlerDeps): void {
  const budget = requestBudget(deps.limits);
  let inFlight: Promise<Ack<QueueSnapshot>> | null = null;
  const read = async (): Promise<Ack<QueueSnapshot>> => {
    const p = socket.data.principal;
    if (!stillValid(socket, deps.auth)) return fail(apiError(p?.kind === 'user' ? 'unauthenticated' : 'device_not_paired'));
    const snap = await deps.queue.snapshot(socket.data.officeId);
    return snap.ok ? { ok: true, data: snapshotFor(FEEDS[role].feed, snap.data) } : fail(snap.error);
  };
  socket.on('resync', (maybeAck: unknown) => {
    const ack = ackOf<QueueSnapshot>(maybeAck);
    const verdict = budget.take();
    if (verdict !== 'ok') {
      ack(fail(apiError('rate_limited')));
      if (verdict === 'cut') {
        deps.log.warn({ office: socket.data.officeId, role, address: socket.handshake.address }, 'socket cut: resync flood');
        socket.disconnect(true);
      }
      return;
    }
    inFlight ??= read().finally(() => {
      inFlight = null;
    });
    const shared = inFlight;
    answer(ack, deps.log, 'resync', () => shared);
  });
}

/**
 * One socket's budget for a request that reads the state (`resync`, a phone's
 * `refresh`): a burst, then one per `resyncEveryMs`. `take` answers 'ok' (go),
 * 'refused' (answer rate_limited) or, at the REFUSALS_BEFORE_CUT-th refusal in
 * a row, 'cut' (a flood: disconnect).
 */
export function requestBudget(limits: Pick<SocketLimits, 'resyncBurst' | 'resyncEveryMs'>): { take(): 'ok' | 'refused' | 'cut' } {
  const { resyncBurst, resyncEveryMs } = limits;
  let tokens = resyncBurst;
  let filledAt = performance.now();
  let refusedInRow = 0;
  return {
    take() {
      const now = performance.now();
      tokens = resyncEveryMs === 0 ? resyncBurst : Math.min(resyncBurst, tokens + (now - filledAt) / resyncEveryMs);
      filledAt = now;
      if (tokens < 1) {
        refusedInRow += 1;
        return refusedInRow === REFUSALS_BEFORE_CUT ? 'cut' : 'refused';
      }
      tokens -= 1;
      refusedInRow = 0;
      return 'ok';
    },
  };
}

/**
 * Caps what one address may hold and ask in a public namespace (phones, no
 * sign-in): open sockets (so thousands of them cannot hold the server's
 * memory) and new connections a minute (each one is sent the day's snapshot,
 * so reconnecting in a loop would be a resync flood by another name). Counted
 * at admission, so parallel handshakes cannot overshoot; an open socket is
 * given back once, when it or its connection closes. A refused phone page
 * retries with socket.io's back-off.
 */
export function perAddressCap(limit: number, connectsPerMinute: number): (socket: Pick<QueueSocket, 'handshake' | 'conn' | 'once'>, next: (err?: Error) => void) => void {
  const open = new Map<string, number>();
  const connects = new RateLimiter(connectsPerMinute, 60_000);
  return (socket, next) => {
    const address = socket.handshake.address;
    const n = open.get(address) ?? 0;
    if (n >= limit || !connects.hit(address)) return next(Object.assign(new Error('rate_limited'), { data: apiError('rate_limited') }));
    open.set(address, n + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    };
    socket.once('disconnect', release);
    socket.conn.once('close', release);
    next();
  };
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
