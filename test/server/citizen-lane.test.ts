// The citizens' lane (server/http/citizen-lane.ts) answers a booking rush's
// challenge, hold and confirm without Express's router. It must answer
// exactly as Express does: two servers on the same clock, one with the lane
// and one without, get the same requests — good ones, and every kind of bad
// one a middleware or handler refuses — and must give the same status, the
// same headers (but Date) and the same body (but the random code and keys).
// The lane's own count shows it was taken; a request with a session cookie is
// left to Express.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { solveChallenge } from 'altcha-lib/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKING_PATHS } from '../../protocol/booking.ts';
import { sendErrorOf, sendJson } from '../../server/http/errors.ts';
import { jsonBody } from '../../server/http/json-body.ts';
import { createLogger } from '../../server/log.ts';
import { login, startServer, type TestServer } from '../helpers/server.ts';

const START = Date.parse('2026-11-23T01:00:00.000Z');
const TUE_8 = '2026-11-24T00:00:00.000Z';
const TUE_9 = '2026-11-24T01:00:00.000Z';
const ANSWERS = { brought: { 'usia-17-atau-menikah': true, kk: true }, conditions: {} };
const OPTS = { powMaxNumber: 40, holdsPerAddressPerMinute: 1_000_000, holdsPerNikPer10Minutes: 1_000_000 };
const HOLD = BOOKING_PATHS.hold('kupang');
const nik = (i: number) => `537101050190${String(i + 1).padStart(4, '0')}`;

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** POSTs sent to each server (all of them to the lane's routes in the first test). */
const posts = new Map<string, number>();

async function send(base: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  if (method === 'POST') posts.set(base, (posts.get(base) ?? 0) + 1);
  const res = await fetch(base + path, { method, headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body) });
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'date') out[k] = v;
  });
  return { status: res.status, headers: out, text: await res.text() };
}

async function solved(base: string): Promise<string> {
  const c = JSON.parse((await send(base, 'POST', BOOKING_PATHS.challenge('kupang'), '{}')).text);
  const s = await solveChallenge(c.challenge, c.salt, c.algorithm, c.maxnumber).promise;
  if (!s) throw new Error('challenge not solved');
  return Buffer.from(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: s.number, salt: c.salt, signature: c.signature })).toString('base64');
}

const holdBody = (i: number, altcha: string, over: Record<string, unknown> = {}) => JSON.stringify({ service: 'ktp-el', subcase: 'baru', slot: TUE_8, answers: ANSWERS, nik: nik(i), name: `Warga ${i}`, altcha, ...over });

/** A success body with its random parts (code, keys, the URLs that carry them, the challenge's salt and numbers) named, not valued. */
function shapeOf(text: string): unknown {
  return JSON.parse(text, (k, v) => (['code', 'qrPayload', 'manageKey', 'manageUrl', 'icsUrl', 'qrUrl', 'challenge', 'salt', 'signature'].includes(k) && typeof v === 'string' ? `<${k}:${v.length}>` : v));
}

