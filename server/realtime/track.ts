// /track: citizens' phones, not signed in. They only listen, to the public feed.
import { handshake } from './handshake.ts';
import { registerResync, sendInitialSnapshot, type HandlerDeps } from './handlers.ts';
import type { GiliranIo, RoleNamespace } from './types.ts';

export function attachTrack(io: GiliranIo, deps: HandlerDeps): RoleNamespace<'track'> {
  const nsp: RoleNamespace<'track'> = io.of('/track');
  nsp.use(handshake('track', deps.auth, deps.queue));
  nsp.on('connection', (socket) => {
    registerResync(socket, 'track', deps);
    sendInitialSnapshot(socket, 'track', deps);
  });
  return nsp;
}
