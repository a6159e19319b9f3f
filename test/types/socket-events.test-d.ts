// The socket event maps of protocol/events.ts, checked by the compiler on both
// sides (as socket.io's own socket.io.test-d.ts does): a renamed event or a
// payload of the wrong shape must fail the type check. Each `@ts-expect-error`
// line is a mistake that has to stay a compile error.
import type { Socket as ClientSocketOf } from 'socket.io-client';
import { describe, expectTypeOf, it } from 'vitest';
import type { Command, IssueBody } from '../../protocol/commands.ts';
import type { AgentPrintJob, PrintResult, PrinterStatus, ScanEvent, SlipRequest } from '../../protocol/devices.ts';
import type { Ack, ApiError } from '../../protocol/errors.ts';
import type {
  AgentClientToServer,
  AgentServerToClient,
  CommandResult,
  KioskClientToServer,
  KioskServerToClient,
} from '../../protocol/events.ts';
import type { PublicOffice, QueueDelta, QueueSnapshot } from '../../protocol/model.ts';
import type { TrackFrame, TrackView } from '../../protocol/track.ts';
import type { PhoneSocket } from '../helpers/phone.ts';
import type { RoleNamespace, RoleSocket, SocketData } from '../../server/realtime/types.ts';
import { QueueClient } from '../../ui/queue-client.ts';
import { connect, emitAck, type ClientSocket } from '../helpers/server.ts';

declare const kioskNsp: RoleNamespace<'kiosk'>;
declare const counterNsp: RoleNamespace<'counter'>;
declare const trackNsp: RoleNamespace<'track'>;
declare const view: TrackView;
declare const snapshot: QueueSnapshot;
declare const agentSocket: RoleSocket<'agent'>;
declare const result: PrintResult;
declare const status: PrinterStatus;
declare const job: AgentPrintJob;
declare const office: PublicOffice;
declare const displayNsp: RoleNamespace<'display'>;

describe('the phone namespace (/track): its own ticket, never the queue', () => {
  it('sends a phone track views and refusals only, and takes only refresh', () => {
    trackNsp.on('connection', (socket) => {
      socket.emit('track', view);
      socket.on('refresh', (ack) => {
        expectTypeOf(ack).parameter(0).toEqualTypeOf<Ack<TrackView>>();
        ack({ ok: true, data: view });
      });
      // @ts-expect-error a phone is never sent a queue snapshot
      socket.emit('snapshot', snapshot);
      // @ts-expect-error nor deltas
      socket.emit('delta', {} as QueueDelta);
      // @ts-expect-error a phone has no resync
      socket.on('resync', () => undefined);
    });
  });

  it('types the phone page side the same way', () => {
    const phone = {} as PhoneSocket;
    phone.on('track', (v) => expectTypeOf(v).toEqualTypeOf<TrackFrame>());
    phone.on('unavailable', (e) => expectTypeOf(e).toEqualTypeOf<ApiError>());
    phone.emit('refresh', (res) => expectTypeOf(res).toEqualTypeOf<Ack<TrackView>>());
    // @ts-expect-error phones do not listen to snapshots
    phone.on('snapshot', () => undefined);
    // @ts-expect-error a view is not a snapshot
    expectTypeOf(view).toEqualTypeOf<QueueSnapshot>();
  });
});

describe('server side (typed namespaces and sockets)', () => {
  it('gives a handler the payload and acknowledgement of its event', () => {
    kioskNsp.on('connection', (socket) => {
      expectTypeOf(socket.data).toEqualTypeOf<SocketData>();
      socket.on('issue', (body, ack) => {
        expectTypeOf(body).toEqualTypeOf<IssueBody>();
        expectTypeOf(ack).parameter(0).toEqualTypeOf<Ack<CommandResult>>();
      });
      socket.on('print_slip', (slip, ack) => {
        expectTypeOf(slip).toEqualTypeOf<SlipRequest>();
        expectTypeOf(ack).parameter(0).toEqualTypeOf<Ack<PrintResult>>();
      });
      socket.emit('print_result', result);
      socket.emit('printer_status', status);
    });
    counterNsp.on('connection', (socket) => {
      socket.on('command', (command) => expectTypeOf(command).toEqualTypeOf<Command>());
    });
  });

  it('refuses an event the role does not have, in either direction', () => {
    kioskNsp.on('connection', (socket) => {
      // @ts-expect-error a renamed event
      socket.on('isue', () => undefined);
      // @ts-expect-error counters send commands, kiosks do not
      socket.on('command', () => undefined);
      // @ts-expect-error the server never sends a kiosk print jobs (agents get them)
      socket.emit('print', job, () => undefined);
      // @ts-expect-error a renamed event
      socket.emit('print_results', result);
    });
    counterNsp.on('connection', (socket) => {
      // @ts-expect-error print results go to the kiosk that issued the ticket
      socket.emit('print_result', result);
    });
  });

  it('refuses a payload of the wrong shape', () => {
    kioskNsp.on('connection', (socket) => {
      // @ts-expect-error a status is not a print result
      socket.emit('print_result', status);
      // @ts-expect-error a snapshot is not a delta
      socket.emit('delta', {} as QueueSnapshot);
      socket.on('issue', (body) => {
        // @ts-expect-error the body has no counter
        void body.counterId;
      });
    });
    // @ts-expect-error an acknowledgement of the wrong type
    agentSocket.emit('print', job, (_err: Error | null, _res: Ack<QueueDelta>) => undefined);
    agentSocket.timeout(1000).emit('print', job, (err, res) => {
      expectTypeOf(err).toEqualTypeOf<Error>();
      expectTypeOf(res).toEqualTypeOf<Ack<{ jobId: string }>>();
    });
  });
});

