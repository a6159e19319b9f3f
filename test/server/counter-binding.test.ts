// Over REST and the counter socket: a counter belongs to the clerk signed in
// there (issue 15, finding 9); another clerk gets a bilingual `counter_taken`
// and nothing changes; a supervisor may still act. A kiosk's pre-check that
// does not fit the checklist is refused (finding 13).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, emitAck, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
const cookies: Record<string, string> = {};
const OFFICE = '/api/v1/offices/kupang';

beforeAll(async () => {
  srv = await startServer({ settings: { ticketsPerDevicePerMinute: 10_000 } });
  for (const u of ['petugas1', 'petugas2', 'supervisor']) cookies[u] = await login(srv.url, u);
});
afterAll(async () => srv?.close());

const version = async () => (await request(srv.url, 'GET', `${OFFICE}/queue`, { cookie: cookies.supervisor })).body.version as number;

describe('a counter bound to its clerk', () => {
  it('refuses another clerk with counter_taken in both languages and changes nothing; a supervisor may act', async () => {
    expect((await request(srv.url, 'POST', `${OFFICE}/counters/2/sign-in`, { body: {}, cookie: cookies.petugas1 })).status).toBe(200);
    const before = await version();
    const res = await request(srv.url, 'POST', `${OFFICE}/counters/2/pause`, { body: { reason: 'break' }, cookie: cookies.petugas2 });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('counter_taken');
    expect(res.body.error.message.id).toContain('petugas lain');
    expect(res.body.error.message.en).toContain('Another clerk');
    expect(await version()).toBe(before);
    const sup = await request(srv.url, 'POST', `${OFFICE}/counters/2/pause`, { body: { reason: 'break' }, cookie: cookies.supervisor });
    expect(sup.status).toBe(200);
    expect((await request(srv.url, 'POST', `${OFFICE}/counters/2/resume`, { body: {}, cookie: cookies.petugas1 })).status).toBe(200);
  });

  it('signs in over the counter socket with its own command, and refuses a second clerk there', async () => {
    const one = connect(srv.url, 'counter', 'kupang', { cookie: cookies.petugas1 });
    const two = connect(srv.url, 'counter', 'kupang', { cookie: cookies.petugas2 });
    await Promise.all([waitFor(one, 'snapshot'), waitFor(two, 'snapshot')]);
    try {
      const delta = waitFor<{ events: Array<{ type: string; counterId: string }> }>(two, 'delta');
      const a = await emitAck<any>(one, 'command', { type: 'sign_in', counterId: '4' });
      expect(a.ok).toBe(true);
      expect((await delta).events).toEqual([expect.objectContaining({ type: 'counter_signed_in', counterId: '4' })]);
      await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'kk' }, cookie: cookies.supervisor });
      expect((await emitAck<any>(one, 'command', { type: 'call_next', counterId: '4' })).ok).toBe(true);
      const b = await emitAck<any>(two, 'command', { type: 'sign_in', counterId: '4' });
      expect(b).toMatchObject({ ok: false, error: { code: 'counter_taken' } });
      const c = await emitAck<any>(two, 'command', { type: 'finish', counterId: '4', outcome: 'done' });
      expect(c).toMatchObject({ ok: false, error: { code: 'counter_taken' } });
      expect((await emitAck<any>(one, 'command', { type: 'finish', counterId: '4', outcome: 'done' })).ok).toBe(true);
    } finally {
      one.close();
      two.close();
    }
  });
});

describe('pre-checks against the office checklist', () => {
  it('refuses a kiosk ticket whose pre-check passes with a mandatory item missing, or names an unknown item', async () => {
    const before = await version();
    for (const precheck of [
      { subcase: 'hilang', passed: true, missing: ['kk'] },
      { subcase: 'hilang', passed: true, missing: ['bukan-syarat'] },
      { subcase: 'tidak-ada', passed: true, missing: [] },
    ]) {
      const res = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'ktp-el', precheck } });
      expect(res.status, JSON.stringify(precheck)).toBe(400);
      expect(res.body.error.code).toBe('bad_request');
    }
    expect(await version()).toBe(before);
    const ok = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'ktp-el', precheck: { subcase: 'hilang', passed: true, missing: [] } } });
    expect(ok.status).toBe(201);
  });
});
