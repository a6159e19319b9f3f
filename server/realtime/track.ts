// /track: citizens' phones, not signed in. Each socket follows ONE ticket
// (handshake auth { office, ticket, key? }) and receives only `track` frames:
// that ticket's view (protocol/track.ts) — never a queue snapshot or delta,
// another ticket, a priority group or a pre-check. After each commit of an
// office the views of its followed tickets are computed once (one pass over
// the queue, then a lookup per ticket) and sent only where they changed: at
// once for a ticket just called, merged over TRACK_MERGE_WINDOW_MS for the
// rest (docs/track-page.md: a call moves "people ahead" for every ticket
// behind it; at 5 calls a second a window of 250 ms sent each phone 4
// frames a second, bench/phone-load.ts). No timer per socket: one per office.
// A frame is built from parts serialised once per pass and written as the
// Socket.IO packet text (track-frame.ts), a slice of phones at a time.
import { apiError, type Ack, type ApiError, type ErrorCode } from '../../protocol/errors.ts';
import type { QueueDelta } from '../../protocol/model.ts';
import { trackHandshakeSchema } from '../../protocol/track-schemas.ts';
import type { TrackView } from '../../protocol/track.ts';
import { trackContext, trackViewOf } from '../domain/track-view.ts';
import { frameJson, ownJson, sharedJson, trackPacket } from './track-frame.ts';
import { ackOf, answer, fail, perAddressCap, requestBudget, type HandlerDeps } from './handlers.ts';
import { sameOrigin } from './handshake.ts';
import type { GiliranIo, RoleNamespace, RoleSocket } from './types.ts';

/** A phone's room: one per ticket and reader kind (the holder's frame carries its alert status). */
export const trackRoom = (officeId: string, ticketId: string, holder: boolean) => `track:${officeId}:${ticketId}:${holder ? 'h' : 'r'}`;

/**
 * How long the views of an office's followed tickets wait for more commits
 * before they are sent (a called ticket's own frame does not wait): within
 * the "follows changes within a second" budget of issue 11.
 */
export const TRACK_MERGE_WINDOW_MS = 750;

function refuse(code: ErrorCode): Error {
  return Object.assign(new Error(code), { data: apiError(code) });
}

interface Follow {
  holders: number;
  readers: number;
  /** ownJson of the last frame sent (null: none yet): with `recent`, its signature. */
  own: string | null;
  /** sharedJson of the recent calls of the last frame sent. */
  recent: string | null;
  /** The office block of the last frame sent: the next frame leaves it out unless it changed (TrackFrame). */
  officeSig: string | null;
  /** The office version of the last frame sent: a pass never sends an older one (passes may overlap). */
  version: number;
}

/** A followed ticket whose frame changed in a pass (own: null when it is not a ticket of the day any more). */
interface Changed {
  ticketId: string;
  own: string | null;
}

/** One pass over an office's followed tickets: what their frames share, and the tickets that need one. */
interface Pass {
  version: number;
  serverTime: string;
  recent: string;
  office: string;
  changed: Changed[];
}

/**
 * Frames a pass writes before it lets the event loop run (the sockets' write
 * callbacks, other requests): what a pass allocates dies young instead of
 * piling up through a 2,000-phone loop and being promoted to the old
 * generation (the RSS peak of bench/phone-load.ts).
 */
export const TRACK_FRAMES_PER_SLICE = 128;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface TrackFeed {
  nsp: RoleNamespace<'track'>;
  /** Helper notify: a ticket's alert status changed (no queue commit): its holders get a fresh frame. */
  notifyChanged(officeId: string, ticketId: string): void;
  close(): void;
}

