// What a citizen's phone sees of its ticket (contract C3): the view pushed on
// the /track socket and answered by GET /api/v1/track/{office}/{day}/{number}.
// Types only (z.infer of protocol/track-schemas.ts): pages import this file
// without pulling zod into their bundles.
import type { z } from 'zod';
import type * as S from './track-schemas.ts';

export type TrackState = TrackView['state'];
/** Moved to protocol/notify.ts at merge (helper notify, C4). */
export type NotifyStatus = z.infer<typeof S.notifyStatusSchema>;
export type NotifyChannel = NotifyStatus['channels'][number];
export type TrackView = z.infer<typeof S.trackViewSchema>;
export type TrackRecentCall = TrackView['recentCalls'][number];
/**
 * A pushed `track` frame: the view, with the office block (name, hours,
 * complaint channel: over half of a view's bytes, and the same all day) only
 * in a socket's first frame and when the office changed. The page keeps the
 * last one it got. `refresh` and the REST view always carry it.
 */
export type TrackFrame = Omit<TrackView, 'office'> & { office?: TrackView['office'] };
/** Socket.IO /track handshake `auth`: the ticket as its id ("YYYY-MM-DD/A001") and, from the QR link, the holder key. */
export type TrackHandshakeAuth = z.infer<typeof S.trackHandshakeSchema>;
export type TrackCancelBody = z.infer<typeof S.trackCancelBodySchema>;

/** How many recent calls a view lists (as the TV does). */
export const TRACK_RECENT_CALLS = 5;
