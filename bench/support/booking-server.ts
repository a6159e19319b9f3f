// An in-process Giliran for the booking benches: the real app (HTTP, the one
// writer, the journal in a temp folder) with a fixed clock (Monday 23
// November 2026, 09:00 WITA) and a small proof of work, so what is timed is
// the server's work on a hold, not the citizen's hashing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { solveChallenge } from 'altcha-lib/v1';
import { createGiliran, type Giliran } from '../../server/app.ts';
import { createLogger } from '../../server/log.ts';
import { loadSettings } from '../../server/settings.ts';
import { request } from './lib.ts';

export const BENCH_NOW = Date.parse('2026-11-23T01:00:00.000Z');
export const TUE_8 = '2026-11-24T00:00:00.000Z';
export const ANSWERS = { brought: { 'usia-17-atau-menikah': true, kk: true }, conditions: {} };

export interface BookingBenchServer {
  url: string;
  dataDir: string;
  giliran: Giliran;
  close(): Promise<void>;
}

export async function startBookingServer(dataDir?: string): Promise<BookingBenchServer> {
  const dir = dataDir ?? (await mkdtemp(path.join(tmpdir(), 'giliran-bench-booking-')));
  const settings = { ...loadSettings({ GILIRAN_DATA: dir, GILIRAN_DEMO_PASSWORD: 'bench-demo-password-123', HOST: '127.0.0.1', PORT: '0' }), logLevel: 'silent' as const, passwordCost: 12 };
  const giliran = await createGiliran({ settings, log: createLogger('silent'), now: () => new Date(BENCH_NOW), booking: { powMaxNumber: 40, holdsPerAddressPerMinute: 10_000_000, holdsPerNikPer10Minutes: 10_000_000 } });
  const url = await giliran.listen(0, '127.0.0.1');
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

/** A solved proof of work (the citizen's browser does this before the hold). */
export async function solvedPow(url: string): Promise<string> {
  const c = await request(url, 'POST', '/api/v1/offices/kupang/booking-challenge');
  const s = await solveChallenge(c.body.challenge, c.body.salt, c.body.algorithm, c.body.maxnumber).promise;
  if (!s) throw new Error('challenge not solved');
  return Buffer.from(JSON.stringify({ algorithm: c.body.algorithm, challenge: c.body.challenge, number: s.number, salt: c.body.salt, signature: c.body.signature })).toString('base64');
}

export const nikOf = (i: number) => `5371${String(10 + Math.floor(i / 9000)).padStart(2, '0')}050190${String((i % 9000) + 1).padStart(4, '0')}`;
