// GET /api/v1/metrics on a real server: only admins and supervisors, and the
// figures move with what really happens (sockets, commits, durable writes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, emitAck, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startServer();
});
afterAll(async () => srv?.close());

describe('metrics', () => {
  it('are for admins and supervisors only', async () => {
    // No cookie from this machine is the loopback demo screen: a device, not staff.
    expect((await request(srv.url, 'GET', '/api/v1/metrics')).status).toBe(403);
    const clerk = await login(srv.url, 'petugas1');
    const refused = await request(srv.url, 'GET', '/api/v1/metrics', { cookie: clerk });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    for (const who of ['admin', 'supervisor']) expect((await request(srv.url, 'GET', '/api/v1/metrics', { cookie: await login(srv.url, who) })).status).toBe(200);
  });

  it('count the connected screens and the changes made durable, with how long the disk took', async () => {
    const cookie = await login(srv.url, 'supervisor');
    const before = (await request(srv.url, 'GET', '/api/v1/metrics', { cookie })).body;
    expect(before.sockets).toEqual({ display: 0, kiosk: 0, counter: 0, agent: 0, track: 0 });
    const displays = [connect(srv.url, 'display'), connect(srv.url, 'display')];
    const kiosk = connect(srv.url, 'kiosk');
    await Promise.all([...displays, kiosk].map((s) => waitFor(s, 'snapshot')));
    for (let i = 0; i < 5; i++) expect((await emitAck(kiosk, 'issue', { service: 'kk' })).ok).toBe(true);
    const bad = await emitAck(kiosk, 'issue', { service: 'paspor' }); // refused: changes nothing, writes nothing
    expect(bad.ok).toBe(false);
    const after = (await request(srv.url, 'GET', '/api/v1/metrics', { cookie })).body;
    expect(after.sockets).toMatchObject({ display: 2, kiosk: 1, counter: 0 });
    expect(after.commits.total - before.commits.total).toBe(5);
    expect(after.commits.durableWriteMs.p50).toBeGreaterThan(0);
    expect(after.commits.durableWriteMs.max).toBeGreaterThanOrEqual(after.commits.durableWriteMs.p99);
    expect(after.eventLoopDelayMs.max).toBeGreaterThanOrEqual(after.eventLoopDelayMs.p50);
    expect(after.memoryMb.rss).toBeGreaterThan(after.memoryMb.heapUsed);
    expect(after.uptimeSeconds).toBeGreaterThanOrEqual(0);
    for (const s of [...displays, kiosk]) s.close();
  });
});
