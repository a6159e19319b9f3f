// Hardware wiring: receipt printers and scanners attached to the server or to
// agents. Called once at start; returns how to stop. Owned by the hardware issue.
import type { Server } from 'socket.io';
import type { AuthService } from '../auth/auth-service.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import type { Settings } from '../settings.ts';
import type { Store } from '../store/types.ts';

export interface DeviceContext {
  settings: Settings;
  store: Store;
  queue: QueueService;
  auth: AuthService;
  io: Server;
  log: Logger;
}

export async function attachDevices(_ctx: DeviceContext): Promise<{ close(): Promise<void> }> {
  return { async close() {} };
}
