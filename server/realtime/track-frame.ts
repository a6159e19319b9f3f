// A phone's `track` frame (protocol/track.ts TrackFrame), built as the text
// the socket sends, from parts serialised once and shared: after a commit
// window every followed ticket of an office gets a frame, and they differ only
// in the ticket's own fields (state, people ahead, wait, counter). The recent
// calls and the office block are the same JSON for all of them, made once per
// pass (`sharedJson`); a ticket's own fields are one small JSON.stringify,
// which is also its signature (what decides whether it needs a frame at all).
//
// The frame is written to the phone's Engine.IO connection as a Socket.IO v5
// EVENT packet, `2/track,["track",{…}]` — the exact text `socket.emit('track',
// view)` would put on the wire (socket.io-parser: type, namespace and ",",
// then the JSON array) — so a phone's client sees an ordinary `track` event,
// without a broadcast operator, a room lookup, a re-serialisation of the whole
// view and a pre-encoded WebSocket frame per phone (bench/phone-load.ts).
import type { NotifyStatus } from '../../protocol/track.ts';
import type { BaseTrackView } from '../domain/track-view.ts';

/** The JSON of a part every view of one pass shares (recent calls, office), by identity: made once, not per ticket. */
const shared = new WeakMap<object, string>();
export function sharedJson(part: object): string {
  let j = shared.get(part);
  if (j === undefined) shared.set(part, (j = JSON.stringify(part)));
  return j;
}

/**
 * The ticket's own fields as JSON: everything but the shared parts (recent
 * calls, office), the clock and the office version. Equal JSON, equal frame
 * for this ticket (given equal shared parts): the signature of a view.
 */
export function ownJson(v: BaseTrackView): string {
  return JSON.stringify({
    officeId: v.officeId,
    officeDay: v.officeDay,
    ticketId: v.ticketId,
    number: v.number,
    service: v.service,
    state: v.state,
    counter: v.counter,
    ahead: v.ahead,
    wait: v.wait,
    calls: v.calls,
    calledAt: v.calledAt,
  });
}

export interface FrameParts {
  /** ownJson of the view. */
  own: string;
  /** sharedJson of its recent calls. */
  recentCalls: string;
  /** sharedJson of its office block, or null to leave it out (TrackFrame). */
  office: string | null;
  /** ISO time: JSON-safe as it is. */
  serverTime: string;
  version: number;
  holder: boolean;
  notify: NotifyStatus | null;
}

/** The frame's JSON (a TrackFrame): the same fields, in the same order, as the view object JSON.stringify'd. */
export function frameJson(p: FrameParts): string {
  return `${p.own.slice(0, -1)},"recentCalls":${p.recentCalls}${p.office === null ? '' : `,"office":${p.office}`},"serverTime":"${p.serverTime}","version":${p.version},"holder":${p.holder},"notify":${p.notify === null ? 'null' : JSON.stringify(p.notify)}}`;
}

/** Socket.IO v5 EVENT packet (type 2) of `track` on the /track namespace, as socket.io-parser encodes `emit('track', frame)`. */
export function trackPacket(frame: string): string {
  return `2/track,["track",${frame}]`;
}
