// Who may do what: every queue command tried over REST by every kind of
// principal (staff roles, paired kiosk and display, an unpaired client, the
// loopback demo device), a representative subset over sockets, and the login,
// session, audit and rate-limit rules around them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TYPES, type CommandType } from '../../protocol/commands.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { DeviceKind, Role } from '../../protocol/model.ts';
import { COMMAND_PERMISSIONS } from '../../server/auth/permissions.ts';
import { COUNTER_ENDPOINTS } from '../../server/http/queue.ts';
import { connect, connectOutcome, DEMO_PASSWORD, emitAck, login, pairDevice, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const OFFICE = '/api/v1/offices/kupang';
const COUNTER = '4'; // serves every service in the seed
const ALL_COMMANDS = Object.keys(COMMAND_PERMISSIONS) as CommandType[];

// ---------------------------------------------------------------------------
// The REST request of every command, with a body that passes validation (so a
// refusal can only come from the permission check, never from a 400).

type CounterPath = keyof typeof COUNTER_ENDPOINTS;
type CounterCommand = (typeof COUNTER_ENDPOINTS)[CounterPath]['type'];
interface Endpoint {
  method: 'POST' | 'PUT';
  path: string;
  body: Record<string, unknown>;
}

const COUNTER_BODIES: Record<CounterPath, Record<string, unknown>> = {
  'call-next': {},
  call: { ticket: 'G999', reason: 'uji hak akses' },
  recall: {},
  start: {},
  finish: { outcome: 'done' },
  'no-show': {},
  transfer: { toService: 'kk' },
  park: { reason: 'uji hak akses' },
  return: { ticket: 'G999' },
  pause: { reason: 'break' },
  resume: {},
  'sign-in': {},
  'sign-out': {},
};

const OTHER_ENDPOINTS: Record<Exclude<CommandType, CounterCommand>, Endpoint> = {
  issue: { method: 'POST', path: `${OFFICE}/tickets`, body: { service: 'informasi' } },
  cancel: { method: 'POST', path: `${OFFICE}/tickets/G999/cancel`, body: { reason: 'uji hak akses' } },
  reinstate: { method: 'POST', path: `${OFFICE}/tickets/G999/reinstate`, body: {} },
  move_ticket: { method: 'POST', path: `${OFFICE}/tickets/G999/move`, body: { toService: 'kk' } },
  record_precheck: { method: 'POST', path: `${OFFICE}/prechecks`, body: { service: 'ktp-el', subcase: 'baru', missing: ['kk'] } },
  configure_counter: { method: 'PUT', path: `${OFFICE}/counters/${COUNTER}/settings`, body: { services: ['informasi', 'ktp-el', 'kk', 'akta', 'kia', 'pindah-datang', 'perubahan-data'], autoCallNext: false } },
  close_service: { method: 'POST', path: `${OFFICE}/services/pindah-datang/close`, body: { reason: 'uji hak akses' } },
  reopen_service: { method: 'POST', path: `${OFFICE}/services/pindah-datang/reopen`, body: {} },
  answer_survey: { method: 'POST', path: `${OFFICE}/tickets/G999/survey`, body: { scores: [4, 4, 4, 4, 4, 4, 4, 4, 4] } },
};

function endpointOf(type: CommandType): Endpoint {
  const counter = (Object.entries(COUNTER_ENDPOINTS) as Array<[CounterPath, (typeof COUNTER_ENDPOINTS)[CounterPath]]>).find(([, spec]) => spec.type === type);
  if (counter) return { method: 'POST', path: `${OFFICE}/counters/${COUNTER}/${counter[0]}`, body: COUNTER_BODIES[counter[0]] };
  const other = (OTHER_ENDPOINTS as Partial<Record<CommandType, Endpoint>>)[type];
  if (!other) throw new Error(`no REST endpoint known for command ${type}`);
  return other;
}

// ---------------------------------------------------------------------------
// Helpers



async function queueVersion(base: string, adminCookie: string): Promise<number> {
  const q = await request(base, 'GET', '/api/v1/offices/kupang/queue', { cookie: adminCookie });
  expect(q.status).toBe(200);
  return q.body.version as number;
}

function expectErrorShape(body: any, code: ErrorCode): void {
  expect(body?.error?.code).toBe(code);
  expect(typeof body.error.message.id).toBe('string');
  expect(body.error.message.id.length).toBeGreaterThan(0);
  expect(body.error.message.en.length).toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------
// The REST matrix

interface PrincipalSpec {
  name: string;
  /** Which server: loopback trust off ('strict') or the default ('loopback'). */
  server: 'strict' | 'loopback';
  /** Whether the principal may run `type` (from COMMAND_PERMISSIONS). */
  may(type: CommandType): boolean;
  /** The refusal it gets when it may not. */
  denied: ErrorCode;
}

const byRole = (role: Role) => (t: CommandType) => COMMAND_PERMISSIONS[t].roles.includes(role);
const byDevice = (kind: DeviceKind) => (t: CommandType) => COMMAND_PERMISSIONS[t].devices.includes(kind);

const PRINCIPALS: PrincipalSpec[] = [
  { name: 'admin', server: 'strict', may: byRole('admin'), denied: 'forbidden' },
  { name: 'supervisor', server: 'strict', may: byRole('supervisor'), denied: 'forbidden' },
  { name: 'clerk', server: 'strict', may: byRole('clerk'), denied: 'forbidden' },
  // A clerk of another office may run nothing in kupang.
  { name: 'clerk of padang-panjang', server: 'strict', may: () => false, denied: 'forbidden' },
  { name: 'kiosk device', server: 'strict', may: byDevice('kiosk'), denied: 'forbidden' },
  { name: 'display device', server: 'strict', may: byDevice('display'), denied: 'forbidden' },
  { name: 'unpaired client', server: 'strict', may: () => false, denied: 'unauthenticated' },
  // The loopback demo screen is a kiosk, never a counter.
  { name: 'loopback demo device', server: 'loopback', may: byDevice('kiosk'), denied: 'forbidden' },
];

let strict: TestServer;
let loop: TestServer;
const cookies: Record<string, string> = {};
const headersOf: Record<string, Record<string, string>> = {};
let loopAdmin: string;
let kioskToken: string;
let displayToken: string;

beforeAll(async () => {
  [strict, loop] = await Promise.all([
    startServer({ settings: { trustLoopbackDevices: false, ticketsPerDevicePerMinute: 100_000 } }),
    startServer({ settings: { ticketsPerDevicePerMinute: 100_000 } }),
  ]);
  // No timer may change the queue between the two version reads of a refusal.
  strict.giliran.queue.stopTimers();
  loop.giliran.queue.stopTimers();
  for (const u of ['admin', 'supervisor', 'petugas1', 'petugas-pp1']) cookies[u] = await login(strict.url, u);
  loopAdmin = await login(loop.url, 'admin');
  kioskToken = (await pairDevice(strict.url, cookies.admin!, 'kiosk')).token;
  displayToken = (await pairDevice(strict.url, cookies.admin!, 'display')).token;
  headersOf.admin = { cookie: cookies.admin! };
  headersOf.supervisor = { cookie: cookies.supervisor! };
  headersOf.clerk = { cookie: cookies.petugas1! };
  headersOf['clerk of padang-panjang'] = { cookie: cookies['petugas-pp1']! };
  headersOf['kiosk device'] = { authorization: `Bearer ${kioskToken}` };
  headersOf['display device'] = { authorization: `Bearer ${displayToken}` };
  headersOf['unpaired client'] = {};
  headersOf['loopback demo device'] = {};
});
afterAll(async () => {
  await Promise.all([strict?.close(), loop?.close()]);
});

function baseOf(p: PrincipalSpec): { url: string; admin: string } {
  return p.server === 'strict' ? { url: strict.url, admin: cookies.admin! } : { url: loop.url, admin: loopAdmin };
}

async function tryCommand(principal: string, type: CommandType) {
  const spec = PRINCIPALS.find((p) => p.name === principal)!;
  const ep = endpointOf(type);
  const { url } = baseOf(spec);
  return request(url, ep.method, ep.path, { body: ep.body, headers: headersOf[principal]! });
}

describe('REST: every command by every principal', () => {
  it('knows a REST endpoint for every command in COMMAND_PERMISSIONS', () => {
    for (const type of ALL_COMMANDS) expect(() => endpointOf(type)).not.toThrow();
    // …and the permission table covers every command the protocol has.
    expect(new Set(ALL_COMMANDS)).toEqual(new Set(COMMAND_TYPES));
  });

  for (const principal of PRINCIPALS) {
    describe(principal.name, () => {
      for (const type of ALL_COMMANDS) {
        const allowed = principal.may(type);
        it(`${allowed ? 'may' : 'may not'} run ${type}`, async () => {
          const { url, admin } = baseOf(principal);
          const before = await queueVersion(url, admin);
          const res = await tryCommand(principal.name, type);
          const after = await queueVersion(url, admin);
          if (allowed) {
            // Allowed: whatever the queue rules say (200/201, or a domain 404/409), never an auth refusal nor a 400.
            expect([200, 201, 404, 409], JSON.stringify(res.body)).toContain(res.status);
            if (res.status >= 400) expect(['forbidden', 'unauthenticated', 'device_not_paired', 'bad_request', 'rate_limited']).not.toContain(res.body.error.code);
          } else {
            expect(res.status, JSON.stringify(res.body)).toBe(principal.denied === 'unauthenticated' ? 401 : 403);
            expectErrorShape(res.body, principal.denied);
            expect(after).toBe(before);
          }
        });
      }
    });
  }
});

describe('REST: fixed expectations', () => {
  it('lets a clerk call the next ticket', async () => {
    const issued = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'akta' }, cookie: cookies.petugas1! });
    expect(issued.status).toBe(201);
    const res = await request(strict.url, 'POST', `${OFFICE}/counters/3/call-next`, { body: {}, cookie: cookies.petugas1! });
    expect(res.status).toBe(200);
    expect(res.body.ticket.id).toBe(issued.body.ticket.id);
    await request(strict.url, 'POST', `${OFFICE}/counters/3/finish`, { body: { outcome: 'done' }, cookie: cookies.petugas1! });
  });

  it('refuses close_service to a clerk and allows it to a supervisor', async () => {
    const before = await queueVersion(strict.url, cookies.admin!);
    const clerk = await request(strict.url, 'POST', `${OFFICE}/services/kia/close`, { body: { reason: 'blangko habis' }, cookie: cookies.petugas1! });
    expect(clerk.status).toBe(403);
    expectErrorShape(clerk.body, 'forbidden');
    expect(await queueVersion(strict.url, cookies.admin!)).toBe(before);
    const sup = await request(strict.url, 'POST', `${OFFICE}/services/kia/close`, { body: { reason: 'blangko habis' }, cookie: cookies.supervisor! });
    expect(sup.status).toBe(200);
    expect(await queueVersion(strict.url, cookies.admin!)).toBe(before + 1);
    const reopen = await request(strict.url, 'POST', `${OFFICE}/services/kia/reopen`, { body: {}, cookie: cookies.supervisor! });
    expect(reopen.status).toBe(200);
  });

  it('lets a kiosk issue but not call, and a display do neither', async () => {
    const kiosk = { authorization: `Bearer ${kioskToken}` };
    const display = { authorization: `Bearer ${displayToken}` };
    const issue = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' }, headers: kiosk });
    expect(issue.status).toBe(201);
    expect(issue.body.ticket.source).toBe('kiosk');
    const call = await request(strict.url, 'POST', `${OFFICE}/counters/4/call-next`, { body: {}, headers: kiosk });
    expect(call.status).toBe(403);
    expectErrorShape(call.body, 'forbidden');
    const dIssue = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' }, headers: display });
    expect(dIssue.status).toBe(403);
    expectErrorShape(dIssue.body, 'forbidden');
    const dCall = await request(strict.url, 'POST', `${OFFICE}/counters/4/call-next`, { body: {}, headers: display });
    expect(dCall.status).toBe(403);
    expectErrorShape(dCall.body, 'forbidden');
    // Both may read the queue of their office.
    expect((await request(strict.url, 'GET', `${OFFICE}/queue`, { headers: display })).status).toBe(200);
  });

  it('answers GET queue in the reader\'s own feed: a kiosk figures only, a TV tickets without pre-checks, staff everything', async () => {
    const precheck = { subcase: 'hilang', passed: true, missing: [] };
    const issued = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'ktp-el', precheck }, headers: { authorization: `Bearer ${kioskToken}` } });
    expect(issued.status).toBe(201);
    const id = issued.body.ticket.id as string;
    const asKiosk = await request(strict.url, 'GET', `${OFFICE}/queue`, { headers: { authorization: `Bearer ${kioskToken}` } });
    expect(asKiosk.status).toBe(200);
    expect(asKiosk.body.tickets).toEqual([]);
    expect(asKiosk.body.recentCalls).toEqual([]);
    expect(asKiosk.body.services.length).toBeGreaterThan(0);
    const asDisplay = await request(strict.url, 'GET', `${OFFICE}/queue`, { headers: { authorization: `Bearer ${displayToken}` } });
    expect(asDisplay.body.tickets.find((t: { id: string }) => t.id === id)).toMatchObject({ id, precheck: null });
    expect(JSON.stringify(asDisplay.body)).not.toContain('hilang');
    const asClerk = await request(strict.url, 'GET', `${OFFICE}/queue`, { cookie: cookies.petugas1! });
    expect(asClerk.body.tickets.find((t: { id: string }) => t.id === id)?.precheck).toEqual(precheck);
    await request(strict.url, 'POST', `${OFFICE}/tickets/${issued.body.ticket.number}/cancel`, { body: { reason: 'uji' }, cookie: cookies.supervisor! });
  });

  it('answers 401 unauthenticated to a client with no credentials (loopback trust off)', async () => {
    const before = await queueVersion(strict.url, cookies.admin!);
    for (const [method, p, body] of [
      ['POST', `${OFFICE}/tickets`, { service: 'informasi' }],
      ['POST', `${OFFICE}/counters/4/call-next`, {}],
      ['GET', `${OFFICE}/queue`, undefined],
    ] as const) {
      const res = await request(strict.url, method, p, body === undefined ? {} : { body });
      expect(res.status).toBe(401);
      expectErrorShape(res.body, 'unauthenticated');
    }
    expect(await queueVersion(strict.url, cookies.admin!)).toBe(before);
  });

  it('gives a clerk of padang-panjang 403 on kupang, and lets them work in their own office', async () => {
    const pp = cookies['petugas-pp1']!;
    const before = await queueVersion(strict.url, cookies.admin!);
    const issue = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' }, cookie: pp });
    expect(issue.status).toBe(403);
    expectErrorShape(issue.body, 'forbidden');
    const read = await request(strict.url, 'GET', `${OFFICE}/queue`, { cookie: pp });
    expect(read.status).toBe(403);
    expect(await queueVersion(strict.url, cookies.admin!)).toBe(before);
    const own = await request(strict.url, 'POST', '/api/v1/offices/padang-panjang/tickets', { body: { service: 'informasi' }, cookie: pp });
    expect(own.status).toBe(201);
  });

  it('lets a kiosk paired to kupang do nothing in padang-panjang', async () => {
    const res = await request(strict.url, 'POST', '/api/v1/offices/padang-panjang/tickets', { body: { service: 'informasi' }, headers: { authorization: `Bearer ${kioskToken}` } });
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 'forbidden');
  });

  it('accepts the device token as an X-Device-Token header too', async () => {
    const res = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' }, headers: { 'x-device-token': kioskToken } });
    expect(res.status).toBe(201);
  });

  it('does not accept a made-up bearer token', async () => {
    const res = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' }, headers: { authorization: 'Bearer not-a-real-token' } });
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 'unauthenticated');
  });
});

