// Socket.IO: one namespace per role, one room per office. On connect a client
// gets a snapshot; after that every committed change arrives as a delta whose
// version is one more than the last; a gap makes the client ask for `resync`.
import type { Server, Socket } from 'socket.io';
import { NAMESPACES, type Role } from '../../protocol/events.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import { registerCounter, registerKiosk, registerResync, type HandlerDeps } from './handlers.ts';
import { handshake, type SocketData } from './handshake.ts';

export const officeRoom = (officeId: string) => `office:${officeId}`;

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

  deps.queue.listen({
    delta(officeId, delta) {
      for (const nsp of namespaces) nsp.to(officeRoom(officeId)).emit('delta', delta);
    },
    reset(officeId, snapshot) {
      for (const nsp of namespaces) nsp.to(officeRoom(officeId)).emit('snapshot', snapshot);
    },
  });
}
