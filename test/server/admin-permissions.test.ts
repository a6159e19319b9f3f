// The admin permission matrix (protocol/admin.ts PERMISSIONS) through the API:
// every role against every admin endpoint, and offices as tenants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, SECTIONS, SECTION_KEYS, type AdminOfficeView, type Section } from '../../protocol/admin.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { DEMO_PASSWORD, login, request, startServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
const cookies: Record<string, string> = {};
let kupang: AdminOfficeView;

const sectionValue = (v: AdminOfficeView, s: Section) => Object.fromEntries(SECTION_KEYS[s].map((k) => [k, (v.office as unknown as Record<string, unknown>)[k]]));

async function freshView(office = 'kupang'): Promise<AdminOfficeView> {
  return (await request<AdminOfficeView>(srv.url, 'GET', `/api/v1/admin/offices/${office}`, { cookie: cookies.admin })).body;
}

beforeAll(async () => {
  srv = await startServer();
  // An admin of Padang Panjang only.
  const hash = await hashPassword(DEMO_PASSWORD, 12);
  await srv.giliran.store.config.update((d) => {
    d.users.push({ id: 'admin-pp', username: 'admin-pp', name: 'Admin Padang Panjang', role: 'admin', offices: ['padang-panjang'], passwordHash: hash });
  });
  for (const u of ['admin', 'supervisor', 'petugas1', 'admin-pp']) cookies[u] = await login(srv.url, u);
  kupang = await freshView();
});
afterAll(() => srv.close());

