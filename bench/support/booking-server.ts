// The booking benches' servers. `startBookingServer` runs the real app in the
// bench's own process (for seeding and tests of the bench itself);
// `spawnBookingServer` runs it in a child process of its own, as production
// does (the load generator must not share its event loop), and
// `spawnHttpEcho` a bare node:http server in another child as the same-run
// baseline. Both servers run with production's node flags
// (scripts/run-server.sh) and, with BENCH_CPU_PROF=<dir>, write a CPU profile.
// The app has a fixed clock (Monday 23 November 2026, 09:00 WITA) and a
// small proof of work, so what is timed is the server's work on a request,
// not the citizen's hashing.
//   tsx bench/support/booking-server.ts            (child: the app; env BENCH_BOOKING_DATA, BENCH_BOOKING_PLACES)
//   tsx bench/support/booking-server.ts --echo     (child: the bare echo; env BENCH_ECHO_BODY_FILE for GET)
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { solveChallenge } from 'altcha-lib/v1';
import { createGiliran, type Giliran } from '../../server/app.ts';
import { createLogger } from '../../server/log.ts';
import { loadSettings } from '../../server/settings.ts';
import { productionNodeFlags, profFlags, request, spawnScript, type Child } from './lib.ts';

export const BENCH_NOW = Date.parse('2026-11-23T01:00:00.000Z');
export const TUE_8 = '2026-11-24T00:00:00.000Z';
export const ANSWERS = { brought: { 'usia-17-atau-menikah': true, kk: true }, conditions: {} };

export interface BookingBenchServer {
  url: string;
  dataDir: string;
  giliran: Giliran;
  close(): Promise<void>;
}

export async function startBookingServer(dataDir?: string, port = 0): Promise<BookingBenchServer> {
  const dir = dataDir ?? (await mkdtemp(path.join(tmpdir(), 'giliran-bench-booking-')));
  const settings = { ...loadSettings({ GILIRAN_DATA: dir, GILIRAN_DEMO_PASSWORD: 'bench-demo-password-123', HOST: '127.0.0.1', PORT: '0' }), logLevel: 'silent' as const, passwordCost: 12 };
  const giliran = await createGiliran({ settings, log: createLogger('silent'), now: () => new Date(BENCH_NOW), booking: { powMaxNumber: 40, holdsPerAddressPerMinute: 10_000_000, holdsPerNikPer10Minutes: 10_000_000 } });
  const url = await giliran.listen(port, '127.0.0.1');
  return {
    url,
    dataDir: dir,
    giliran,
    async close() {
      await giliran.close();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function setPlaces(g: Giliran, places: number): Promise<void> {
  await g.store.config.update((d) => {
    const o = d.offices.find((x) => x.id === 'kupang')!;
    o.services = o.services.map((s) => (s.booking ? { ...s, booking: { ...s.booking, places } } : s));
  });
}

const SELF = fileURLToPath(import.meta.url);

/** The app in a child process of its own on `dataDir` (seeded on first start), with `places` per slot when given. */
export function spawnBookingServer(dataDir: string, opts: { places?: number; label?: string } = {}): Promise<Child> {
  return spawnScript(SELF, {
    label: opts.label ?? 'booking-server',
    nodeArgs: [...productionNodeFlags(), ...profFlags(opts.label ?? 'booking-server')],
    env: { BENCH_BOOKING_DATA: dataDir, ...(opts.places !== undefined ? { BENCH_BOOKING_PLACES: String(opts.places) } : {}) },
  });
}

/** A bare node:http server in a child process: POST answers 201 with the body it got, GET answers 200 with `getBody`. */
export function spawnHttpEcho(getBodyFile?: string): Promise<Child> {
  return spawnScript(SELF, { label: 'http-echo', args: ['--echo'], nodeArgs: [...productionNodeFlags(), ...profFlags('http-echo')], env: getBodyFile ? { BENCH_ECHO_BODY_FILE: getBodyFile } : {} });
}

// ---------------------------------------------------------------- the client

/** Keep-alive connections for one client's sequential requests; every citizen of a rush opens its own (agent: false). */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * One request with node:http (lighter than fetch, the same for the app and
 * the echo): status and body text, and the ms from the call to the last byte.
 */
export function timedRequest(url: string, method: 'GET' | 'POST', p: string, body?: string, agent: Agent | false = false): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const u = new URL(p, url);
    const req = httpRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers: body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A solved proof of work (the citizen's browser does this before the hold). */
export async function solvedPow(url: string): Promise<string> {
  const c = await request(url, 'POST', '/api/v1/offices/kupang/booking-challenge');
  const s = await solveChallenge(c.body.challenge, c.body.salt, c.body.algorithm, c.body.maxnumber).promise;
  if (!s) throw new Error('challenge not solved');
  return Buffer.from(JSON.stringify({ algorithm: c.body.algorithm, challenge: c.body.challenge, number: s.number, salt: c.body.salt, signature: c.body.signature })).toString('base64');
}

export const nikOf = (i: number) => `5371${String(10 + Math.floor(i / 9000)).padStart(2, '0')}050190${String((i % 9000) + 1).padStart(4, '0')}`;

// ---------------------------------------------------------------- child mode

async function childMain(): Promise<void> {
  if (process.argv.includes('--echo')) {
    const getBody = process.env.BENCH_ECHO_BODY_FILE ? readFileSync(process.env.BENCH_ECHO_BODY_FILE) : Buffer.from('{}');
    const http = createServer((req, res) => {
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(getBody);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' }).end(Buffer.concat(chunks)));
    });
    http.listen(0, '127.0.0.1', () => console.log(`Echo http://127.0.0.1:${(http.address() as AddressInfo).port}/`));
    process.on('SIGTERM', () => http.close(() => process.exit(0)));
    return;
  }
  const dir = process.env.BENCH_BOOKING_DATA;
  if (!dir) throw new Error('BENCH_BOOKING_DATA is not set');
  const srv = await startBookingServer(dir);
  if (process.env.BENCH_BOOKING_PLACES) await setPlaces(srv.giliran, Number(process.env.BENCH_BOOKING_PLACES));
  console.log(`Booking bench server ${srv.url}/`);
  process.on('SIGTERM', () => void srv.close().then(() => process.exit(0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) void childMain();
