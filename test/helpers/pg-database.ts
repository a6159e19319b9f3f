// A fresh database on the test run's PostgreSQL server (test/global-setup.ts),
// dropped when the file's tests end.
import { inject } from 'vitest';
import { createDatabase } from './postgres.ts';

export const postgresAvailable = (): boolean => inject('postgresUrl') !== '';

export async function freshDatabase(prefix = 'giliran'): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = inject('postgresUrl');
  if (!admin) throw new Error('no PostgreSQL server in this test run');
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  return createDatabase(admin, name, admin.replace(/\/postgres$/, `/${name}`));
}
