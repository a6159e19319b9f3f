// Runs server/main.ts as a child process (as in production), for crash tests
// and benchmarks that must kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ChildServer {
  url: string;
  proc: ChildProcess;
  stdout: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function writeSettings(dir: string, settings: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, 'settings.json');
  await writeFile(file, JSON.stringify(settings));
  return file;
}

export function startChild(env: Record<string, string>): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', GILIRAN_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${out}\n${err}`));
    }, 30_000);
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        const child: ChildServer = {
          url: `http://127.0.0.1:${m[1]}`,
          proc,
          get stdout() {
            return out;
          },
          async kill(signal: NodeJS.Signals = 'SIGKILL') {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            await exited;
          },
        };
        resolve(child);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}