describe("the citizens' lane answers as Express does", () => {
  let lane: TestServer;
  let plain: TestServer;
  const clock = START;
  beforeAll(async () => {
    const opts = { now: () => new Date(clock), booking: OPTS, settings: { trustLoopbackDevices: false } };
    [lane, plain] = await Promise.all([startServer({ ...opts, citizenLane: true }), startServer({ ...opts, citizenLane: false })]);
    for (const srv of [lane, plain]) {
      await srv.giliran.store.config.update((d) => {
        const o = d.offices.find((x) => x.id === 'kupang')!;
        o.services = o.services.map((s) => (s.id === 'ktp-el' ? { ...s, booking: { enabled: true, places: 2, serviceMinutes: 15 } } : s));
      });
    }
  });
  afterAll(async () => {
    await Promise.all([lane?.close(), plain?.close()]);
  });

  /** Sends what `make` builds for each server (its own proof of work) to both; returns both answers. */
  async function both(make: (base: string) => Promise<[string, string, (string | Buffer)?, Record<string, string>?]>): Promise<[Answer, Answer]> {
    const [a, b] = await Promise.all([lane, plain].map(async (srv) => {
      const [method, path, body, headers] = await make(srv.url);
      return send(srv.url, method, path, body, headers);
    }));
    return [a!, b!];
  }

  function same([a, b]: [Answer, Answer], exact = true): Answer {
    expect(a.status).toBe(b.status);
    if (exact) {
      expect(a.headers).toEqual(b.headers);
      expect(a.text).toBe(b.text);
    } else {
      const { 'content-length': _la, ...ha } = a.headers;
      const { 'content-length': _lb, ...hb } = b.headers;
      expect(ha).toEqual(hb);
      expect(shapeOf(a.text)).toEqual(shapeOf(b.text));
    }
    return a;
  }

  it('gives the same answers to good and bad requests, through the lane', async () => {
    const before = lane.giliran.citizenLaneAnswered;
    posts.clear();
    // The challenge.
    const ch = same(await both(async () => ['POST', BOOKING_PATHS.challenge('kupang'), '{}']), false);
    expect(ch.status).toBe(200);
    expect(ch.headers['content-security-policy']).toContain("default-src 'self'");
    expect(ch.headers['cache-control']).toBe('no-store');
    expect(ch.headers).not.toHaveProperty('etag');

    // A hold, and its confirm.
    const held = await Promise.all([lane, plain].map(async (srv) => send(srv.url, 'POST', HOLD, holdBody(1, await solved(srv.url)))));
    const h = same([held[0]!, held[1]!], false);
    expect(h.status).toBe(201);
    const made = held.map((x) => JSON.parse(x.text) as { booking: { code: string; state: string }; manageKey: string });
    expect(made[0]!.booking.state).toBe('held');
    const confirmed = await Promise.all([lane, plain].map((srv, i) => send(srv.url, 'POST', BOOKING_PATHS.confirm('kupang', made[i]!.booking.code), JSON.stringify({ k: made[i]!.manageKey }))));
    const c = same([confirmed[0]!, confirmed[1]!], false);
    expect(c.status).toBe(200);
    expect(JSON.parse(c.text).booking.state).toBe('confirmed');
    // Confirmed again: unchanged, the same answer.
    const again = await Promise.all([lane, plain].map((srv, i) => send(srv.url, 'POST', BOOKING_PATHS.confirm('kupang', made[i]!.booking.code), JSON.stringify({ k: made[i]!.manageKey }))));
    expect(JSON.parse(same([again[0]!, again[1]!], false).text).booking.state).toBe('confirmed');

    // Refusals, each its own code, byte for byte the same.
    const cases: Array<[string, (base: string) => Promise<[string, string, (string | Buffer)?, Record<string, string>?]>, number, string]> = [
      ['broken JSON', async () => ['POST', HOLD, '{"service":'], 400, 'invalid_json'],
      ['a body over the limit', async () => ['POST', HOLD, JSON.stringify({ pad: 'x'.repeat(20_000) })], 413, 'payload_too_large'],
      ['another site', async (u) => ['POST', HOLD, holdBody(2, await solved(u)), { origin: 'http://evil.example' }], 403, 'bad_origin'],
      ['not JSON', async () => ['POST', HOLD, 'service=ktp-el', { 'content-type': 'text/plain' }], 400, 'bad_request'],
      ['a charset the parser refuses', async () => ['POST', HOLD, '{}', { 'content-type': 'application/json; charset=latin1' }], 400, 'bad_request'],
      ['fields missing', async () => ['POST', HOLD, JSON.stringify({ service: 'ktp-el' })], 400, 'bad_request'],
      ['an unknown office', async (u) => ['POST', BOOKING_PATHS.hold('nowhere'), holdBody(3, await solved(u))], 404, 'office_not_found'],
      ['a NIK that fails', async (u) => ['POST', HOLD, holdBody(4, await solved(u), { nik: '3201019999990001' })], 400, 'nik_invalid'],
      ['a forged proof of work', async () => ['POST', HOLD, holdBody(5, Buffer.from('{"algorithm":"SHA-256"}').toString('base64'))], 400, 'pow_invalid'],
      ['a slot that does not exist', async (u) => ['POST', HOLD, holdBody(6, await solved(u), { slot: '2026-11-24T00:07:00.000Z' })], 404, 'booking_slot_not_found'],
      // Each server's code with the other's key: well formed, not its own.
      ['a forged manage key', async (u) => { const [mine, other] = u === lane.url ? [made[0]!, made[1]!] : [made[1]!, made[0]!]; return ['POST', BOOKING_PATHS.confirm('kupang', mine.booking.code), JSON.stringify({ k: other.manageKey })]; }, 403, 'manage_key_invalid'],
      ['a malformed manage key', async () => ['POST', BOOKING_PATHS.confirm('kupang', 'ABCDEFGH'), JSON.stringify({ k: '!' })], 400, 'bad_request'],
      ['a byte-order mark before the JSON', async () => ['POST', HOLD, `\ufeff${JSON.stringify({ service: 'ktp-el' })}`], 400, 'bad_request'],
      ['JSON that is not an object', async () => ['POST', HOLD, '42'], 400, 'invalid_json'],
      ['only spaces', async () => ['POST', HOLD, '   '], 400, 'invalid_json'],
      ['an array', async () => ['POST', HOLD, '[1,2]'], 400, 'bad_request'],
      ['the charset in capitals', async () => ['POST', HOLD, JSON.stringify({ service: 'ktp-el' }), { 'content-type': 'application/json; charset=UTF-8' }], 400, 'bad_request'],
      ['an empty body', async () => ['POST', HOLD, ''], 400, 'bad_request'],
      ['a gzipped body (the parser inflates it)', async () => ['POST', HOLD, gzipSync(JSON.stringify({ service: 'ktp-el' })), { 'content-encoding': 'gzip' }], 400, 'bad_request'],
    ];
    for (const [what, make, status, code] of cases) {
      const a = same(await both(make));
      expect([what, a.status, JSON.parse(a.text).error.code]).toEqual([what, status, code]);
      expect(JSON.parse(a.text).error.message.id.length, what).toBeGreaterThan(5);
    }

    // The path as Express matches it: any case, a trailing slash.
    const loose = same(await both(async () => ['POST', '/API/v1/Offices/kupang/BOOKINGS/', '{"service":'])); 
    expect(JSON.parse(loose.text).error.code).toBe('invalid_json');

    // A full slot: the second place goes, then the third hold is refused with the same answer.
    const second = await Promise.all([lane, plain].map(async (srv) => send(srv.url, 'POST', HOLD, holdBody(7, await solved(srv.url), { confirm: true }))));
    expect(same([second[0]!, second[1]!], false).status).toBe(201);
    const full = same(await both(async (u) => ['POST', HOLD, holdBody(8, await solved(u))]));
    expect(JSON.parse(full.text).error.code).toBe('booking_slot_full');
    // A proof of work used twice.
    const reused = await Promise.all([lane, plain].map(async (srv) => {
      const pow = await solved(srv.url);
      await send(srv.url, 'POST', HOLD, holdBody(9, pow, { slot: TUE_9 }));
      return send(srv.url, 'POST', HOLD, holdBody(10, pow, { slot: TUE_9 }));
    }));
    expect(JSON.parse(same([reused[0]!, reused[1]!]).text).error.code).toBe('pow_reused');

    // The lane answered every one of these POSTs (the challenges of `solved` too): all went to its three routes.
    expect(posts.get(lane.url)).toBeGreaterThan(25);
    expect(lane.giliran.citizenLaneAnswered - before).toBe(posts.get(lane.url));
    expect(plain.giliran.citizenLaneAnswered).toBe(0);
  });

  it('leaves a request with a session, and every other route, to Express', async () => {
    const cookie = await login(lane.url, 'admin');
    const before = lane.giliran.citizenLaneAnswered;
    const r = await send(lane.url, 'POST', HOLD, '{"service":', { cookie });
    expect(JSON.parse(r.text).error.code).toBe('invalid_json');
    await send(lane.url, 'GET', `${BOOKING_PATHS.slots('kupang')}?service=ktp-el&from=2026-11-24&to=2026-11-24`);
    await send(lane.url, 'POST', '/api/v1/nothing', '{}');
    expect(lane.giliran.citizenLaneAnswered).toBe(before);
  });
});

