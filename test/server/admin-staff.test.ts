// Staff accounts from the admin console: created with a one-time password that
// must be changed at the first sign-in, changed, disabled (sessions and
// sockets end at once), office-scoped, last admin kept, audited without passwords.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, connectOutcome, login, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let admin: string;
const K = '/api/v1/admin/offices/kupang/staff';
const P = '/api/v1/admin/offices/padang-panjang/staff';

beforeAll(async () => {
  server = await startServer();
  admin = await login(server.url, 'admin');
});
afterAll(async () => {
  await server.close();
});

async function configText(): Promise<string> {
  return readFile(path.join(server.dataDir, 'config.json'), 'utf8');
}

async function auditText(): Promise<string> {
  const day = new Date().toISOString().slice(0, 10);
  return readFile(path.join(server.dataDir, 'audit', `${day}.jsonl`), 'utf8').catch(() => '');
}

async function create(username: string, role: string, cookie = admin, base = K) {
  return request(server.url, 'POST', base, { cookie, body: { username, name: `Nama ${username}`, role } });
}

describe('staff accounts', () => {
  it('creates an account with a generated password shown once, stored only hashed, never audited', async () => {
    const res = await create('petugas-baru', 'clerk');
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ username: 'petugas-baru', role: 'clerk', offices: ['kupang'], disabled: false, mustChangePassword: true });
    const password = res.body.password as string;
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(await configText()).not.toContain(password);
    const audit = await auditText();
    expect(audit).toContain('staff_created');
    expect(audit).not.toContain(password);
    const listed = await request(server.url, 'GET', K, { cookie: admin });
    expect(listed.status).toBe(200);
    expect(listed.body.staff.map((u: { username: string }) => u.username)).toContain('petugas-baru');
    expect(JSON.stringify(listed.body)).not.toMatch(/scrypt/);
  });

  it('lets a must-change account do nothing but change its password, then everything', async () => {
    const made = await create('petugas-ganti', 'clerk');
    const first = await request(server.url, 'POST', '/api/v1/session', { body: { username: 'petugas-ganti', password: made.body.password } });
    expect(first.status).toBe(200);
    expect(first.body.mustChangePassword).toBe(true);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;

    const queue = await request(server.url, 'GET', '/api/v1/offices/kupang/queue', { cookie });
    expect(queue.status).toBe(403);
    expect(queue.body.error.code).toBe('password_change_required');
    expect(queue.body.error.message.id).toBeTruthy();
    expect(queue.body.error.message.en).toBeTruthy();
    const sock = connect(server.url, 'counter', 'kupang', { cookie });
    expect(await connectOutcome(sock)).toBe('password_change_required');
    sock.close();

    const before = await configText();
    const short = await request(server.url, 'POST', '/api/v1/session/password', { cookie, body: { current: made.body.password, next: 'pendek' } });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('bad_request');
    const same = await request(server.url, 'POST', '/api/v1/session/password', { cookie, body: { current: made.body.password, next: 'PETUGAS-GANTI' } });
    expect(same.status).toBe(400);
    expect(same.body.error.code).toBe('weak_password');
    const wrong = await request(server.url, 'POST', '/api/v1/session/password', { cookie, body: { current: 'bukan-sandinya', next: 'sandi-baru-yang-panjang' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong_password');
    expect(await configText()).toBe(before);

    const ok = await request(server.url, 'POST', '/api/v1/session/password', { cookie, body: { current: made.body.password, next: 'sandi-baru-yang-panjang' } });
    expect(ok.status).toBe(204);
    expect((await request(server.url, 'GET', '/api/v1/offices/kupang/queue', { cookie })).status).toBe(200);
    const who = await request(server.url, 'GET', '/api/v1/session', { cookie });
    expect(who.body.mustChangePassword).toBe(false);
    const sock2 = connect(server.url, 'counter', 'kupang', { cookie });
    expect(await connectOutcome(sock2)).toBe('connected');
    sock2.close();
    await login(server.url, 'petugas-ganti', 'sandi-baru-yang-panjang');
    expect(await auditText()).not.toContain('sandi-baru-yang-panjang');
  });

  it('refuses bad input with a bilingual error and changes nothing', async () => {
    const before = await configText();
    const role = await create('petugas-x', 'superuser');
    expect(role.status).toBe(400);
    expect(role.body.error.code).toBe('bad_request');
    expect(role.body.error.message.en).toBeTruthy();
    const name = await request(server.url, 'POST', K, { cookie: admin, body: { username: 'a b', name: 'x', role: 'clerk' } });
    expect(name.status).toBe(400);
    const taken = await create('Petugas1', 'clerk');
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('username_taken');
    const empty = await request(server.url, 'PATCH', `${K}/petugas1`, { cookie: admin, body: {} });
    expect(empty.status).toBe(400);
    expect(await configText()).toBe(before);
  });

  it('lets only admins manage staff: clerk 403, supervisor 403, a screen 403', async () => {
    const clerk = await login(server.url, 'petugas2');
    const supervisor = await login(server.url, 'supervisor');
    for (const cookie of [clerk, supervisor]) {
      expect((await request(server.url, 'GET', K, { cookie })).status).toBe(403);
      expect((await create('petugas-y', 'clerk', cookie)).status).toBe(403);
      expect((await request(server.url, 'PATCH', `${K}/petugas3`, { cookie, body: { name: 'X' } })).status).toBe(403);
      expect((await request(server.url, 'POST', `${K}/petugas3/reset-password`, { cookie })).status).toBe(403);
    }
    // No cookie from this machine is the loopback demo screen: a device, never staff.
    expect((await request(server.url, 'GET', K)).body.error.code).toBe('forbidden');
  });

  it("keeps an office's admin out of another office (404, revealing nothing)", async () => {
    const made = await create('admin-kupang', 'admin');
    const first = await request(server.url, 'POST', '/api/v1/session', { body: { username: 'admin-kupang', password: made.body.password } });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await request(server.url, 'POST', '/api/v1/session/password', { cookie, body: { current: made.body.password, next: 'admin-kupang-sandi-1' } })).status).toBe(204);
    expect((await request(server.url, 'GET', K, { cookie })).status).toBe(200);
    const other = await request(server.url, 'GET', P, { cookie });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('office_not_found');
    const nowhere = await request(server.url, 'GET', '/api/v1/admin/offices/tidak-ada/staff', { cookie });
    expect(nowhere.body).toEqual(other.body);
    // A clerk of the other office, reached through this office's path: not found either.
    expect((await request(server.url, 'PATCH', `${K}/petugas-pp1`, { cookie, body: { disabled: true } })).status).toBe(404);
    expect((await request(server.url, 'PATCH', `${P}/petugas-pp1`, { cookie, body: { disabled: true } })).status).toBe(404);
    // The admin of every office is listed but out of this admin's reach.
    expect((await request(server.url, 'PATCH', `${K}/admin`, { cookie, body: { name: 'X' } })).status).toBe(403);
  });

  it('never leaves an office without an admin', async () => {
    const before = await configText();
    const demote = await request(server.url, 'PATCH', `${P}/admin`, { cookie: admin, body: { role: 'clerk' } });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('last_admin');
    const disable = await request(server.url, 'PATCH', `${P}/admin`, { cookie: admin, body: { disabled: true } });
    expect(disable.body.error.code).toBe('last_admin');
    expect(await configText()).toBe(before);
  });

  it('ends a disabled account’s sessions at once, its counter socket included', async () => {
    const made = await create('petugas-keluar', 'clerk');
    const first = await request(server.url, 'POST', '/api/v1/session', { body: { username: 'petugas-keluar', password: made.body.password } });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    await request(server.url, 'POST', '/api/v1/session/password', { cookie, body: { current: made.body.password, next: 'petugas-keluar-sandi' } });
    const sock = connect(server.url, 'counter', 'kupang', { cookie });
    expect(await connectOutcome(sock)).toBe('connected');
    expect((await request(server.url, 'POST', '/api/v1/offices/kupang/counters/4/sign-in', { cookie, body: {} })).status).toBe(200);
    const gone = waitFor<[string, unknown]>(sock, 'disconnect');
    const res = await request(server.url, 'PATCH', `${K}/${made.body.user.id}`, { cookie: admin, body: { disabled: true } });
    expect(res.status).toBe(200);
    expect(res.body.user.disabled).toBe(true);
    expect((await gone)[0]).toBe('io server disconnect');
    expect((await request(server.url, 'GET', '/api/v1/session', { cookie })).status).toBe(401);
    expect((await request(server.url, 'POST', '/api/v1/session', { body: { username: 'petugas-keluar', password: 'petugas-keluar-sandi' } })).status).toBe(401);
    // Signed out of the counter too: it is free for another clerk.
    const queue = await request(server.url, 'GET', '/api/v1/offices/kupang/queue', { cookie: admin });
    expect(queue.body.counters.find((c: { id: string }) => c.id === '4').staff).toBeNull();
    const audit = await auditText();
    expect(audit).toContain('"staff_updated"');
    expect(audit).not.toContain('petugas-keluar-sandi');
    // Enabled again: signs in again.
    expect((await request(server.url, 'PATCH', `${K}/${made.body.user.id}`, { cookie: admin, body: { disabled: false } })).body.user.disabled).toBe(false);
    await login(server.url, 'petugas-keluar', 'petugas-keluar-sandi');
  });

  it('resets a password: shown once, old one dead, sessions ended, change required', async () => {
    const cookie = await login(server.url, 'petugas3');
    const res = await request(server.url, 'POST', `${K}/petugas3/reset-password`, { cookie: admin });
    expect(res.status).toBe(200);
    const password = res.body.password as string;
    expect(await configText()).not.toContain(password);
    expect(await auditText()).not.toContain(password);
    expect((await request(server.url, 'GET', '/api/v1/session', { cookie })).status).toBe(401);
    expect((await request(server.url, 'POST', '/api/v1/session', { body: { username: 'petugas3', password: 'rahasia-demo-123' } })).status).toBe(401);
    const again = await request(server.url, 'POST', '/api/v1/session', { body: { username: 'petugas3', password } });
    expect(again.body.mustChangePassword).toBe(true);
  });

  it('renames and re-roles within the office, audited', async () => {
    const res = await request(server.url, 'PATCH', `${K}/petugas4`, { cookie: admin, body: { name: 'Petugas Empat', role: 'supervisor' } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ name: 'Petugas Empat', role: 'supervisor' });
    expect(await auditText()).toContain('"role":"supervisor"');
  });
});
