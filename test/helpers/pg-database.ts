// A fresh database on the test run's PostgreSQL server (test/global-setup.ts),
// dropped when the file's tests end.
import pg from 'pg';
import { inject } from 'vitest';

export const postgresAvailable = (): boolean => inject('postgresUrl') !== '';

export async function freshDatabase(prefix = 'giliran'): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('postgresUrl');
  if (!admin) throw new Error('no PostgreSQL server in this test run');
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = admin.replace(/\/postgres$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