export function attachTrack(io: GiliranIo, deps: HandlerDeps): TrackFeed {
  const nsp: RoleNamespace<'track'> = io.of('/track');
  /** Per office, the tickets phones follow. */
  const follows = new Map<string, Map<string, Follow>>();
  const pending = new Map<string, NodeJS.Timeout>();
  /** Per office, the flush in progress: flushes run one after another, so an older frame never overtakes a newer one. */
  const chains = new Map<string, Promise<void>>();

  // Checks that need no state first: a wrong key is refused before the ticket is looked up,
  // alike for tickets that exist and tickets that do not.
  nsp.use((socket, next) => {
    const hs = socket.handshake;
    const parsed = trackHandshakeSchema.safeParse(hs.auth ?? {});
    if (!parsed.success) {
      const office = (hs.auth as Record<string, unknown> | undefined)?.office;
      return next(refuse(typeof office === 'string' && !deps.queue.office(office) ? 'office_not_found' : 'bad_request'));
    }
    const { office, ticket, key } = parsed.data;
    if (!deps.queue.office(office)) return next(refuse('office_not_found'));
    if (!sameOrigin(hs.headers.origin, hs.headers.host, deps.auth.hosts)) return next(refuse('bad_origin'));
    if (key !== undefined && !deps.track.keyValid(office, ticket, key)) return next(refuse('holder_key_invalid'));
    socket.data.officeId = office;
    socket.data.principal = null;
    socket.data.track = { ticketId: ticket, holder: key !== undefined };
    next();
  });
  nsp.use((socket, next) => {
    const { officeId, track } = socket.data;
    deps.queue
      .read(officeId, (state) => state.tickets.has(track!.ticketId))
      .then((r) => next(r.ok ? (r.data ? undefined : refuse('ticket_not_found')) : Object.assign(new Error(r.error.code), { data: r.error })))
      .catch((err: unknown) => {
        deps.log.error({ err, office: officeId }, 'track handshake failed');
        next(refuse('internal'));
      });
  });
  // Last: a socket it admits is not refused after.
  nsp.use(perAddressCap(deps.limits.publicSocketsPerAddress, deps.limits.publicConnectsPerAddressPerMinute));

  const followOf = (officeId: string, ticketId: string): Follow => {
    let office = follows.get(officeId);
    if (!office) follows.set(officeId, (office = new Map()));
    let f = office.get(ticketId);
    if (!f) office.set(ticketId, (f = { holders: 0, readers: 0, own: null, recent: null, officeSig: null, version: -1 }));
    return f;
  };
  const unfollow = (officeId: string, ticketId: string, holder: boolean) => {
    const office = follows.get(officeId);
    const f = office?.get(ticketId);
    if (!office || !f) return;
    if (holder) f.holders -= 1;
    else f.readers -= 1;
    if (f.holders + f.readers > 0) return;
    office.delete(ticketId);
    if (office.size === 0) follows.delete(officeId);
  };

  /** Writes the frame of `ticketId` to every phone of one of its rooms (none: nothing built). */
  const write = (officeId: string, ticketId: string, holder: boolean, frame: () => string) => {
    const ids = nsp.adapter.rooms.get(trackRoom(officeId, ticketId, holder));
    if (!ids || ids.size === 0) return;
    const packet = trackPacket(frame());
    for (const id of ids) nsp.sockets.get(id)?.conn.write(packet);
  };
  const send = (officeId: string, pass: Pass, c: Changed & { own: string }, f: Follow) => {
    // Every phone in the room got the office with its first frame (on connect): resend it only when it changed.
    const office = pass.office !== f.officeSig ? pass.office : null;
    const parts = { own: c.own, recentCalls: pass.recent, office, serverTime: pass.serverTime, version: pass.version };
    if (f.holders > 0) write(officeId, c.ticketId, true, () => frameJson({ ...parts, holder: true, notify: deps.track.notifyStatusOf(officeId, c.ticketId) }));
    if (f.readers > 0) write(officeId, c.ticketId, false, () => frameJson({ ...parts, holder: false, notify: null }));
    f.own = c.own;
    f.recent = pass.recent;
    f.officeSig = pass.office;
    f.version = pass.version;
  };
  const tellAll = (officeId: string, ticketIds: Iterable<string>, error: ApiError) => {
    for (const id of ticketIds) nsp.to([trackRoom(officeId, id, true), trackRoom(officeId, id, false)]).emit('unavailable', error);
  };

  /** One pass: the views of the office's followed tickets (or only `only`) at the current state, those that changed. */
  const pass = async (officeId: string, office: Map<string, Follow>, only?: ReadonlySet<string>) =>
    deps.queue.read(officeId, (state, config, now): Pass => {
      const ctx = trackContext(state, config, now, deps.track.positions);
      const recent = sharedJson(ctx.recentCalls);
      const officeJson = sharedJson(ctx.office);
      const changed: Changed[] = [];
      const consider = (ticketId: string, f: Follow) => {
        const t = state.tickets.get(ticketId);
        if (!t) return void changed.push({ ticketId, own: null });
        const own = ownJson(trackViewOf(ctx, t));
        if (own !== f.own || recent !== f.recent || officeJson !== f.officeSig) changed.push({ ticketId, own });
      };
      if (only) {
        for (const id of only) {
          const f = office.get(id);
          if (f) consider(id, f);
        }
      } else for (const [id, f] of office) consider(id, f);
      return { version: ctx.version, serverTime: ctx.serverTime, recent, office: officeJson, changed };
    });

  /** Sends a pass's frames, a slice at a time; a frame older than one a phone already got is dropped. */
  const deliver = async (officeId: string, office: Map<string, Follow>, p: Pass) => {
    let n = 0;
    for (const c of p.changed) {
      const f = office.get(c.ticketId);
      if (!f) continue; // its last phone left meanwhile
      if (c.own === null) {
        // Not a ticket of the office's day any more (the day rolled over; the new day's versions start
        // again, so no version check): the phone is told, then let go.
        tellAll(officeId, [c.ticketId], apiError('ticket_not_found'));
        nsp.in([trackRoom(officeId, c.ticketId, true), trackRoom(officeId, c.ticketId, false)]).disconnectSockets(true);
        continue;
      }
      if (f.version > p.version) continue; // a newer frame of this ticket's day went first
      send(officeId, p, c as Changed & { own: string }, f);
      if (++n % TRACK_FRAMES_PER_SLICE === 0) await yieldToLoop();
    }
  };

  /** Computes the views of the office's followed tickets once, and sends those that changed (passes one after another). */
  const flush = (officeId: string): Promise<void> => {
    const run = async () => {
      const office = follows.get(officeId);
      if (!office || office.size === 0) return;
      const r = await pass(officeId, office);
      if (!r.ok) return tellAll(officeId, office.keys(), r.error);
      await deliver(officeId, office, r.data);
    };
    const next = (chains.get(officeId) ?? Promise.resolve()).then(run).catch((err: unknown) => deps.log.error({ err, office: officeId }, 'track flush failed'));
    chains.set(officeId, next);
    void next.finally(() => {
      if (chains.get(officeId) === next) chains.delete(officeId);
    });
    return next;
  };

  /**
   * The frames of tickets just called, at once: not queued behind a pass still
   * sending (the version check keeps an older frame from following a newer one).
   */
  const flushCalled = (officeId: string, called: ReadonlySet<string>) => {
    const office = follows.get(officeId);
    if (!office) return;
    pass(officeId, office, called)
      .then((r) => (r.ok ? deliver(officeId, office, r.data) : tellAll(officeId, called, r.error)))
      .catch((err: unknown) => deps.log.error({ err, office: officeId }, 'track flush failed'));
  };

  const schedule = (officeId: string) => {
    if (pending.has(officeId)) return;
    const timer = setTimeout(() => {
      pending.delete(officeId);
      void flush(officeId);
    }, TRACK_MERGE_WINDOW_MS);
    timer.unref();
    pending.set(officeId, timer);
  };

  deps.queue.listen({
    delta(officeId: string, delta: QueueDelta) {
      const office = follows.get(officeId);
      if (!office || office.size === 0) return;
      // A followed ticket just called (or called again): its phone is told now, the rest within the window.
      let called: Set<string> | undefined;
      for (const e of delta.events) {
        if ((e.type === 'ticket_called' || e.type === 'ticket_recalled') && office.has(e.ticketId)) (called ??= new Set()).add(e.ticketId);
      }
      if (called) flushCalled(officeId, called);
      schedule(officeId);
    },
    reset(officeId: string) {
      if (follows.has(officeId)) void flush(officeId);
    },
  });

  nsp.on('connection', (socket: RoleSocket<'track'>) => {
    // The upgrade request (with its socket, streams and raw headers) is kept by Engine.IO for the
    // connection's life; a phone's needs nothing of it once admitted (socket.handshake has the
    // address and headers): 2,000 phones hold 2,000 fewer requests (the Socket.IO docs' advice).
    (socket.conn as unknown as { request: unknown }).request = null;
    const { officeId } = socket.data;
    const { ticketId, holder } = socket.data.track!;
    const f = followOf(officeId, ticketId);
    if (holder) f.holders += 1;
    else f.readers += 1;
    socket.once('disconnect', () => unfollow(officeId, ticketId, holder));
    void socket.join(trackRoom(officeId, ticketId, holder));
    // The first frame: joined first, so a flush that starts after this read cannot be missed.
    deps.track
      .view(officeId, ticketId, holder)
      .then((r) => {
        if (!r.ok) return void socket.emit('unavailable', r.error);
        socket.emit('track', r.data);
        // The first phone of a ticket: the next pass sends only what changed since this view.
        const own = ownJson(r.data);
        const recent = sharedJson(r.data.recentCalls);
        if (f.own === null) {
          f.own = own;
          f.recent = recent;
          f.version = r.data.version;
        }
        // Its first frame carried the office: passes may leave it out while every phone of the room has this one.
        const officeSig = sharedJson(r.data.office);
        if (f.holders + f.readers === 1) f.officeSig = officeSig;
        else if (f.officeSig !== officeSig) f.officeSig = null; // phones of the room hold different ones: the next frame resends it
      })
      .catch((err: unknown) => {
        deps.log.error({ err, office: officeId }, 'cannot send the first track view');
        socket.emit('unavailable', apiError('unavailable'));
      });

    const budget = requestBudget(deps.limits);
    let inFlight: Promise<Ack<TrackView>> | null = null;
    socket.on('refresh', (maybeAck: unknown) => {
      const ack = ackOf<TrackView>(maybeAck);
      const verdict = budget.take();
      if (verdict !== 'ok') {
        ack(fail(apiError('rate_limited')));
        if (verdict === 'cut') {
          deps.log.warn({ office: officeId, address: socket.handshake.address }, 'socket cut: refresh flood');
          socket.disconnect(true);
        }
        return;
      }
      inFlight ??= deps.track.view(officeId, ticketId, holder).then(
        (r): Ack<TrackView> => (r.ok ? r : fail(r.error)),
      ).finally(() => {
        inFlight = null;
      });
      const shared = inFlight;
      answer(ack, deps.log, 'refresh', () => shared);
    });
  });

  return {
    nsp,
    notifyChanged(officeId, ticketId) {
      const f = follows.get(officeId)?.get(ticketId);
      if (!f || f.holders === 0) return;
      void deps.track.view(officeId, ticketId, true).then((r) => {
        if (r.ok) nsp.to(trackRoom(officeId, ticketId, true)).emit('track', r.data);
      });
    },
    close() {
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
    },
  };
}

