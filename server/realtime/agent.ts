// /agent: the agent process on a kiosk PC (a paired device) drives its printer
// and scanner for the devices service: hello, printer status, print results,
// scans in; print jobs out.
import { agentHelloSchema, printResultSchema, printerStatusSchema, scanEventSchema } from '../../protocol/device-schemas.ts';
import type { AgentWelcome } from '../../protocol/devices.ts';
import { apiError, type Ack } from '../../protocol/errors.ts';
import type { AgentChannel } from '../devices/hub.ts';
import { parseWith } from '../validation.ts';
import { handshake } from './handshake.ts';
import { ackOf, fail, registerResync, sendInitialSnapshot, type HandlerDeps } from './handlers.ts';
import type { GiliranIo, RoleNamespace, RoleSocket } from './types.ts';

/** How long the server waits for an agent to acknowledge a print job before sending it again later. */
const PRINT_ACK_TIMEOUT_MS = 10_000;

export function attachAgent(io: GiliranIo, deps: HandlerDeps): RoleNamespace<'agent'> {
  const nsp: RoleNamespace<'agent'> = io.of('/agent');
  nsp.use(handshake('agent', deps.auth, deps.queue));
  nsp.on('connection', (socket) => {
    registerResync(socket, 'agent', deps);
    registerAgent(socket, deps);
    sendInitialSnapshot(socket, 'agent', deps);
  });
  return nsp;
}

function registerAgent(socket: RoleSocket<'agent'>, deps: HandlerDeps): void {
  const p = socket.data.principal;
  if (p?.kind !== 'device') {
    // Staff may look at the namespace, but only a device is an agent.
    socket.on('hello', (_hello: unknown, maybeAck: unknown) => ackOf(maybeAck)(fail(apiError('forbidden'))));
    return;
  }
  const agentId = p.device.id;
  const devices = deps.devices;
  const channel: AgentChannel = {
    get connected() {
      return socket.connected;
    },
    print(job, done) {
      socket.timeout(PRINT_ACK_TIMEOUT_MS).emit('print', job, (err: Error | null, res: Ack<{ jobId: string }>) => done(err ? null : res));
    },
    disconnect() {
      socket.disconnect(true);
    },
  };
  socket.on('hello', (payload: unknown, maybeAck: unknown) => {
    const ack = ackOf<AgentWelcome>(maybeAck);
    const hello = parseWith(agentHelloSchema, payload);
    if (!hello.ok) return ack(fail(hello.error));
    // A device paired for every office serves the one it connected for.
    const officeId = p.device.officeId === '*' ? socket.data.officeId : p.device.officeId;
    ack({ ok: true, data: devices.agentHello(agentId, officeId, hello.data, channel) });
    devices.agentReady(agentId, channel);
  });
  socket.on('status', (payload: unknown) => {
    const status = parseWith(printerStatusSchema, payload);
    if (status.ok) devices.agentStatus(agentId, channel, status.data);
  });
  socket.on('print_result', (payload: unknown, maybeAck: unknown) => {
    const ack = ackOf<null>(maybeAck);
    const result = parseWith(printResultSchema, payload);
    if (!result.ok) return ack(fail(result.error));
    devices.agentPrintResult(agentId, result.data);
    ack({ ok: true, data: null });
  });
  socket.on('scanned', (payload: unknown) => {
    const scan = parseWith(scanEventSchema, payload);
    if (scan.ok) devices.agentScanned(agentId, channel, scan.data);
  });
  socket.on('disconnect', () => devices.agentGone(agentId, channel));
}
