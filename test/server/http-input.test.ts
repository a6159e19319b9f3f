// Bad input changes nothing: every malformed, mistyped, oversized or misdirected
// request gets its own error code in the one error shape, the server keeps
// serving, and not a byte of the data folder changes. Plus the security
// headers, the same-origin lock and the JSON 404 of unknown API paths.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../protocol/errors.ts';
import { connect, emitAck, login, request, startServer, waitFor, type JsonResponse, type TestServer } from '../helpers/server.ts';

const OFFICE = '/api/v1/offices/kupang';

let srv: TestServer;
let clerk: string;
let admin: string;

/** Every file under `dir`, recursively: relative path → sha256 of its content. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out[path.relative(dir, p)] = createHash('sha256').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

function expectError(res: JsonResponse, status: number, code: ErrorCode): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/application\/json/);
  expect(res.body?.error?.code).toBe(code);
  const msg = res.body.error.message;
  expect(typeof msg.id).toBe('string');
  expect(typeof msg.en).toBe('string');
  expect(msg.id.trim().length).toBeGreaterThan(0);
  expect(msg.en.trim().length).toBeGreaterThan(0);
}

async function queueVersion(): Promise<number> {
  return (await request(srv.url, 'GET', `${OFFICE}/queue`, { cookie: admin })).body.version as number;
}

/** Runs `bad`, then checks the server still answers and neither the data folder nor the queue changed. */
async function changesNothing(bad: () => Promise<void>): Promise<void> {
  const files = await fingerprint(srv.dataDir);
  const version = await queueVersion();
  await bad();
  expect((await request(srv.url, 'GET', '/healthz')).status).toBe(200);
  expect(await queueVersion()).toBe(version);
  expect(await fingerprint(srv.dataDir)).toEqual(files);
}

beforeAll(async () => {
  srv = await startServer();
  srv.giliran.queue.stopTimers();
  clerk = await login(srv.url, 'petugas1');
  admin = await login(srv.url, 'admin');
  // Open both office days now, so their journals exist before any fingerprint.
  for (const office of ['kupang', 'padang-panjang']) expect((await request(srv.url, 'GET', `/api/v1/offices/${office}/queue`, { cookie: admin })).status).toBe(200);
});
afterAll(async () => srv?.close());

