// The page's one socket: /track with the ticket and its key in the handshake
// (contract C3). Every connect, first or after a drop, asks for a fresh view
// (`refresh`); the server also pushes `track` whenever the ticket's view changes.
import { LeanSocket } from './lean-socket.ts';
import type { Ack, ApiError } from '../protocol/errors.ts';
import type { Alert, Track } from './track.svelte.ts';
import type { TrackFrame, TrackView } from './track-types.ts';


/** Refusals after which reconnecting cannot help. */
const FINAL = new Set(['holder_key_invalid', 'ticket_not_found', 'office_not_found', 'not_found', 'validation_failed']);

export function connectTrack(track: Track, onAlert: (a: Alert) => void): LeanSocket {
  const { office, day, number, key } = track.ref;
  const auth: Record<string, string> = { office, ticket: `${day}/${number}` };
  if (key) auth.key = key;
  const socket = new LeanSocket({ nsp: '/track', auth, delay: { min: 1_000, max: 5_000 } });
  const take = (view: TrackFrame) => onAlert(track.apply(view));
  socket.on('track', take);
  socket.on('unavailable', (e: ApiError) => track.refuse(e));
  socket.on('connect', () => {
    track.setOnline(true);
    socket.emit('refresh', (res: Ack<TrackView>) => {
      if (res.ok) take(res.data);
      else track.refuse(res.error);
    });
  });
  socket.on('disconnect', () => track.setOnline(false));
  socket.on('connect_error', (err: Error & { data?: ApiError }) => {
    track.setOnline(false);
    const e = err.data;
    if (!e?.code) return; // no server answer: the manager retries by itself
    track.refuse(e);
    // A refusal by the server's middleware is not retried by itself; a passing one (rate limit) is, here.
    if (!FINAL.has(e.code)) setTimeout(() => socket.connect(), 5_000);
  });
  // The phone says it is back (out of a tunnel, Wi-Fi again): try at once rather than at the next backoff.
  addEventListener('online', () => {
    if (!socket.connected) socket.connect();
  });
  // Gone offline: an open WebSocket may not notice for a while (until the ping times out).
  addEventListener('offline', () => {
    track.setOnline(false);
    socket.drop();
  });
  socket.connect();
  return socket;
}
