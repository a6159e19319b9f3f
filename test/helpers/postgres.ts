// A throwaway PostgreSQL server for the tests: initdb into a temp folder, a
// server on a free 127.0.0.1 port and a socket in that folder, stopped and
// deleted at the end. Runs as the `postgres` user when the tests run as root
// (initdb refuses root), as the current user otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface Postgres {
  /** postgres://… of the `postgres` database (an admin connection). */
  url: string;
  /** The URL of another database on the same server. */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

/** Creates database `name` through the admin connection `adminUrl`; `url` is how to reach it. drop() removes it, connections and all. */
export async function createDatabase(adminUrl: string, name: string, url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The newest installed server's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  for (const m of majors) if (existsSync(path.join(root, m, 'bin', 'initdb'))) return path.join(root, m, 'bin');
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql); scripts/test-all.sh installs it.');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'giliran-pg-'));
  const dataDir = path.join(dir, 'data');
  const owner = asRoot ? (spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()) : '';
  if (asRoot) {
    if (!owner) throw new Error('running as root but there is no `postgres` user to run the server as');
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    chownSync(dir, Number(owner), Number(gid));
  }
  chmodSync(dir, 0o700);
  const run = (cmd: string, args: string[]) => (asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' }));
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, 'giliran\n');
  if (asRoot) chownSync(pwfile, Number(owner), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
  const init = run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'giliran', '--pwfile', pwfile, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  // fsync stays on: the tests count on "acknowledged = committed", as production does.
  const args = ['-D', dataDir, '-k', dir, '-h', '127.0.0.1', '-p', String(port), '-c', 'max_connections=200', '-c', 'shared_buffers=32MB'];
  // The server is this process's own child (not under runuser, which does not pass SIGINT on:
  // stop() then waited for ever and CI ran out of time).
  const ids = asRoot ? { uid: Number(owner), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()) } : {};
  const child = spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...ids });
  let log = '';
  child.stderr?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = Date.now() + 30_000;
  for (;;) {
    const r = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
    if (r.status === 0) break;
    if (child.exitCode !== null) throw new Error(`postgres exited: ${log}`);
    if (Date.now() > ready) throw new Error(`postgres did not become ready in 30 s: ${log}`);
    await new Promise((r2) => setTimeout(r2, 100)); // polling a process that has no event to wait on
  }
  const urlOf = (db: string) => `postgres://giliran:giliran@127.0.0.1:${port}/${db}`;
  return {
    url: urlOf('postgres'),
    urlOf,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT'); // fast shutdown
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