describe('bad input over REST changes nothing', () => {
  const post = (p: string, opts: Parameters<typeof request>[3]) => request(srv.url, 'POST', p, { cookie: clerk, ...opts });

  it('malformed JSON → 400 invalid_json', async () => {
    await changesNothing(async () => {
      expectError(await post(`${OFFICE}/tickets`, { raw: '{"service": ' }), 400, 'invalid_json');
      expectError(await post(`${OFFICE}/counters/4/call-next`, { raw: '{' }), 400, 'invalid_json');
    });
  });

  it('an array body → 400 bad_request', async () => {
    await changesNothing(async () => {
      expectError(await post(`${OFFICE}/tickets`, { body: [{ service: 'kk' }] }), 400, 'bad_request');
      expectError(await post(`${OFFICE}/counters/4/call-next`, { body: [] }), 400, 'bad_request');
    });
  });

  it('a bare JSON string body → 400 invalid_json', async () => {
    await changesNothing(async () => {
      expectError(await post(`${OFFICE}/tickets`, { raw: '"kk"' }), 400, 'invalid_json');
      expectError(await post(`${OFFICE}/tickets`, { raw: '42' }), 400, 'invalid_json');
      expectError(await post(`${OFFICE}/tickets`, { raw: 'null' }), 400, 'invalid_json');
    });
  });

  it('a non-JSON body to the ticket endpoint → 400 bad_request', async () => {
    await changesNothing(async () => {
      expectError(await post(`${OFFICE}/tickets`, { raw: 'service=kk', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'bad_request');
    });
  });

  it('an unknown service → 404 service_not_found', async () => {
    await changesNothing(async () => {
      expectError(await post(`${OFFICE}/tickets`, { body: { service: 'paspor' } }), 404, 'service_not_found');
      expectError(await post(`${OFFICE}/tickets`, { body: { service: 'Z' } }), 404, 'service_not_found');
    });
  });

  it('wrong types → 400 bad_request naming the field', async () => {
    await changesNothing(async () => {
      const num = await post(`${OFFICE}/tickets`, { body: { service: 5 } });
      expectError(num, 400, 'bad_request');
      expect(num.body.error.details.map((d: { path: string }) => d.path)).toContain('service');
      const vip = await post(`${OFFICE}/tickets`, { body: { service: 'kk', priority: 'vip' } });
      expectError(vip, 400, 'bad_request');
      expect(vip.body.error.details.map((d: { path: string }) => d.path)).toContain('priority');
      expectError(await post(`${OFFICE}/tickets`, { body: {} }), 400, 'bad_request');
      expectError(await post(`${OFFICE}/counters/4/finish`, { body: { outcome: 'maybe' } }), 400, 'bad_request');
      expectError(await post(`${OFFICE}/counters/4/pause`, { body: { reason: 42 } }), 400, 'bad_request');
      expectError(await request(srv.url, 'PUT', `${OFFICE}/counters/4/settings`, { cookie: clerk, body: { services: 'kk', autoCallNext: 'yes' } }), 400, 'bad_request');
    });
  });

  it('an unknown extra field → 400 bad_request with details naming it', async () => {
    await changesNothing(async () => {
      const res = await post(`${OFFICE}/tickets`, { body: { service: 'kk', sneaky: true } });
      expectError(res, 400, 'bad_request');
      expect(Array.isArray(res.body.error.details)).toBe(true);
      expect(JSON.stringify(res.body.error.details)).toContain('sneaky');
      const counter = await post(`${OFFICE}/counters/4/call-next`, { body: { counterId: '1' } });
      expectError(counter, 400, 'bad_request');
      expect(JSON.stringify(counter.body.error.details)).toContain('counterId');
    });
  });

  it('a body over the limit → 413 payload_too_large', async () => {
    expect(srv.giliran.settings.bodyLimit).toBe('16kb');
    await changesNothing(async () => {
      const raw = JSON.stringify({ service: 'kk', pad: 'x'.repeat(17 * 1024) });
      expectError(await post(`${OFFICE}/tickets`, { raw }), 413, 'payload_too_large');
    });
  });

  it('a command on an unknown counter → 404 counter_not_found', async () => {
    await changesNothing(async () => {
      expectError(await post(`${OFFICE}/counters/99/call-next`, { body: {} }), 404, 'counter_not_found');
      expectError(await post(`${OFFICE}/counters/99/pause`, { body: { reason: 'break' } }), 404, 'counter_not_found');
      // Not even a valid id: refused by the schema.
      expectError(await post(`${OFFICE}/counters/${encodeURIComponent('../x')}/call-next`, { body: {} }), 400, 'bad_request');
    });
  });

  it('an unknown office → 404 office_not_found', async () => {
    await changesNothing(async () => {
      expectError(await post('/api/v1/offices/atlantis/tickets', { body: { service: 'kk' } }), 404, 'office_not_found');
      expectError(await post('/api/v1/offices/atlantis/counters/1/call-next', { body: {} }), 404, 'office_not_found');
      expectError(await request(srv.url, 'GET', '/api/v1/offices/atlantis/queue', { cookie: clerk }), 404, 'office_not_found');
      expectError(await request(srv.url, 'GET', '/api/v1/offices/atlantis'), 404, 'office_not_found');
    });
  });

  it('a bad ticket reference in call → 400 bad_request', async () => {
    await changesNothing(async () => {
      for (const ticket of ['hello', 'a001', 'A1', '../../etc/passwd', '']) {
        expectError(await post(`${OFFICE}/counters/4/call`, { body: { ticket, reason: 'dipanggil khusus' } }), 400, 'bad_request');
      }
      expectError(await post(`${OFFICE}/counters/4/call`, { body: { ticket: 'A001' } }), 400, 'bad_request');
      expectError(await post(`${OFFICE}/tickets/nope/cancel`, { body: { reason: 'x' } }), 400, 'bad_request');
    });
  });
});

describe('bad input over sockets changes nothing', () => {
  let counter: Socket;
  let kiosk: Socket;
  beforeAll(async () => {
    counter = connect(srv.url, 'counter', 'kupang', { cookie: clerk });
    kiosk = connect(srv.url, 'kiosk'); // loopback demo device
    await Promise.all([waitFor(counter, 'snapshot'), waitFor(kiosk, 'snapshot')]);
  });
  afterAll(() => {
    counter?.close();
    kiosk?.close();
  });

  it('answers a command of the wrong shape with bad_request', async () => {
    await changesNothing(async () => {
      const bad: unknown[] = [
        null,
        42,
        'call_next',
        [],
        { type: 'call_next' },
        { type: 'call_next', counterId: 4 },
        { type: 'call_next', counterId: '4', extra: 1 },
        { type: 'drop_table', counterId: '4' },
        { type: 'issue', service: 5 },
        { type: 'call_ticket', counterId: '4', ticket: 'nope', reason: 'x' },
        { type: 'close_service', service: 'kk' },
      ];
      for (const payload of bad) {
        const r = await emitAck<any>(counter, 'command', payload);
        expect(r.ok, JSON.stringify(payload)).toBe(false);
        expect(r.error.code).toBe('bad_request');
        expect(r.error.message.id.length).toBeGreaterThan(0);
        expect(r.error.message.en.length).toBeGreaterThan(0);
      }
      expect(counter.connected).toBe(true);
    });
  });

  it('answers a kiosk issue of the wrong shape with bad_request', async () => {
    await changesNothing(async () => {
      for (const payload of [null, 'kk', { service: 5 }, { service: 'kk', priority: 'vip' }, { service: 'kk', extra: true }, { service: '' }]) {
        const r = await emitAck<any>(kiosk, 'issue', payload);
        expect(r.ok, JSON.stringify(payload)).toBe(false);
        expect(r.error.code).toBe('bad_request');
        expect(r.error.message.id.length).toBeGreaterThan(0);
        expect(r.error.message.en.length).toBeGreaterThan(0);
      }
      const unknown = await emitAck<any>(kiosk, 'issue', { service: 'paspor' });
      expect(unknown.ok).toBe(false);
      expect(unknown.error.code).toBe('service_not_found');
      expect(kiosk.connected).toBe(true);
    });
  });

  it('survives an event without an acknowledgement callback and an unknown event', async () => {
    await changesNothing(async () => {
      counter.emit('command', { type: 'nope' });
      counter.emit('no-such-event', { a: 1 });
      kiosk.emit('issue', { service: 5 });
      // Still answering afterwards.
      const r = await emitAck<any>(counter, 'resync');
      expect(r.ok).toBe(true);
    });
  });
});

describe('security headers, origin and unknown paths', () => {
  function expectSecurityHeaders(res: JsonResponse): void {
    expect(res.headers.get('content-security-policy') ?? '').toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  }

  it('sends them on a page and on an API response', async () => {
    const page = await request(srv.url, 'GET', '/');
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    const api = await request(srv.url, 'GET', '/api/v1/offices');
    expect(api.status).toBe(200);
    expectSecurityHeaders(api);
    const err = await request(srv.url, 'GET', '/api/v1/nope');
    expectSecurityHeaders(err);
  });

  it('refuses a state change from another origin with 403 bad_origin, and changes nothing', async () => {
    await changesNothing(async () => {
      const evil = { origin: 'http://evil.example' };
      expectError(await request(srv.url, 'POST', `${OFFICE}/tickets`, { cookie: clerk, body: { service: 'kk' }, headers: evil }), 403, 'bad_origin');
      expectError(await request(srv.url, 'POST', `${OFFICE}/counters/4/call-next`, { cookie: clerk, body: {}, headers: evil }), 403, 'bad_origin');
      expectError(await request(srv.url, 'DELETE', '/api/v1/session', { cookie: clerk, headers: evil }), 403, 'bad_origin');
      expectError(await request(srv.url, 'POST', `${OFFICE}/tickets`, { cookie: clerk, body: { service: 'kk' }, headers: { origin: 'null' } }), 403, 'bad_origin');
    });
    // The session survived the refused logout.
    expect((await request(srv.url, 'GET', '/api/v1/session', { cookie: clerk })).status).toBe(200);
  });

  it('refuses a socket from another origin', async () => {
    const s = io(`${srv.url}/counter`, {
      auth: { office: 'kupang' },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { cookie: clerk, origin: 'http://evil.example' },
    });
    const code = await new Promise<string>((resolve) => {
      s.once('connect', () => resolve('connected'));
      s.once('connect_error', (e: Error & { data?: { code?: string } }) => resolve(e.data?.code ?? e.message));
    });
    s.close();
    expect(code).toBe('bad_origin');
  });

  it('accepts a state change from its own origin', async () => {
    const before = await fingerprint(srv.dataDir);
    const res = await request(srv.url, 'POST', `${OFFICE}/tickets`, { cookie: clerk, body: { service: 'kk' }, headers: { origin: srv.url } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // The fingerprint does see a real change (so "unchanged" above means something).
    const after = await fingerprint(srv.dataDir);
    const journal = Object.keys(before).find((f) => f.startsWith(path.join('offices', 'kupang', 'days')));
    expect(journal).toBeDefined();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['config.json', 'sessions.json']));
    expect(after[journal!]).not.toBe(before[journal!]);
  });

  it('answers an unknown /api path with a JSON 404 not_found', async () => {
    expectError(await request(srv.url, 'GET', '/api/v1/nope'), 404, 'not_found');
    expectError(await request(srv.url, 'POST', '/api/v2/offices', { cookie: clerk, body: {} }), 404, 'not_found');
    expectError(await request(srv.url, 'GET', '/api'), 404, 'not_found');
  });

  it('serves the OpenAPI document', async () => {
    const res = await request(srv.url, 'GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(typeof res.body.openapi).toBe('string');
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths).toBeTypeOf('object');
  });
});