describe('jsonBody reads what express.json reads', () => {
  // Two bare servers: each parses with one of them and answers the body it got, or the error's answer.
  const servers: Server[] = [];
  const urls: string[] = [];
  beforeAll(async () => {
    const log = createLogger('silent');
    for (const parse of [express.json({ limit: '16kb', strict: true }) as unknown as ReturnType<typeof jsonBody>, jsonBody('16kb')]) {
      const srv = createServer((req, res) =>
        parse(req, res, (err) => {
          if (err) return sendErrorOf(log, err, res);
          sendJson(res, 200, { body: (req as { body?: unknown }).body ?? null });
        }),
      );
      await new Promise<void>((done) => srv.listen(0, '127.0.0.1', done));
      servers.push(srv);
      urls.push(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('gives the same body or error for every kind of body', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(16_384 - 11) });
    const cases: Array<[string, string | Buffer, Record<string, string>]> = [
      ['an object', '{"a":1,"b":[true,null,"ü"]}', {}],
      ['an array', '[1,2]', {}],
      ['spaces around', ' \n\t{"a":1} \n', {}],
      ['a byte-order mark', '\ufeff{"a":1}', {}],
      ['a number (strict)', '42', {}],
      ['a string (strict)', '"x"', {}],
      ['only spaces', '   ', {}],
      ['broken', '{"a":', {}],
      ['empty', '', {}],
      ['exactly the limit', big, {}],
      ['one byte over', `${big} `, {}],
      ['charset utf-8', '{"a":1}', { 'content-type': 'application/json; charset=utf-8' }],
      ['charset UTF-8', '{"a":1}', { 'content-type': 'application/json; charset=UTF-8' }],
      ['charset latin1', '{"a":1}', { 'content-type': 'application/json; charset=latin1' }],
      ['another type', '{"a":1}', { 'content-type': 'text/plain' }],
      ['a +json type', '{"a":1}', { 'content-type': 'application/vnd.api+json' }],
      ['gzip', gzipSync('{"a":1}'), { 'content-encoding': 'gzip' }],
      ['an unknown encoding', '{"a":1}', { 'content-encoding': 'zz' }],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), {}],
    ];
    for (const [what, body, headers] of cases) {
      const answers = await Promise.all(urls.map((u) => send(u, 'POST', '/', body, headers)));
      expect([what, answers[1]!.status, answers[1]!.text]).toEqual([what, answers[0]!.status, answers[0]!.text]);
    }
    // After a parser with another limit (the admin's, app.ts): the body it read is kept, the stream not waited on.
    const first = express.json({ limit: '1mb', strict: true }) as unknown as ReturnType<typeof jsonBody>;
    const then = jsonBody('16kb');
    const chained = createServer((req, res) => first(req, res, (e1) => (e1 ? sendErrorOf(createLogger('silent'), e1, res) : then(req, res, (e2) => (e2 ? sendErrorOf(createLogger('silent'), e2, res) : sendJson(res, 200, { body: (req as { body?: unknown }).body ?? null }))))));
    await new Promise<void>((done) => chained.listen(0, '127.0.0.1', done));
    try {
      const big = JSON.stringify({ pad: 'y'.repeat(40_000) });
      const r = await send(`http://127.0.0.1:${(chained.address() as AddressInfo).port}`, 'POST', '/', big);
      expect([r.status, r.text.length]).toEqual([200, big.length + 9]);
    } finally {
      await new Promise((done) => chained.close(done));
    }
    // Chunked (no length): express.json reads it.
    const chunked = await Promise.all(urls.map((u) => fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Blob(['{"a":', '2}']).stream(), duplex: 'half' } as RequestInit).then(async (r) => [r.status, await r.text()])));
    expect(chunked[1]).toEqual(chunked[0]);
    expect(chunked[0]).toEqual([200, '{"body":{"a":2}}']);
  });
});
