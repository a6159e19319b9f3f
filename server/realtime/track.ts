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
import { apiError, type Ack, type ApiError, type ErrorCode } from '../../protocol/errors.ts';
import type { QueueDelta } from '../../protocol/model.ts';
import { trackHandshakeSchema } from '../../protocol/track-schemas.ts';
import type { TrackFrame, TrackView } from '../../protocol/track.ts';
import { officeSignature, trackContext, trackViewOf, viewSignature, type BaseTrackView } from '../domain/track-view.ts';
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
  /** viewSignature of the last frame sent (null: none yet). */
  sig: string | null;
  /** The office block of the last frame sent: the next frame leaves it out unless it changed (TrackFrame). */
  officeSig: string | null;
}

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
    if (!f) office.set(ticketId, (f = { holders: 0, readers: 0, sig: null, officeSig: null }));
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

  const send = (officeId: string, base: BaseTrackView, f: Follow) => {
    // Every phone in the room got the office with its first frame (on connect): resend it only when it changed.
    const officeSig = officeSignature(base);
    const frame = (holder: boolean): TrackFrame => {
      const view: TrackFrame = deps.track.finish(base, holder);
      if (officeSig !== f.officeSig) return view;
      const { office: _o, ...rest } = view;
      return rest;
    };
    if (f.holders > 0) nsp.to(trackRoom(officeId, base.ticketId, true)).emit('track', frame(true));
    if (f.readers > 0) nsp.to(trackRoom(officeId, base.ticketId, false)).emit('track', frame(false));
    f.officeSig = officeSig;
  };
  const tellAll = (officeId: string, ticketIds: Iterable<string>, error: ApiError) => {
    for (const id of ticketIds) nsp.to([trackRoom(officeId, id, true), trackRoom(officeId, id, false)]).emit('unavailable', error);
  };

  /** Computes the views of the office's followed tickets (or only `only`) once, and sends those that changed. */
  const flush = (officeId: string, only?: ReadonlySet<string>): Promise<void> => {
    const run = async () => {
      const office = follows.get(officeId);
      if (!office || office.size === 0) return;
      const r = await deps.queue.read(officeId, (state, config, now) => {
        const ctx = trackContext(state, config, now, deps.track.positions);
        const changed: Array<{ ticketId: string; view: BaseTrackView | null; sig: string | null }> = [];
        for (const [ticketId, f] of office) {
          if (only && !only.has(ticketId)) continue;
          const t = state.tickets.get(ticketId);
          if (!t) {
            changed.push({ ticketId, view: null, sig: null });
            continue;
          }
          const view = trackViewOf(ctx, t);
          const sig = viewSignature(view);
          if (sig !== f.sig) changed.push({ ticketId, view, sig });
        }
        return changed;
      });
      if (!r.ok) return tellAll(officeId, office.keys(), r.error);
      for (const { ticketId, view, sig } of r.data) {
        const f = office.get(ticketId);
        if (!f) continue; // its last phone left meanwhile
        if (!view) {
          // Not a ticket of the office's day any more (the day rolled over): the phone is told, then let go.
          tellAll(officeId, [ticketId], apiError('ticket_not_found'));
          nsp.in([trackRoom(officeId, ticketId, true), trackRoom(officeId, ticketId, false)]).disconnectSockets(true);
          continue;
        }
        f.sig = sig;
        send(officeId, view, f);
      }
    };
    const next = (chains.get(officeId) ?? Promise.resolve()).then(run).catch((err: unknown) => deps.log.error({ err, office: officeId }, 'track flush failed'));
    chains.set(officeId, next);
    void next.finally(() => {
      if (chains.get(officeId) === next) chains.delete(officeId);
    });
    return next;
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
      if (called) void flush(officeId, called);
      schedule(officeId);
    },
    reset(officeId: string) {
      if (follows.has(officeId)) void flush(officeId);
    },
  });

  nsp.on('connection', (socket: RoleSocket<'track'>) => {
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
        // The first phone of a ticket: the next flush sends only what changed since this view.
        const { holder: _h, notify: _n, ...base } = r.data;
        if (f.sig === null) f.sig = viewSignature(base);
        // Its first frame carried the office: broadcasts may leave it out while every phone of the room has this one.
        const officeSig = officeSignature(base);
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