describe('admin permissions', () => {
  it('gives a clerk 403 on every admin endpoint, of any office', async () => {
    const c = cookies.petugas1;
    for (const office of ['kupang', 'padang-panjang', 'no-such-office']) {
      expect((await request(srv.url, 'GET', `/api/v1/admin/offices/${office}`, { cookie: c })).status).toBe(403);
      expect((await request(srv.url, 'GET', `/api/v1/admin/offices/${office}/audit`, { cookie: c })).status).toBe(403);
      for (const s of SECTIONS) {
        const r = await request(srv.url, 'PUT', `/api/v1/admin/offices/${office}/sections/${s}`, { body: { revision: 0, value: sectionValue(kupang, s) }, cookie: c });
        expect(r.status, `${office} ${s}`).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
      }
    }
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices', { cookie: c })).status).toBe(403);
  });

  it('asks for a sign-in without a session, and refuses a device (a loopback screen) with 403', async () => {
    const strict = await startServer({ settings: { trustLoopbackDevices: false } });
    try {
      expect((await request(strict.url, 'GET', '/api/v1/admin/offices')).status).toBe(401);
      expect((await request(strict.url, 'GET', '/api/v1/admin/offices/kupang/audit')).status).toBe(401);
    } finally {
      await strict.close();
    }
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices/kupang')).status).toBe(403); // the loopback demo device
    expect((await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/hours', { body: { revision: 0, value: sectionValue(kupang, 'hours') } })).status).toBe(403);
  });

  for (const role of ['admin', 'supervisor'] as const) {
    it(`lets a ${role} write exactly the sections the matrix says`, async () => {
      const v = await freshView();
      const own = (await request<AdminOfficeView>(srv.url, 'GET', '/api/v1/admin/offices/kupang', { cookie: cookies[role] })).body;
      expect(own.permissions).toEqual(SECTIONS.map((s) => ({ section: s, read: PERMISSIONS[role][s].read, write: PERMISSIONS[role][s].write, ...(PERMISSIONS[role][s].fields ? { fields: PERMISSIONS[role][s].fields } : {}) })));
      for (const s of SECTIONS) {
        const r = await request(srv.url, 'PUT', `/api/v1/admin/offices/kupang/sections/${s}`, { body: { revision: v.revisions[s].revision, value: sectionValue(v, s) }, cookie: cookies[role] });
        expect(r.status, `${role} ${s}: ${JSON.stringify(r.body)}`).toBe(PERMISSIONS[role][s].write ? 200 : 403);
      }
    });
  }

  it('lets a supervisor change the running text but not the office name', async () => {
    const v = await freshView();
    const profile = sectionValue(v, 'profile');
    const rev = v.revisions.profile.revision;
    const marquee = await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/profile', { body: { revision: rev, value: { ...profile, marquee: { id: 'Blangko KTP-el habis hari ini', en: 'No ID-card blanks today' } } }, cookie: cookies.supervisor });
    expect(marquee.status).toBe(200);
    const name = await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/profile', { body: { revision: rev + 1, value: { ...profile, shortName: 'Diganti' } }, cookie: cookies.supervisor });
    expect(name.status).toBe(403);
    expect(name.body.error.details).toEqual([{ path: 'value.shortName', message: expect.any(String) }]);
    expect((await freshView()).office.shortName).toBe(v.office.shortName);
  });

  it('shows a supervisor only their own office, and another office as not found', async () => {
    const list = await request(srv.url, 'GET', '/api/v1/admin/offices', { cookie: cookies.supervisor });
    expect(list.body.offices).toEqual([{ id: 'kupang', name: kupang.office.name, shortName: expect.any(String), role: 'supervisor' }]);
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices/padang-panjang', { cookie: cookies.supervisor })).status).toBe(404);
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices/kupang/audit', { cookie: cookies.supervisor })).status).toBe(200);
  });

  it('gives an admin of office B nothing of office A: 404, the same answer as an office that does not exist', async () => {
    const c = cookies['admin-pp'];
    const list = await request(srv.url, 'GET', '/api/v1/admin/offices', { cookie: c });
    expect(list.body.offices.map((o: { id: string }) => o.id)).toEqual(['padang-panjang']);
    const missing = await request(srv.url, 'GET', '/api/v1/admin/offices/no-such-office', { cookie: c });
    const other = await request(srv.url, 'GET', '/api/v1/admin/offices/kupang', { cookie: c });
    expect(other.status).toBe(404);
    expect(other.body).toEqual(missing.body);
    expect(JSON.stringify(other.body)).not.toContain('Kupang');
    const before = await freshView();
    for (const s of SECTIONS) {
      const r = await request(srv.url, 'PUT', `/api/v1/admin/offices/kupang/sections/${s}`, { body: { revision: before.revisions[s].revision, value: sectionValue(before, s) }, cookie: c });
      expect(r.status, s).toBe(404);
      // A wrong revision must not tell B's admin that the revision is wrong (no 409 leaks A's current value).
      const stale = await request(srv.url, 'PUT', `/api/v1/admin/offices/kupang/sections/${s}`, { body: { revision: 999, value: sectionValue(before, s) }, cookie: c });
      expect(stale.status, s).toBe(404);
    }
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices/kupang/audit', { cookie: c })).status).toBe(404);
    expect((await freshView()).revisions).toEqual(before.revisions);
    // Their own office is theirs in full.
    const own = await request<AdminOfficeView>(srv.url, 'GET', '/api/v1/admin/offices/padang-panjang', { cookie: c });
    expect(own.status).toBe(200);
    const r = await request(srv.url, 'PUT', '/api/v1/admin/offices/padang-panjang/sections/rules', { body: { revision: 0, value: sectionValue(own.body, 'rules') }, cookie: c });
    expect(r.status).toBe(200);
    // And the audit of B shows none of A's entries.
    const audit = await request(srv.url, 'GET', '/api/v1/admin/offices/padang-panjang/audit', { cookie: c });
    expect(audit.body.entries.length).toBeGreaterThan(0);
    expect(audit.body.entries.every((e: { officeId: string }) => e.officeId === 'padang-panjang')).toBe(true);
  });

  it("gives a user of every office ('*') every office", async () => {
    const list = await request(srv.url, 'GET', '/api/v1/admin/offices', { cookie: cookies.admin });
    expect(list.body.offices.map((o: { id: string }) => o.id)).toEqual(['kupang', 'padang-panjang']);
    for (const office of ['kupang', 'padang-panjang']) {
      expect((await request(srv.url, 'GET', `/api/v1/admin/offices/${office}`, { cookie: cookies.admin })).status).toBe(200);
      expect((await request(srv.url, 'GET', `/api/v1/admin/offices/${office}/audit`, { cookie: cookies.admin })).status).toBe(200);
    }
  });

  it('answers an unknown section 404 and a bad audit query 400', async () => {
    expect((await request(srv.url, 'PUT', '/api/v1/admin/offices/kupang/sections/logo', { body: { revision: 0, value: {} }, cookie: cookies.admin })).status).toBe(404);
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices/kupang/audit?from=2026-13-01', { cookie: cookies.admin })).status).toBe(400);
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices/kupang/audit?cursor=garbage', { cookie: cookies.admin })).status).toBe(400);
    expect((await request(srv.url, 'GET', '/api/v1/admin/offices/kupang/audit?from=2026-01-01&to=2026-12-31', { cookie: cookies.admin })).status).toBe(400);
  });
});