describe('the live office event (every namespace)', () => {
  it('carries the public office and a revision, server and client side', () => {
    for (const nsp of [kioskNsp, counterNsp, displayNsp, trackNsp]) nsp.to('office:kupang').emit('office', office, 3);
    agentSocket.emit('office', office, 1);
    // @ts-expect-error the revision is a number
    displayNsp.emit('office', office, '3');
    // @ts-expect-error the office comes first
    displayNsp.emit('office', 3, office);
    const page = new QueueClient({ role: 'display', office: 'kupang' });
    page.socket.on('office', (o, revision) => {
      expectTypeOf(o).toEqualTypeOf<PublicOffice>();
      expectTypeOf(revision).toEqualTypeOf<number>();
    });
    // @ts-expect-error a renamed event
    page.socket.on('office_changed', () => undefined);
  });
});

describe('client side (Socket<ServerToClient, ClientToServer>, as pages type it)', () => {
  it('types what a kiosk page sends and receives', () => {
    const socket = {} as ClientSocketOf<KioskServerToClient, KioskClientToServer>;
    socket.emit('issue', { service: 'kk' }, (res) => expectTypeOf(res).toEqualTypeOf<Ack<CommandResult>>());
    socket.on('print_result', (r) => expectTypeOf(r).toEqualTypeOf<PrintResult>());
    socket.on('scanned', (s) => expectTypeOf(s).toEqualTypeOf<ScanEvent>());
    socket.on('unavailable', (e) => expectTypeOf(e).toEqualTypeOf<ApiError>());
    // @ts-expect-error a renamed event
    socket.emit('isue', { service: 'kk' }, () => undefined);
    // @ts-expect-error a service is a string
    socket.emit('issue', { service: 1 }, () => undefined);
    // @ts-expect-error a renamed server event
    socket.on('printResult', () => undefined);
    // @ts-expect-error counters' events are not the kiosk's
    socket.emit('command', { type: 'call_next', counterId: '1' }, () => undefined);
  });

  it('types the agent process and the shared page client', () => {
    const agent = {} as ClientSocketOf<AgentServerToClient, AgentClientToServer>;
    agent.on('print', (j, ack) => {
      expectTypeOf(j).toEqualTypeOf<AgentPrintJob>();
      ack({ ok: true, data: { jobId: j.jobId } });
      // @ts-expect-error the acknowledgement names the job
      ack({ ok: true, data: null });
    });
    const page = new QueueClient<KioskServerToClient, KioskClientToServer>({ role: 'kiosk', office: 'kupang' });
    page.socket.emit('print_slip', { service: 'kk', subcase: 'baru', missing: ['kk'] }, (res) => expectTypeOf(res).toEqualTypeOf<Ack<PrintResult>>());
    // @ts-expect-error slips list what is missing
    page.socket.emit('print_slip', { service: 'kk', subcase: 'baru' }, () => undefined);
  });

  it('types the test helpers the same way', () => {
    const kiosk = connect('http://127.0.0.1:1', 'kiosk');
    expectTypeOf(kiosk).toEqualTypeOf<ClientSocket<'kiosk'>>();
    expectTypeOf(emitAck(kiosk, 'issue', { service: 'kk' })).resolves.toEqualTypeOf<Ack<CommandResult>>();
    expectTypeOf(emitAck(connect('', 'display'), 'resync')).resolves.toEqualTypeOf<Ack<QueueSnapshot>>();
    // A phone asks for its ticket's view, never the queue.
    expectTypeOf(emitAck(connect('', 'track'), 'refresh')).resolves.toEqualTypeOf<Ack<TrackView>>();
    // @ts-expect-error a phone cannot ask for the queue
    void emitAck(connect('', 'track'), 'resync');
    // @ts-expect-error a renamed event
    void emitAck(kiosk, 'isue', { service: 'kk' });
    // @ts-expect-error a kiosk has no command event
    void emitAck(kiosk, 'command', { type: 'call_next', counterId: '1' });
    // @ts-expect-error the payload's shape
    void emitAck(kiosk, 'issue', { servis: 'kk' });
    // @ts-expect-error the counter namespace has no `issue` event
    void emitAck(connect('', 'counter'), 'issue', { service: 'kk' });
  });
});