// ---------------------------------------------------------------------------
// Sockets

describe('sockets', () => {
  const open: Socket[] = [];
  const track = (s: Socket) => (open.push(s), s);
  afterAll(() => {
    for (const s of open) s.close();
  });

  it('refuses the counter namespace without a session cookie', async () => {
    expect(await connectOutcome(track(connect(strict.url, 'counter')))).toBe('unauthenticated');
    // Not even a loopback client of a trusting server is a counter.
    expect(await connectOutcome(track(connect(loop.url, 'counter')))).toBe('unauthenticated');
    // Nor a paired kiosk.
    expect(await connectOutcome(track(connect(strict.url, 'counter', 'kupang', { deviceToken: kioskToken })))).toBe('forbidden');
  });

  it('refuses an unpaired device in the kiosk namespace when loopback trust is off', async () => {
    expect(await connectOutcome(track(connect(strict.url, 'kiosk')))).toBe('device_not_paired');
  });

  it('accepts a loopback demo device in the kiosk namespace when loopback trust is on', async () => {
    const s = track(connect(loop.url, 'kiosk'));
    await waitFor(s, 'snapshot');
  });

  it('accepts a paired kiosk token in the kiosk namespace, and it may issue', async () => {
    const s = track(connect(strict.url, 'kiosk', 'kupang', { deviceToken: kioskToken }));
    const snap = await waitFor<any>(s, 'snapshot');
    expect(snap.officeId).toBe('kupang');
    const r = await emitAck<any>(s, 'issue', { service: 'informasi' });
    expect(r.ok).toBe(true);
    expect(r.data.ticket.source).toBe('kiosk');
  });

  it('refuses a display token in the kiosk namespace', async () => {
    expect(await connectOutcome(track(connect(strict.url, 'kiosk', 'kupang', { deviceToken: displayToken })))).toBe('forbidden');
  });

  it('refuses a kupang kiosk token for another office', async () => {
    expect(await connectOutcome(track(connect(strict.url, 'kiosk', 'padang-panjang', { deviceToken: kioskToken })))).toBe('forbidden');
  });

  it('refuses a clerk socket for another office', async () => {
    expect(await connectOutcome(track(connect(strict.url, 'counter', 'padang-panjang', { cookie: cookies.petugas1! })))).toBe('forbidden');
  });

  it('runs a clerk command over the counter socket and refuses a supervisor-only one', async () => {
    const s = track(connect(strict.url, 'counter', 'kupang', { cookie: cookies.petugas1! }));
    await waitFor(s, 'snapshot');
    const issued = await emitAck<any>(s, 'command', { type: 'issue', service: 'kia' });
    expect(issued.ok).toBe(true);
    expect(issued.data.ticket.source).toBe('counter');
    const called = await emitAck<any>(s, 'command', { type: 'call_next', counterId: '1' });
    expect(called.ok).toBe(true);
    expect(called.data.ticket.id).toBe(issued.data.ticket.id);
    const finished = await emitAck<any>(s, 'command', { type: 'finish', counterId: '1', outcome: 'done' });
    expect(finished.ok).toBe(true);

    const before = await queueVersion(strict.url, cookies.admin!);
    const closed = await emitAck<any>(s, 'command', { type: 'close_service', service: 'kia', reason: 'blangko habis' });
    expect(closed.ok).toBe(false);
    expect(closed.error.code).toBe('forbidden');
    expect(closed.error.message.id.length).toBeGreaterThan(0);
    expect(closed.error.message.en.length).toBeGreaterThan(0);
    expect(await queueVersion(strict.url, cookies.admin!)).toBe(before);
  });

  it('lets a supervisor socket close and reopen a service', async () => {
    const s = track(connect(strict.url, 'counter', 'kupang', { cookie: cookies.supervisor! }));
    await waitFor(s, 'snapshot');
    const closed = await emitAck<any>(s, 'command', { type: 'close_service', service: 'kia', reason: 'blangko habis' });
    expect(closed.ok).toBe(true);
    const reopened = await emitAck<any>(s, 'command', { type: 'reopen_service', service: 'kia' });
    expect(reopened.ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Every state change records its actor

describe('audit', () => {
  it("records a clerk's call_next with the clerk as actor, readable by a supervisor only", async () => {
    const issued = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'perubahan-data' }, cookie: cookies.petugas1! });
    expect(issued.status).toBe(201);
    const called = await request(strict.url, 'POST', `${OFFICE}/counters/3/call-next`, { body: {}, cookie: cookies.petugas1! });
    expect(called.status).toBe(200);
    const audit = await request(strict.url, 'GET', `${OFFICE}/audit`, { cookie: cookies.supervisor! });
    expect(audit.status).toBe(200);
    const entry = (audit.body.entries as any[]).find((e) => e.action === 'ticket_called' && e.ticketId === called.body.ticket.id);
    expect(entry).toBeDefined();
    expect(entry.actor.id).toBe('petugas1');
    expect(entry.actor.kind).toBe('user');
    const issuedEntry = (audit.body.entries as any[]).find((e) => e.action === 'ticket_issued' && e.ticketId === issued.body.ticket.id);
    expect(issuedEntry?.actor.id).toBe('petugas1');
    // A kiosk's ticket is recorded with the device as actor.
    const k = await request(strict.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' }, headers: { authorization: `Bearer ${kioskToken}` } });
    const audit2 = await request(strict.url, 'GET', `${OFFICE}/audit`, { cookie: cookies.admin! });
    const kEntry = (audit2.body.entries as any[]).find((e) => e.action === 'ticket_issued' && e.ticketId === k.body.ticket.id);
    expect(kEntry?.actor.kind).toBe('device');
    await request(strict.url, 'POST', `${OFFICE}/counters/3/finish`, { body: { outcome: 'done' }, cookie: cookies.petugas1! });

    const clerk = await request(strict.url, 'GET', `${OFFICE}/audit`, { cookie: cookies.petugas1! });
    expect(clerk.status).toBe(403);
    expectErrorShape(clerk.body, 'forbidden');
    const device = await request(strict.url, 'GET', `${OFFICE}/audit`, { headers: { authorization: `Bearer ${kioskToken}` } });
    expect(device.status).toBe(403);
  });
});

// ---------------------------------------------------------------------------
// Login and sessions

describe('login and sessions', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({ settings: { trustLoopbackDevices: false } });
  });
  afterAll(async () => srv?.close());

  it('refuses a wrong password with 401 invalid_credentials and sets no cookie', async () => {
    const res = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas3', password: 'salah-sekali' } });
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 'invalid_credentials');
    expect(res.headers.get('set-cookie')).toBeNull();
    const unknown = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'tidak-ada', password: DEMO_PASSWORD } });
    expect(unknown.status).toBe(401);
    expectErrorShape(unknown.body, 'invalid_credentials');
  });

  it('rate-limits a username after too many failures, even with the right password', async () => {
    const attempts = srv.giliran.settings.loginAttempts;
    expect(attempts).toBe(5);
    for (let i = 0; i < attempts; i++) {
      const res = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas4', password: `salah-${i}` } });
      expect(res.status).toBe(401);
    }
    const res = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas4', password: DEMO_PASSWORD } });
    expect(res.status).toBe(429);
    expectErrorShape(res.body, 'rate_limited');
    expect(res.headers.get('set-cookie')).toBeNull();
    // Another user from the same address is not locked out by it.
    expect((await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas2', password: DEMO_PASSWORD } })).status).toBe(200);
  });

  it('sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const res = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'petugas1', password: DEMO_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('petugas1');
    expect(res.body.user.passwordHash).toBeUndefined();
    const set = res.headers.get('set-cookie') ?? '';
    const attrs = set.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
    expect(attrs).toContain('path=/');
  });

  it('makes the cookie useless after logout', async () => {
    const cookie = await login(srv.url, 'petugas1');
    expect((await request(srv.url, 'GET', '/api/v1/session', { cookie })).status).toBe(200);
    const out = await request(srv.url, 'DELETE', '/api/v1/session', { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^giliran_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
    const who = await request(srv.url, 'GET', '/api/v1/session', { cookie });
    expect(who.status).toBe(401);
    expectErrorShape(who.body, 'unauthenticated');
    const call = await request(srv.url, 'POST', `${OFFICE}/counters/4/call-next`, { body: {}, cookie });
    expect(call.status).toBe(401);
    expect(await connectOutcome(connect(srv.url, 'counter', 'kupang', { cookie }))).toBe('unauthenticated');
  });

  it('ends the open counter sockets of a session at logout', async () => {
    const cookie = await login(srv.url, 'petugas2');
    const s = connect(srv.url, 'counter', 'kupang', { cookie });
    await waitFor(s, 'snapshot');
    const gone = waitFor(s, 'disconnect', 1500).then(
      () => true,
      () => false,
    );
    expect((await request(srv.url, 'DELETE', '/api/v1/session', { cookie })).status).toBe(204);
    if (!(await gone)) {
      // Still connected: at least its commands must now be refused.
      const r = await emitAck<any>(s, 'command', { type: 'issue', service: 'informasi' });
      s.close();
      expect(r.ok, 'a logged-out session still runs commands over its open socket').toBe(false);
      expect(r.error.code).toBe('unauthenticated');
    }
    s.close();
  });

  it('keeps sessions across a restart on the same data folder', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-auth-restart-'));
    try {
      const first = await startServer({ dataDir, settings: { trustLoopbackDevices: false } });
      const cookie = await login(first.url, 'supervisor');
      await first.close();
      const second = await startServer({ dataDir, settings: { trustLoopbackDevices: false } });
      try {
        const who = await request(second.url, 'GET', '/api/v1/session', { cookie });
        expect(who.status).toBe(200);
        expect(who.body.user.username).toBe('supervisor');
        expect((await request(second.url, 'GET', `${OFFICE}/queue`, { cookie })).status).toBe(200);
        expect((await request(second.url, 'GET', `${OFFICE}/audit`, { cookie })).status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------
// Ticket flood protection

describe('ticket rate limit per device', () => {
  let srv: TestServer;
  let admin: string;
  beforeAll(async () => {
    srv = await startServer({ settings: { ticketsPerDevicePerMinute: 5 } });
    srv.giliran.queue.stopTimers();
    admin = await login(srv.url, 'admin');
  });
  afterAll(async () => srv?.close());

  it('answers 429 rate_limited to the 6th ticket in a minute from one device and issues nothing', async () => {
    // The loopback demo device (no credentials, loopback trust on) is one kiosk.
    for (let i = 0; i < 5; i++) {
      const res = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const before = await request(srv.url, 'GET', `${OFFICE}/queue`, { cookie: admin });
    const sixth = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' } });
    expect(sixth.status).toBe(429);
    expectErrorShape(sixth.body, 'rate_limited');
    const after = await request(srv.url, 'GET', `${OFFICE}/queue`, { cookie: admin });
    expect(after.body.version).toBe(before.body.version);
    expect(after.body.tickets.length).toBe(before.body.tickets.length);
    // The same device over its socket is limited too.
    const s = connect(srv.url, 'kiosk');
    await waitFor(s, 'snapshot');
    const r = await emitAck<any>(s, 'issue', { service: 'informasi' });
    s.close();
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('rate_limited');
    expect((await request(srv.url, 'GET', `${OFFICE}/queue`, { cookie: admin })).body.version).toBe(before.body.version);
    // Another principal is not affected.
    expect((await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'informasi' }, cookie: admin })).status).toBe(201);
  });
});
