// /kiosk: touch kiosks issue tickets and print "what to bring" slips; the
// devices service tells them how their printer is and what their scanner read.
import { slipRequestSchema } from '../../protocol/device-schemas.ts';
import { commandOf, issueBodySchema } from '../../protocol/commands.ts';
import { apiError } from '../../protocol/errors.ts';
import type { KioskScreen } from '../devices/hub.ts';
import { parseWith } from '../validation.ts';
import { handshake } from './handshake.ts';
import { ackOf, answer, fail, registerResync, runCommand, sendInitialSnapshot, stillValid, type HandlerDeps } from './handlers.ts';
import type { GiliranIo, RoleNamespace, RoleSocket } from './types.ts';

export function attachKiosk(io: GiliranIo, deps: HandlerDeps): RoleNamespace<'kiosk'> {
  const nsp: RoleNamespace<'kiosk'> = io.of('/kiosk');
  nsp.use(handshake('kiosk', deps.auth, deps.queue));
  nsp.on('connection', (socket) => {
    registerResync(socket, 'kiosk', deps);
    registerIssue(socket, deps);
    const screen = screenOf(socket);
    socket.on('print_slip', (payload: unknown, maybeAck: unknown) => {
      answer(ackOf(maybeAck), deps.log, 'print_slip', async () => {
        const slip = parseWith(slipRequestSchema, payload);
        if (!slip.ok) return fail(slip.error);
        if (!socket.data.principal || !stillValid(socket, deps.auth)) return fail(apiError('device_not_paired'));
        return deps.devices.printSlip(screen, slip.data);
      });
    });
    socket.on('disconnect', () => deps.devices.kioskGone(socket.id));
    deps.devices.kioskConnected(screen);
    sendInitialSnapshot(socket, 'kiosk', deps);
  });
  return nsp;
}

function registerIssue(socket: RoleSocket<'kiosk'>, deps: HandlerDeps): void {
  socket.on('issue', (payload: unknown, maybeAck: unknown) => {
    answer(ackOf(maybeAck), deps.log, 'kiosk issue', async () => {
      const parsed = parseWith(issueBodySchema, payload);
      if (!parsed.ok) return fail(parsed.error);
      // The same command as REST's issue (http/queue.ts): a slot is accepted and not used here.
      const { bookingSlot: _unused, ...command } = commandOf('issue', { source: 'kiosk' }, parsed.data, parsed.data.idempotencyKey);
      const r = await runCommand(socket, deps, command);
      // The kiosk shows the ticket's QR link with its holder key; no other screen ever gets the key.
      return r.ok && r.data.ticket ? { ok: true, data: { ...r.data, holderKey: deps.track.keyOf(socket.data.officeId, r.data.ticket.id) } } : r;
    });
  });
}

/** The screen as the devices service sees it: where its jobs go, and how to tell it what happened. */
function screenOf(socket: RoleSocket<'kiosk'>): KioskScreen {
  const p = socket.data.principal;
  return {
    id: socket.id,
    officeId: socket.data.officeId,
    kioskId: p?.kind === 'device' ? p.device.id : null,
    printResult: (result) => socket.emit('print_result', result),
    printerStatus: (status) => socket.emit('printer_status', status),
    scanned: (scan) => socket.emit('scanned', scan),
  };
}
