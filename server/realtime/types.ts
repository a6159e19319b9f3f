// The typed Socket.IO server, namespaces and sockets. The server is typed with
// every role's events; each role file narrows its namespace to its own maps
// (protocol/events.ts), so a handler sees only the events its role has.
import type { Namespace, Server, Socket } from 'socket.io';
import type {
  AllClientToServer,
  AllServerToClient,
  ClientToServer,
  InterServerEvents,
  QueueServerEvents,
  ResyncClientEvents,
  Role,
  ServerToClient,
} from '../../protocol/events.ts';
import type { Principal } from '../auth/permissions.ts';

/** What the handshake learns about a socket, before any event. */
export interface SocketData {
  principal: Principal | null;
  officeId: string;
  /** /track only: the ticket this phone follows, and whether it showed the holder key. */
  track?: { ticketId: string; holder: boolean };
}

export type GiliranIo = Server<AllClientToServer, AllServerToClient, InterServerEvents, SocketData>;
export type RoleNamespace<R extends Role> = Namespace<ClientToServer<R>, ServerToClient<R>, InterServerEvents, SocketData>;
export type RoleSocket<R extends Role> = Socket<ClientToServer<R>, ServerToClient<R>, InterServerEvents, SocketData>;

/** What every role has: snapshots and deltas out, resync in (the broadcaster and shared handlers use it). */
export type QueueNamespace = Namespace<ResyncClientEvents, QueueServerEvents, InterServerEvents, SocketData>;
export type QueueSocket = Socket<ResyncClientEvents, QueueServerEvents, InterServerEvents, SocketData>;

export const officeRoom = (officeId: string) => `office:${officeId}`;
