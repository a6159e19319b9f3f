// The office write lease of the PostgreSQL store (docs/central.md), on two
// stores sharing one database as two processes do: a hold reads what the
// previous holder committed; a holder that froze or lost its connection frees
// the lease without committing anything, and the other process goes on.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCommit } from '../../server/domain/state.ts';
import { openPgStore, type PgStore } from '../../server/store/pg-store.ts';
import { demoSeed } from '../../server/seed/index.ts';
import { kupang, Sim } from '../helpers/domain.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';

const seed = async () => (await demoSeed('rahasia-demo-123', async () => 'scrypt$test')).data;
/** A frozen holder's transaction is ended after this (production: 10 s). */
const IDLE_MS = 1_000;

describe.runIf(postgresAvailable())('the office write lease on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let a: PgStore;
  let b: PgStore;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await freshDatabase('lease');
    a = (await openPgStore({ databaseUrl: db.url, seed, leaseIdleMs: IDLE_MS })).store;
    b = (await openPgStore({ databaseUrl: db.url, seed, leaseIdleMs: IDLE_MS })).store;
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it('hands each holder the commits the one before made, 200 times across two stores, without a gap', async () => {
    const office = kupang();
    const day = '2026-12-01';
    const sim = new Sim(office, { day, start: '2026-12-01T01:00:00.000Z' });
    await a.queue.openDay(office, day);
    await b.queue.openDay(office, day);
    for (let i = 0; i < 200; i++) {
      const me = i % 2 ? b : a;
      const hold = await me.queue.enterWriter!(office.id, day);
      const state = await me.queue.openDay(office, day);
      // The other store committed the version before this one: it is in the hold's read, not yet in this copy.
      if (i > 0) expect(hold.commits?.map((c) => c.version)).toEqual([i]);
      for (const c of hold.commits ?? []) applyCommit(state, office, c);
      const c = sim.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk' });
      expect(c.version).toBe(state.version + 1);
      applyCommit(state, office, c);
      await hold.commit(office, day, c);
      hold.leave();
    }
    expect((await admin.query('SELECT count(*)::int AS n, max(version) AS v FROM commits WHERE office_day = $1', [day])).rows[0]).toEqual({ n: 200, v: 200 });
  });

  it('frees the lease of a holder that froze: PostgreSQL ends its transaction, the other store goes on, the frozen commit is refused', async () => {
    const office = kupang();
    const day = '2026-12-02';
    const sim = new Sim(office, { day, start: '2026-12-02T01:00:00.000Z' });
    await a.queue.openDay(office, day);
    await b.queue.openDay(office, day);
    const frozen = await a.queue.enterWriter!(office.id, day);
    const t0 = performance.now();
    const next = await b.queue.enterWriter!(office.id, day);
    const waited = performance.now() - t0;
    // Not before the idle timeout: the lease was really held.
    expect(waited).toBeGreaterThan(IDLE_MS * 0.9);
    const c = sim.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk' });
    await next.commit(office, day, c);
    next.leave();
    // The frozen holder wakes up and tries the same version: its transaction is gone, nothing is written.
    await expect(frozen.commit(office, day, c)).rejects.toThrow();
    frozen.leave();
    const rows = (await admin.query('SELECT version FROM commits WHERE office_day = $1', [day])).rows;
    expect(rows).toEqual([{ version: 1 }]);
  }, 20_000);

  it('frees the lease of a holder whose connection was cut, at once; its commit fails and the day is read again', async () => {
    const office = kupang();
    const day = '2026-12-03';
    const sim = new Sim(office, { day, start: '2026-12-03T01:00:00.000Z' });
    await a.queue.openDay(office, day);
    await b.queue.openDay(office, day);
    const cut = await a.queue.enterWriter!(office.id, day);
    // The holder's backend: its transaction waits idle, holding the office's advisory lock.
    const pids = (await admin.query<{ pid: number }>("SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows;
    expect(pids).toHaveLength(1);
    const t0 = performance.now();
    const next = b.queue.enterWriter!(office.id, day);
    await admin.query('SELECT pg_terminate_backend($1)', [pids[0]!.pid]);
    const hold = await next;
    expect(performance.now() - t0).toBeLessThan(IDLE_MS);
    const c = sim.ok({ type: 'issue', service: 'ktp-el', source: 'kiosk' });
    await expect(cut.commit(office, day, c)).rejects.toThrow();
    cut.leave();
    await hold.commit(office, day, c);
    hold.leave();
    expect((await admin.query('SELECT version FROM commits WHERE office_day = $1', [day])).rows).toEqual([{ version: 1 }]);
    // The store that lost its connection read the day again: it knows version 1 came from the other.
    const again = await a.queue.enterWriter!(office.id, day);
    const state = await a.queue.openDay(office, day);
    expect(state.version + (again.commits?.length ?? 0)).toBe(1);
    again.leave();
  }, 20_000);
});
