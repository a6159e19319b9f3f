// A citizen's phone's view of its ticket, for the /track socket
// (server/realtime/track.ts) and REST (server/http/track.ts) alike: the
// holder key check, the view read from the durable state, and the hook where
// helper notify's alert status comes in.
import { apiError } from '../protocol/errors.ts';
import type { NotifyStatus, TrackView } from '../protocol/track.ts';
import { holderKey, holderKeyValid } from './auth/holder-key.ts';
import { positions } from './domain/eta.ts';
import { trackContext, trackViewOf, type BaseTrackView, type PositionsFn } from './domain/track-view.ts';
import type { OfficeConfig } from '../protocol/model.ts';
import type { DayState } from './domain/state.ts';
import type { QueueService, Result } from './queue-service.ts';
import type { Secrets } from './store/secrets.ts';

/** C4 (helper notify): the alert status of a ticket for its holder, or null. */
export type NotifyStatusOf = (officeId: string, ticketId: string) => NotifyStatus | null;

/**
 * How long one office state's positions serve the views read at it: every
 * phone that connects (2,000 on a busy day, all at once after a restart) and
 * every refresh reads a view, and a view of a waiting ticket needs the office's
 * positions — one ETA simulation of the whole queue. At one version the queue
 * is the same; only the clock moves, by less than this.
 */
export const POSITIONS_REUSE_MS = 1_000;

/** `positions`, computed once per office state (object and version) within POSITIONS_REUSE_MS. */
export function reusedPositions(positionsOf: PositionsFn, reuseMs = POSITIONS_REUSE_MS): PositionsFn {
  const last = new WeakMap<DayState, { version: number; at: number; office: OfficeConfig; map: ReturnType<PositionsFn> }>();
  return (state, office, now) => {
    const hit = last.get(state);
    if (hit && hit.version === state.version && hit.office === office && now >= hit.at && now - hit.at < reuseMs) return hit.map;
    const map = positionsOf(state, office, now);
    last.set(state, { version: state.version, at: now, office, map });
    return map;
  };
}

export interface TrackServiceOptions {
  /** C1: server/domain/eta.ts positions() unless a test stands in its own (either is reused per state: reusedPositions). */
  positions?: PositionsFn;
  /** THE hook for helper notify: `notifyStatusOf` from server/notify. Until wired, no ticket has alerts. */
  notifyStatusOf?: NotifyStatusOf;
}

export class TrackService {
  readonly positions: PositionsFn;
  readonly notifyStatusOf: NotifyStatusOf;

  constructor(
    private readonly queue: QueueService,
    private readonly secrets: Secrets,
    opts: TrackServiceOptions = {},
  ) {
    this.positions = reusedPositions(opts.positions ?? positions);
    this.notifyStatusOf = opts.notifyStatusOf ?? (() => null);
  }

  /** The key printed in the ticket's QR link. */
  keyOf(officeId: string, ticketId: string): string {
    return holderKey(this.secrets.holderKey, officeId, ticketId);
  }

  keyValid(officeId: string, ticketId: string, key: unknown): boolean {
    return holderKeyValid(this.secrets.holderKey, officeId, ticketId, key);
  }

  /** The full view for one reader: the holder gets the alert status, anyone else null. */
  finish(base: BaseTrackView, holder: boolean): TrackView {
    return { ...base, holder, notify: holder ? this.notifyStatusOf(base.officeId, base.ticketId) : null };
  }

  /** One ticket's view of today, once what it shows is durable; ticket_not_found for a ticket not of today. */
  async view(officeId: string, ticketId: string, holder: boolean): Promise<Result<TrackView>> {
    const r = await this.queue.read(officeId, (state, office, now) => {
      const t = state.tickets.get(ticketId);
      return t ? trackViewOf(trackContext(state, office, now, this.positions), t) : null;
    });
    if (!r.ok) return r;
    if (!r.data) return { ok: false, error: apiError('ticket_not_found') };
    return { ok: true, data: this.finish(r.data, holder) };
  }
}
