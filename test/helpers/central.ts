// Central deployments for the tests: several server processes (server/main.ts
// children) on one PostgreSQL database, or `server/central.ts` (the cluster
// `npm run central` starts) with its workers on one port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChild, writeSettings, type ChildServer } from './child-server.ts';
import { DEMO_PASSWORD } from './server.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The environment of a central process: the database, a data folder, the demo password, no rate limit on issuing. */
export async function centralEnv(databaseUrl: string): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-central-'));
  const env = {
    GILIRAN_DATABASE_URL: databaseUrl,
    GILIRAN_DATA: path.join(dir, 'data'),
    GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD,
    GILIRAN_CONFIG: await writeSettings(dir, { ticketsPerDevicePerMinute: 1_000_000, passwordCost: 12 }),
  };
  return { env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `n` processes started together on one database (they race for the migrations and the seed). */
export function startProcesses(n: number, env: Record<string, string>): Promise<ChildServer[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startChild({ ...env, GILIRAN_PROCESS_ID: `p${i + 1}` })));
}

/** Kupang's four demo counters with their clerks, alternating between two processes (counters 1 and 3 on `a`, 2 and 4 on `b`). */
export function countersOnTwo<S>(a: S, b: S): { srv: S; id: string; user: string }[] {
  return ['1', '2', '3', '4'].map((id, i) => ({ srv: i % 2 ? b : a, id, user: `petugas${id}` }));
}

export interface Cluster {
  url: string;
  proc: ChildProcess;
  readonly stdout: string;
  /** Pids of the workers alive now. */
  workers(): number[];
  stop(): Promise<void>;
}

/** server/central.ts with `processes` workers on one ephemeral port; resolves once every worker listens. */
export function startCluster(processes: number, env: Record<string, string>): Promise<Cluster> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'central.ts')], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', GILIRAN_LOG_LEVEL: 'warn', GILIRAN_PROCESSES: String(processes), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const workers = () => {
      // The primary's children that run the server (tsx also gives it an esbuild helper).
      const r = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(proc.pid)], { encoding: 'utf8' });
      return r.stdout
        .split('\n')
        .filter((l) => /server\/main\.ts|main\.mjs/.test(l))
        .map((l) => Number(l.trim().split(/\s+/)[0]))
        .filter((p) => p > 0);
    };
    const timer = setTimeout(() => {
      for (const pid of workers()) process.kill(pid, 'SIGKILL');
      proc.kill('SIGKILL');
      reject(new Error(`central did not start in time:\n${out}\n${err}`));
    }, 60_000);
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Giliran central: \d+ processes on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        proc,
        get stdout() {
          return out + err;
        },
        workers,
        async stop() {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            // A primary that does not end its workers in time is killed with them (nothing is left running).
            const t = setTimeout(() => {
              for (const pid of workers()) process.kill(pid, 'SIGKILL');
              proc.kill('SIGKILL');
            }, 25_000);
            await exited;
            clearTimeout(t);
          }
        },
      });
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`central exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}
