// A server killed with SIGKILL while citizens book restarts with every
// booking it acknowledged (copy of crash-recovery.test.ts for bookings).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { solveChallenge } from 'altcha-lib/v1';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOKING_PATHS } from '../../protocol/booking.ts';
import { startChild, writeSettings, type ChildServer } from '../helpers/child-server.ts';
import { until } from '../helpers/until.ts';

const KILLS = 5;
const ANSWERS = { brought: { 'usia-17-atau-menikah': true, kk: true }, conditions: {} };
let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function post(url: string, p: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function bookLoop(url: string, slots: string[], next: { i: number }, acked: Map<string, string>, stop: { stopped: boolean }): Promise<void> {
  while (!stop.stopped) {
    const i = next.i++;
    try {
      const c = await post(url, BOOKING_PATHS.challenge('kupang'), {});
      const s = await solveChallenge(c.body.challenge, c.body.salt, c.body.algorithm, c.body.maxnumber).promise;
      const altcha = Buffer.from(JSON.stringify({ algorithm: c.body.algorithm, challenge: c.body.challenge, number: s!.number, salt: c.body.salt, signature: c.body.signature })).toString('base64');
      const nik = `537101050190${String(i + 1).padStart(4, '0')}`;
      const r = await post(url, BOOKING_PATHS.hold('kupang'), { service: 'ktp-el', subcase: 'baru', slot: slots[i % slots.length], answers: ANSWERS, nik, name: `Warga ${i}`, altcha, confirm: true });
      if (r.status === 201) acked.set(r.body.booking.code, r.body.manageKey);
    } catch {
      return; // the server died under us
    }
  }
}

describe('booking crash recovery', () => {
  it(`keeps every acknowledged booking across ${KILLS} SIGKILLs`, async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'giliran-booking-crash-'));
    const env = {
      GILIRAN_DATA: path.join(dir, 'data'),
      GILIRAN_DEMO_PASSWORD: 'crash-test-pw',
      GILIRAN_CONFIG: await writeSettings(dir, { ticketsPerDevicePerMinute: 1_000_000 }),
      GILIRAN_BOOKING_POW_MAX: '30',
      GILIRAN_BOOKING_HOLDS_PER_MINUTE: '1000000',
    };
    const acked = new Map<string, string>();
    let server: ChildServer = await startChild(env);
    // Every slot with room in the window, whatever day the test runs.
    const listed = (await (await fetch(`${server.url}${BOOKING_PATHS.slots('kupang')}?service=ktp-el`)).json()) as { days: Array<{ slots: Array<{ start: string; left: number }> }> };
    const slots = listed.days.flatMap((d) => d.slots.filter((s) => s.left > 0).map((s) => s.start));
    expect(slots.length).toBeGreaterThan(10);
    const next = { i: 0 };
    for (let k = 0; k < KILLS; k++) {
      const stop = { stopped: false };
      const loops = Array.from({ length: 4 }, () => bookLoop(server.url, slots, next, acked, stop));
      const before = acked.size;
      await until(() => acked.size >= before + 4, 30_000);
      // Where the kill lands is the point of the test: random on purpose.
      await new Promise((r) => setTimeout(r, Math.random() * 250));
      await server.kill('SIGKILL');
      stop.stopped = true;
      await Promise.all(loops);
      server = await startChild(env);
      for (const [code, k2] of acked) {
        const got = await fetch(`${server.url}${BOOKING_PATHS.one('kupang', code)}?k=${k2}`);
        expect(got.status, `booking ${code} after kill ${k + 1}`).toBe(200);
        expect(((await got.json()) as { booking: { state: string } }).booking.state).toBe('confirmed');
      }
    }
    expect(acked.size).toBeGreaterThan(KILLS * 4);
    await server.kill('SIGTERM');
  }, 300_000);
});
