// The phone page's WebSocket-only Socket.IO client (track/lean-socket.ts)
// against a real server's /track namespace: it connects with the handshake,
// gets acknowledgements and pushed frames, is refused with the server's
// ApiError, and reconnects by itself after the line drops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Ack, ApiError } from '../../protocol/errors.ts';
import type { TrackView } from '../../protocol/track.ts';
import { LeanSocket } from '../../track/lean-socket.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

/** The next emission of `event` (LeanSocket has `on` only). */
function waitFor<T = unknown>(s: LeanSocket, event: string): Promise<T> {
  return new Promise((resolve) => {
    let done = false;
    s.on(event, (v: T) => {
      if (!done) resolve(v);
      done = true;
    });
  });
}

let srv: TestServer;
let origin: string;
let cookie: string;

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000 } });
  origin = srv.url.replace(/^http/, 'ws');
  cookie = await login(srv.url, 'petugas1');
});
afterAll(async () => {
  await srv?.close();
});

async function issue(): Promise<{ id: string; number: string; key: string }> {
  const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service: 'ktp-el' } });
  expect(r.status).toBe(201);
  return { id: r.body.ticket.id, number: r.body.ticket.number, key: r.body.holderKey };
}

function phone(auth: Record<string, string>): LeanSocket {
  return new LeanSocket({ nsp: '/track', auth, origin, delay: { min: 50, max: 200 } });
}

describe('LeanSocket on /track', () => {
  it('connects, answers refresh with the view, and gets the frame when the ticket is called', async () => {
    const t = await issue();
    const s = phone({ office: 'kupang', ticket: t.id, key: t.key });
    const connected = waitFor(s, 'connect');
    s.connect();
    await connected;
    const res = await new Promise<Ack<TrackView>>((resolve) => s.emit('refresh', resolve));
    expect(res.ok && res.data.number).toBe(t.number);
    expect(res.ok && res.data.holder).toBe(true);
    // Call until it is this ticket's turn; the frame that says "called" arrives pushed.
    const called = new Promise<TrackView>((resolve) => s.on('track', (v: TrackView) => v.state === 'called' && resolve(v)));
    for (let i = 0; i < 50; i++) {
      await request(srv.url, 'POST', '/api/v1/offices/kupang/counters/1/finish', { body: { outcome: 'done' }, cookie });
      const r = await request(srv.url, 'POST', '/api/v1/offices/kupang/counters/1/call-next', { body: {}, cookie });
      if (r.body.ticket?.number === t.number) break;
    }
    expect((await called).counter?.name).toBe('Loket 1');
    s.close();
  });

  it('is refused with the server\'s ApiError and does not retry', async () => {
    const t = await issue();
    const s = phone({ office: 'kupang', ticket: t.id, key: 'AAAAAAAAAAA' });
    const refused = waitFor<Error & { data?: ApiError }>(s, 'connect_error');
    s.connect();
    expect((await refused).data?.code).toBe('holder_key_invalid');
    expect(s.connected).toBe(false);
  });

  it('reconnects by itself after the line drops', async () => {
    const t = await issue();
    const s = phone({ office: 'kupang', ticket: t.id });
    const first = waitFor(s, 'connect');
    s.connect();
    await first;
    const gone = waitFor(s, 'disconnect');
    const back = gone.then(() => waitFor(s, 'connect'));
    srv.giliran.io.of('/track').disconnectSockets(true);
    await gone;
    await back;
    expect(s.connected).toBe(true);
    s.close();
  });
});
