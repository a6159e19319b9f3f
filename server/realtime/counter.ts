// /counter: staff run every command of protocol/commands.ts here and hear of
// printer problems in their office.
import { commandSchema } from '../../protocol/commands.ts';
import { parseWith } from '../validation.ts';
import { handshake } from './handshake.ts';
import { ackOf, answer, fail, registerResync, runCommand, sendInitialSnapshot, type HandlerDeps } from './handlers.ts';
import { officeRoom, type GiliranIo, type RoleNamespace } from './types.ts';

export function attachCounter(io: GiliranIo, deps: HandlerDeps): RoleNamespace<'counter'> {
  const nsp: RoleNamespace<'counter'> = io.of('/counter');
  nsp.use(handshake('counter', deps.auth, deps.queue));
  nsp.on('connection', (socket) => {
    registerResync(socket, 'counter', deps);
    socket.on('command', (payload: unknown, maybeAck: unknown) => {
      answer(ackOf(maybeAck), deps.log, 'counter command', async () => {
        const parsed = parseWith(commandSchema, payload);
        if (!parsed.ok) return fail(parsed.error);
        const command = parsed.data.type === 'issue' ? { ...parsed.data, source: 'counter' as const } : parsed.data;
        return runCommand(socket, deps, command);
      });
    });
    const { officeId, principal } = socket.data;
    if (principal?.kind === 'user') for (const status of deps.devices.statusesFor(officeId)) socket.emit('printer_status', status);
    sendInitialSnapshot(socket, 'counter', deps);
  });
  deps.devices.onStaffStatus((offices, status) => {
    for (const o of offices) {
      if (o === '*') nsp.emit('printer_status', status);
      else nsp.to(officeRoom(o)).emit('printer_status', status);
    }
  });
  return nsp;
}
