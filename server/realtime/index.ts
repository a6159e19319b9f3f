// Socket.IO: one namespace per role, one room per office. On connect a client
// gets a snapshot; after that every committed change arrives as a delta whose
// version is one more than the last; a gap makes the client ask for `resync`.
import type { Namespace, Server, Socket } from 'socket.io';
import type { QueueDelta } from '../../protocol/model.ts';
import { NAMESPACES, type Role } from '../../protocol/events.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import { registerCounter, registerKiosk, registerResync, type HandlerDeps } from './handlers.ts';
import { handshake, type SocketData } from './handshake.ts';

export const officeRoom = (officeId: string) => `office:${officeId}`;

/**
 * Kiosks and phones need the queue's figures, not every commit the moment it
 * happens: they get the commits of each short window merged into one delta,
 * so a busy office does not send each of them a frame per ticket. Displays
 * and counters get every commit at once.
 */
const MERGED_ROLES: readonly Role[] = ['kiosk', 'track'];
export const MERGE_WINDOW_MS = 250;

function byId<T extends { id: string }>(older: T[], newer: T[]): T[] {
  const m = new Map(older.map((x) => [x.id, x]));
  for (const x of newer) m.set(x.id, x);
  return [...m.values()];
}

export function mergeDeltas(a: QueueDelta, b: QueueDelta): QueueDelta {
  return {
    ...b,
    fromVersion: a.fromVersion ?? a.version,
    events: [...a.events, ...b.events],
    tickets: byId(a.tickets, b.tickets),
    counters: byId(a.counters, b.counters),
  };
}

const REGISTER: Record<Role, Array<(s: Socket, d: HandlerDeps) => void>> = {
  display: [registerResync],
  kiosk: [registerResync, registerKiosk],
  counter: [registerResync, registerCounter],
  agent: [registerResync],
  track: [registerResync],
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
      if (snap.ok) socket.emit('snapshot', snap.data);
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

  const immediate = namespaces.filter((n) => !MERGED_ROLES.includes(n.name.slice(1) as Role));
  const merged = namespaces.filter((n) => MERGED_ROLES.includes(n.name.slice(1) as Role));
  const pending = new Map<string, { delta: QueueDelta; timer: NodeJS.Timeout }>();
  // Socket.IO encodes a packet before it looks at the room: skip rooms nobody is in.
  const occupied = (nsp: Namespace, room: string) => (nsp.adapter.rooms.get(room)?.size ?? 0) > 0;
  const emitTo = (list: Namespace[], officeId: string, event: 'delta' | 'snapshot', payload: unknown) => {
    const room = officeRoom(officeId);
    for (const nsp of list) if (occupied(nsp, room)) nsp.to(room).emit(event, payload as never);
  };

  deps.queue.listen({
    delta(officeId, delta) {
      emitTo(immediate, officeId, 'delta', delta);
      if (!merged.some((n) => occupied(n, officeRoom(officeId)))) return;
      const p = pending.get(officeId);
      if (p) {
        p.delta = mergeDeltas(p.delta, delta);
        return;
      }
      const timer = setTimeout(() => {
        const due = pending.get(officeId);
        pending.delete(officeId);
        if (due) emitTo(merged, officeId, 'delta', due.delta);
      }, MERGE_WINDOW_MS);
      timer.unref();
      pending.set(officeId, { delta, timer });
    },
    reset(officeId, snapshot) {
      const p = pending.get(officeId);
      if (p) clearTimeout(p.timer);
      pending.delete(officeId);
      emitTo(namespaces, officeId, 'snapshot', snapshot);
    },
  });
}
