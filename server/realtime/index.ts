// Socket.IO: one namespace per role, one room per office. On connect a client
// gets a snapshot; after that every committed change arrives as a delta whose
// version is one more than the last; a gap makes the client ask for `resync`.
import type { Namespace, Server, Socket } from 'socket.io';
import type { QueueDelta, QueueSnapshot } from '../../protocol/model.ts';
import { NAMESPACES, type Role } from '../../protocol/events.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import { registerCounter, registerKiosk, registerResync, type HandlerDeps } from './handlers.ts';
import { DeltaMerger, FEEDS, MERGE_WINDOW_MS, deltaFor, snapshotFor, type Feed } from './feeds.ts';
import { handshake, type SocketData } from './handshake.ts';

export const officeRoom = (officeId: string) => `office:${officeId}`;

const REGISTER: Record<Role, Array<(s: Socket, d: HandlerDeps) => void>> = {
  display: [registerResync(FEEDS.display.feed)],
  kiosk: [registerResync(FEEDS.kiosk.feed), registerKiosk],
  counter: [registerResync(FEEDS.counter.feed), registerCounter],
  agent: [registerResync(FEEDS.agent.feed)],
  track: [registerResync(FEEDS.track.feed)],
};

export function attachRealtime(io: Server, deps: HandlerDeps & { log: Logger; queue: QueueService }): void {
  const namespaces = NAMESPACES.map((role) => {
    const nsp = io.of(`/${role}`);
    nsp.use(handshake(role, deps.auth, deps.queue));
    nsp.on('connection', async (socket) => {
      const { officeId } = socket.data as SocketData;
      for (const register of REGISTER[role]) register(socket, deps);
      // Join before reading the snapshot so no delta can fall between the two.
      await socket.join(officeRoom(officeId));
      const snap = await deps.queue.snapshot(officeId);
      if (snap.ok) socket.emit('snapshot', snapshotFor(FEEDS[role].feed, snap.data));
    });
    return nsp;
  });

  deps.auth.onRevoke(({ sessionHash, deviceId }) => {
    for (const nsp of namespaces) {
      for (const s of nsp.sockets.values()) {
        const p = (s.data as SocketData).principal;
        if ((p?.kind === 'user' && p.sessionHash === sessionHash) || (p?.kind === 'device' && !p.loopback && p.device.id === deviceId)) s.disconnect(true);
      }
    }
  });

  const roleOf = (nsp: Namespace) => nsp.name.slice(1) as Role;
  const immediate = namespaces.filter((n) => !FEEDS[roleOf(n)].merged);
  const merged = namespaces.filter((n) => FEEDS[roleOf(n)].merged);
  const pending = new Map<string, { merger: DeltaMerger; timer: NodeJS.Timeout }>();
  // Socket.IO encodes a packet before it looks at the room: skip rooms nobody is in.
  const occupied = (nsp: Namespace, room: string) => (nsp.adapter.rooms.get(room)?.size ?? 0) > 0;
  /** Sends each namespace its role's view; a view is built once for all the namespaces that share it. */
  const emitTo = (list: Namespace[], officeId: string, event: 'delta' | 'snapshot', payload: QueueDelta | QueueSnapshot) => {
    const room = officeRoom(officeId);
    const views = new Map<Feed, unknown>();
    for (const nsp of list) {
      if (!occupied(nsp, room)) continue;
      const feed = FEEDS[roleOf(nsp)].feed;
      let view = views.get(feed);
      if (view === undefined) {
        view = event === 'delta' ? deltaFor(feed, payload as QueueDelta) : snapshotFor(feed, payload as QueueSnapshot);
        views.set(feed, view);
      }
      nsp.to(room).emit(event, view as never);
    }
  };

  deps.queue.listen({
    delta(officeId, delta) {
      emitTo(immediate, officeId, 'delta', delta);
      if (!merged.some((n) => occupied(n, officeRoom(officeId)))) return;
      const p = pending.get(officeId);
      if (p) return void p.merger.add(delta);
      const merger = new DeltaMerger();
      merger.add(delta);
      const timer = setTimeout(() => {
        pending.delete(officeId);
        const due = merger.take();
        if (due) emitTo(merged, officeId, 'delta', due);
      }, MERGE_WINDOW_MS);
      timer.unref();
      pending.set(officeId, { merger, timer });
    },
    reset(officeId, snapshot) {
      const p = pending.get(officeId);
      if (p) clearTimeout(p.timer);
      pending.delete(officeId);
      emitTo(namespaces, officeId, 'snapshot', snapshot);
    },
  });
}
