// Both stores hang the last working days' arrivals on today's day
// (server/domain/eta-history.ts, docs/eta.md "Past days"): real journal files
// in a temp dir, or a real PostgreSQL database, and a fresh store reading them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDays } from '../../server/domain/availability.ts';
import { officeDayOf } from '../../server/domain/time.ts';
import { demoSeed } from '../../server/seed/index.ts';
import { openLowdbStore } from '../../server/store/lowdb-store.ts';
import { openPgStore } from '../../server/store/pg-store.ts';
import type { Store } from '../../server/store/types.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';
import { Sim, kupang } from '../helpers/domain.ts';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});
const seed = async () => (await demoSeed('rahasia-demo-123', async () => 'scrypt$test')).data;

/** Opens a store on the same data each time (a restart). */
const stores: Array<[string, () => Promise<() => Promise<Store>>]> = [
  [
    'embedded',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'giliran-eta-history-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return async () => (await openLowdbStore({ dataDir: dir, seed })).store;
    },
  ],
];
if (postgresAvailable())
  stores.push([
    'postgres',
    async () => {
      const db = await freshDatabase('eta_history');
      cleanups.push(() => db.drop());
      return async () => (await openPgStore({ databaseUrl: db.url, seed })).store;
    },
  ]);

describe.each(stores)('past days in the %s store', (_name, make) => {
  it('gives today the profile of the days before it, and a past day none', async () => {
    const open = await make();
    const office = kupang();
    const today = officeDayOf(new Date(), office.timeZone);
    const a = await open();
    // Two past days, 3 and 5 tickets at 09:00 WITA (01:00 UTC).
    for (const [back, n] of [[1, 3], [3, 5]] as const) {
      const day = addDays(today, -back);
      const s = new Sim(office, { day, start: `${day}T01:00:00.000Z`, step: 10 });
      for (let i = 0; i < n; i++) s.issue('ktp-el');
      s.callNext('1');
      s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
      await a.queue.openDay(office, day);
      for (const c of s.commits) await a.queue.commit(office, day, c);
    }
    await a.close();
    const b = await open();
    const state = await b.queue.openDay(office, today);
    expect(state.arrivalProfile?.days).toBe(2);
    expect(state.arrivalProfile?.perService['ktp-el']?.[18]).toBe(4); // (3 + 5) ÷ 2 at 09:00–09:30
    expect(state.arrivalProfile?.serviceTimes['ktp-el']?.n).toBe(2);
    const past = await b.queue.openDay(office, addDays(today, -1));
    expect(past.arrivalProfile).toBeUndefined();
    await b.close();
  });
});
