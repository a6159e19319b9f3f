// A staff socket whose session expired gets nothing more (issue 15, finding 8):
// it is cut before the next delta or snapshot, as signing out already does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDelta } from '../../protocol/model.ts';
import { connect, emitAck, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const HOUR = 3_600_000;
let srv: TestServer;
let offset = 0;
const now = () => new Date(Date.now() + offset);

beforeAll(async () => {
  offset = 0;
  srv = await startServer({ now, settings: { sessionHours: 1 } });
});
afterAll(async () => srv?.close());

describe('a staff socket after its session expired', () => {
  it('is disconnected before the next delta and receives no delta, while other screens still do', async () => {
    const cookie = await login(srv.url, 'petugas1');
    const counter = connect(srv.url, 'counter', 'kupang', { cookie });
    const display = connect(srv.url, 'display');
    await Promise.all([waitFor(counter, 'snapshot'), waitFor(display, 'snapshot')]);
    const deltas: QueueDelta[] = [];
    counter.on('delta', (d: QueueDelta) => deltas.push(d));
    // Still signed in: deltas arrive.
    const kiosk = connect(srv.url, 'kiosk');
    await waitFor(kiosk, 'snapshot');
    const first = waitFor<QueueDelta>(counter, 'delta');
    const before = await emitAck(kiosk, 'issue', { service: 'kk' });
    expect(before.ok).toBe(true);
    await first;
    expect(deltas.length).toBe(1);

    offset = HOUR + 60_000; // the session is over
    expect((await request(srv.url, 'GET', '/api/v1/session', { cookie })).status).toBe(401);
    const gone = waitFor<unknown>(counter, 'disconnect').then((args) => (Array.isArray(args) ? args[0] : args));
    const seen = waitFor<QueueDelta>(display, 'delta');
    const after = await emitAck(kiosk, 'issue', { service: 'kk' });
    expect(after.ok).toBe(true);
    expect(await gone).toBe('io server disconnect');
    // Everything the server sent before cutting it has arrived by now: the second delta is not among it.
    expect(deltas.length).toBe(1);
    expect((await seen).version).toBe(after.ok ? after.data.version : -1);
    for (const s of [counter, display, kiosk]) s.close();
  });

  it('gets no snapshot on resync and is disconnected', async () => {
    offset = 0;
    const cookie = await login(srv.url, 'petugas2');
    const counter = connect(srv.url, 'counter', 'kupang', { cookie });
    await waitFor(counter, 'snapshot');
    offset = 2 * HOUR;
    const gone = waitFor<unknown>(counter, 'disconnect').then((args) => (Array.isArray(args) ? args[0] : args));
    const r = await emitAck(counter, 'resync');
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect('data' in r).toBe(false);
    expect(await gone).toBe('io server disconnect');
  });
});
