// The secrets of a central deployment live in PostgreSQL: processes starting
// at the same instant all end up with one holder key and one VAPID pair, and
// a name ensured by one process is the value every other process reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore, type PgStore } from '../../server/store/pg-store.ts';
import { loadPgSecrets } from '../../server/store/secrets.ts';
import { loadSharedVapidKeys } from '../../server/notify/vapid.ts';
import { demoSeed } from '../../server/seed/index.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';

const seed = async () => (await demoSeed('rahasia-demo-123', async () => 'scrypt$test')).data;

describe.runIf(postgresAvailable())('secrets on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const stores: PgStore[] = [];
  beforeAll(async () => {
    db = await freshDatabase('secrets');
    // Four processes' stores opened together on an empty database: the race for the first write is real.
    stores.push(...(await Promise.all(Array.from({ length: 4 }, async () => (await openPgStore({ databaseUrl: db.url, seed })).store))));
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await db?.drop();
  });

  it('gives processes starting together one holder key, one VAPID pair and one value per ensured name', async () => {
    const all = await Promise.all(stores.map((s) => loadPgSecrets(s.pool)));
    const keys = new Set(all.map((s) => s.holderKey.toString('hex')));
    expect(keys.size).toBe(1);
    expect(all[0]!.holderKey.length).toBe(32);
    for (const name of ['nik-hash', 'notify-contact']) expect(new Set(all.map((s) => s.secret(name).toString('hex'))).size).toBe(1);

    const vapid = await Promise.all(all.map((s) => loadSharedVapidKeys(s.ensureValue!)));
    expect(new Set(vapid.map((v) => `${v.publicKey}.${v.privateKey}`)).size).toBe(1);
    expect(vapid[0]!.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);

    const ensured = await Promise.all(all.map((s) => s.ensure('receipt-hmac')));
    expect(new Set(ensured.map((b) => b.toString('hex'))).size).toBe(1);
    // A later start reads the same values, and secret() answers the ensured name at once.
    const later = await loadPgSecrets(stores[0]!.pool);
    expect(later.holderKey.equals(all[3]!.holderKey)).toBe(true);
    expect(later.secret('receipt-hmac').equals(ensured[0]!)).toBe(true);
    expect(() => later.secret('never-made')).toThrow(/does not exist/);
    await expect(later.ensure('Bad Name')).rejects.toThrow(/bad secret name/);
  });
});
