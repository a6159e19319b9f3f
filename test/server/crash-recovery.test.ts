// A server killed with SIGKILL at random instants under load restarts with
// every acknowledged ticket, and never gives a number twice: on the embedded
// store and on PostgreSQL (GILIRAN_DATABASE_URL).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild, writeSettings, type ChildServer } from '../helpers/child-server.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { until } from '../helpers/until.ts';

const KILLS = Number(process.env.GILIRAN_CRASH_KILLS ?? 20);
/** Fewer on PostgreSQL: each restart also runs the migrations check; the point (kill mid-commit) is the same. */
const PG_KILLS = Number(process.env.GILIRAN_CRASH_KILLS ?? 8);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function issueLoop(url: string, prefix: string, acked: Map<string, string>, stop: { stopped: boolean }): Promise<void> {
  let i = 0;
  while (!stop.stopped) {
    const key = `crash-${prefix}-${i++}`;
    try {
      const res = await fetch(`${url}/api/v1/offices/kupang/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service: i % 2 ? 'ktp-el' : 'kk', idempotencyKey: key }),
      });
      if (res.status === 201 || res.status === 200) {
        const body = (await res.json()) as { ticket: { id: string; number: string } };
        acked.set(body.ticket.id, key);
      }
    } catch {
      return; // the server died under us: whatever was not acknowledged may or may not exist
    }
  }
}

async function crashRun(kills: number, extraEnv: Record<string, string>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-crash-'));
  dirs.push(dir);
  const env = {
    GILIRAN_DATA: path.join(dir, 'data'),
    GILIRAN_DEMO_PASSWORD: 'crash-test-pw',
    GILIRAN_CONFIG: await writeSettings(dir, { ticketsPerDevicePerMinute: 1_000_000 }),
    ...extraEnv,
  };
  const acked = new Map<string, string>();
  let server: ChildServer = await startChild(env);
  for (let k = 0; k < kills; k++) {
    const stop = { stopped: false };
    const loops = Array.from({ length: 4 }, (_, c) => issueLoop(server.url, `k${k}c${c}`, acked, stop));
    // Under load (tickets are being acknowledged), then at a random instant: where the kill lands is the
    // point of the test, so this wait is random on purpose.
    const before = acked.size;
    await until(() => acked.size >= before + 4, 15_000);
    await new Promise((r) => setTimeout(r, Math.random() * 250));
    await server.kill('SIGKILL');
    stop.stopped = true;
    await Promise.all(loops);

    server = await startChild(env);
    const snap = (await (await fetch(`${server.url}/api/v1/offices/kupang/queue`)).json()) as { tickets: Array<{ id: string; number: string; seq: number }> };
    const present = new Set(snap.tickets.map((t) => t.id));
    const lost = [...acked.keys()].filter((id) => !present.has(id));
    expect(lost, `lost after kill ${k + 1}`).toEqual([]);
    // Numbers stay unique and gap-free per letter after the restart.
    for (const letter of ['A', 'B']) {
      const seqs = snap.tickets.filter((t) => t.number.startsWith(letter)).map((t) => t.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
  }
  // The next ticket continues after the highest number ever acknowledged.
  const maxA = Math.max(0, ...[...acked.keys()].filter((id) => id.includes('/A')).map((id) => Number(id.split('/A')[1])));
  const res = await fetch(`${server.url}/api/v1/offices/kupang/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service: 'ktp-el' }),
  });
  const next = (await res.json()) as { ticket: { seq: number } };
  expect(next.ticket.seq).toBeGreaterThan(maxA);
  expect(acked.size).toBeGreaterThan(kills); // the load really ran
  await server.kill('SIGTERM');
}

describe('crash recovery', () => {
  it(`keeps every acknowledged ticket across ${KILLS} SIGKILLs and never reuses a number`, async () => {
    await crashRun(KILLS, {});
  }, 300_000);

  it.runIf(postgresAvailable())(`keeps every acknowledged ticket across ${PG_KILLS} SIGKILLs on PostgreSQL and never reuses a number`, async () => {
    const db = await freshDatabase('crash');
    try {
      await crashRun(PG_KILLS, { GILIRAN_DATABASE_URL: db.url });
    } finally {
      await db.drop();
    }
  }, 300_000);
});
