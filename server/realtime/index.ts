// Socket.IO: one namespace per role (display.ts, kiosk.ts, counter.ts,
// agent.ts, track.ts), one room per office. On connect a client gets a
// snapshot; after that every committed change arrives as a delta whose version
// is one more than the last; a gap makes the client ask for `resync`. This
// file wires the roles and is the broadcaster: each role gets its own feed.
import type { Role } from '../../protocol/events.ts';
import type { QueueDelta, QueueSnapshot } from '../../protocol/model.ts';
import { attachAgent } from './agent.ts';
import { attachCounter } from './counter.ts';
import { attachDisplay } from './display.ts';
import { DeltaMerger, FEEDS, MERGE_WINDOW_MS, deltaFor, snapshotFor, type Feed } from './feeds.ts';
import type { HandlerDeps } from './handlers.ts';
import { attachKiosk } from './kiosk.ts';
import { attachTrack } from './track.ts';
import { officeRoom, type GiliranIo, type QueueNamespace, type QueueSocket } from './types.ts';

export { officeRoom };

/** How often signed-in sockets are checked for a session that ended while nothing was broadcast. */
const SESSION_SWEEP_MS = 15_000;
/** Before a broadcast, sessions are checked again once this much (server clock) has passed since the last check. */
const SESSION_CHECK_MS = 1_000;

export function attachRealtime(io: GiliranIo, deps: HandlerDeps): { close(): void } {
  const namespaces: Array<{ role: Role; nsp: QueueNamespace }> = [
    { role: 'display', nsp: attachDisplay(io, deps) },
    { role: 'kiosk', nsp: attachKiosk(io, deps) },
    { role: 'counter', nsp: attachCounter(io, deps) },
    { role: 'agent', nsp: attachAgent(io, deps) },
    { role: 'track', nsp: attachTrack(io, deps) },
  ];

  // Staff sockets (a signed-in user, in any namespace): cut once the session ends, before they get another frame.
  const staff = new Set<QueueSocket>();
  for (const { nsp } of namespaces) {
    nsp.on('connection', (socket) => {
      if (socket.data.principal?.kind !== 'user') return;
      staff.add(socket);
      socket.on('disconnect', () => staff.delete(socket));
    });
  }
  const cutEnded = () => {
    for (const s of staff) {
      const p = s.data.principal;
      if (p && !deps.auth.isStillValid(p)) {
        staff.delete(s);
        s.disconnect(true); // leaves its rooms at once: the frame about to go out does not reach it
      }
    }
  };
  let checkedAt = Number.NEGATIVE_INFINITY;
  const cutEndedBeforeBroadcast = () => {
    if (staff.size === 0) return;
    const t = deps.queue.now().getTime();
    if (t - checkedAt < SESSION_CHECK_MS) return;
    checkedAt = t;
    cutEnded();
  };
  const sweep = setInterval(cutEnded, SESSION_SWEEP_MS);
  sweep.unref();

  deps.auth.onRevoke(({ sessionHash, deviceId }) => {
    for (const { nsp } of namespaces) {
      for (const s of nsp.sockets.values()) {
        const p = s.data.principal;
        if ((p?.kind === 'user' && p.sessionHash === sessionHash) || (p?.kind === 'device' && !p.loopback && p.device.id === deviceId)) s.disconnect(true);
      }
    }
  });

  const immediate = namespaces.filter((n) => !FEEDS[n.role].merged);
  const merged = namespaces.filter((n) => FEEDS[n.role].merged);
  const pending = new Map<string, { merger: DeltaMerger; timer: NodeJS.Timeout }>();
  // Socket.IO encodes a packet before it looks at the room: skip rooms nobody is in.
  const occupied = (nsp: QueueNamespace, room: string) => (nsp.adapter.rooms.get(room)?.size ?? 0) > 0;
  /** Sends each namespace its role's view; a view is built once for all the namespaces that share it. */
  const emitTo = <T>(list: typeof namespaces, officeId: string, viewOf: (feed: Feed) => T, send: (nsp: QueueNamespace, room: string, view: T) => void) => {
    cutEndedBeforeBroadcast();
    const room = officeRoom(officeId);
    const views = new Map<Feed, T>();
    for (const { role, nsp } of list) {
      if (!occupied(nsp, room)) continue;
      const feed = FEEDS[role].feed;
      let view = views.get(feed);
      if (view === undefined) {
        view = viewOf(feed);
        views.set(feed, view);
      }
      send(nsp, room, view);
    }
  };
  const emitDelta = (list: typeof namespaces, officeId: string, delta: QueueDelta) =>
    emitTo(list, officeId, (feed) => deltaFor(feed, delta), (nsp, room, view) => nsp.to(room).emit('delta', view));
  const emitSnapshot = (list: typeof namespaces, officeId: string, snapshot: QueueSnapshot) =>
    emitTo(list, officeId, (feed) => snapshotFor(feed, snapshot), (nsp, room, view) => nsp.to(room).emit('snapshot', view));

  deps.queue.listen({
    delta(officeId, delta) {
      emitDelta(immediate, officeId, delta);
      if (!merged.some((n) => occupied(n.nsp, officeRoom(officeId)))) return;
      const p = pending.get(officeId);
      if (p) return void p.merger.add(delta);
      const merger = new DeltaMerger();
      merger.add(delta);
      const timer = setTimeout(() => {
        pending.delete(officeId);
        const due = merger.take();
        if (due) emitDelta(merged, officeId, due);
      }, MERGE_WINDOW_MS);
      timer.unref();
      pending.set(officeId, { merger, timer });
    },
    office(officeId, office, revision) {
      cutEndedBeforeBroadcast();
      const room = officeRoom(officeId);
      for (const { nsp } of namespaces) if (occupied(nsp, room)) nsp.to(room).emit('office', office, revision);
    },
    reset(officeId, snapshot) {
      const p = pending.get(officeId);
      if (p) clearTimeout(p.timer);
      pending.delete(officeId);
      emitSnapshot(namespaces, officeId, snapshot);
    },
  });

  return {
    close() {
      clearInterval(sweep);
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
    },
  };
}
