// One throwaway PostgreSQL server for the whole test run (test/helpers/postgres.ts);
// each test file that needs one makes its own database on it (test/helpers/pg-database.ts).
import type { TestProject } from 'vitest/node';
import { postgresBin, startPostgres, type Postgres } from './helpers/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test run's PostgreSQL server, or '' when none could be started outside CI. */
    postgresUrl: string;
  }
}

let pg: Postgres | null = null;

export async function setup(project: TestProject): Promise<void> {
  if (!postgresBin() && !process.env.CI) {
    console.warn('PostgreSQL is not installed: the PostgreSQL store tests are skipped (CI installs it).');
    project.provide('postgresUrl', '');
    return;
  }
  pg = await startPostgres();
  project.provide('postgresUrl', pg.url);
}

export async function teardown(): Promise<void> {
  await pg?.stop();
  pg = null;
}
