// /track: citizens' phones, not signed in. They only listen, to the public feed;
// an address may hold a limited number of these sockets (perAddressCap).
import { handshake } from './handshake.ts';
import { perAddressCap, registerResync, sendInitialSnapshot, type HandlerDeps } from './handlers.ts';
import type { GiliranIo, RoleNamespace } from './types.ts';

export function attachTrack(io: GiliranIo, deps: HandlerDeps): RoleNamespace<'track'> {
  const nsp: RoleNamespace<'track'> = io.of('/track');
  nsp.use(handshake('track', deps.auth, deps.queue));
  nsp.use(perAddressCap(deps.limits.publicSocketsPerAddress, deps.limits.publicConnectsPerAddressPerMinute)); // last: a socket it admits is not refused after
  nsp.on('connection', (socket) => {
    registerResync(socket, 'track', deps);
    sendInitialSnapshot(socket, 'track', deps);
  });
  return nsp;
}
