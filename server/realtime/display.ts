// /display: TVs in the waiting room (paired displays, kiosks, staff). They only listen.
import { handshake } from './handshake.ts';
import { registerResync, sendInitialSnapshot, type HandlerDeps } from './handlers.ts';
import type { GiliranIo, RoleNamespace } from './types.ts';

export function attachDisplay(io: GiliranIo, deps: HandlerDeps): RoleNamespace<'display'> {
  const nsp: RoleNamespace<'display'> = io.of('/display');
  nsp.use(handshake('display', deps.auth, deps.queue));
  nsp.on('connection', (socket) => {
    registerResync(socket, 'display', deps);
    sendInitialSnapshot(socket, 'display', deps);
  });
  return nsp;
}
