// `npm run central`: N server processes (Node cluster workers running main)
// on one port and one PostgreSQL database (GILIRAN_DATABASE_URL). The primary
// only forks, restarts a worker that died, and passes SIGTERM on; it serves no
// request. Pages connect over WebSocket first (ui/queue-client.ts), so a
// socket stays on the worker that accepted it without sticky sessions; every
// worker broadcasts every commit to its own screens (the store's NOTIFY
// catch-up), see docs/central.md.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import path from 'node:path';

const ROOT_DIR = import.meta.dirname;

function fail(message: string): never {
  console.error(`giliran central: ${message}`);
  process.exit(2);
}

const count = Number(process.env.GILIRAN_PROCESSES ?? Math.min(4, availableParallelism()));
if (!Number.isInteger(count) || count < 1 || count > 64) fail(`GILIRAN_PROCESSES must be a number from 1 to 64, got ${process.env.GILIRAN_PROCESSES}`);
if (!process.env.GILIRAN_DATABASE_URL?.trim()) fail('GILIRAN_DATABASE_URL is not set: several processes need one PostgreSQL database (the embedded store is one process only)');

// Bundled (dist-server/central.mjs) the worker is dist-server/main.mjs with the same node flags;
// from the sources (tsx) it is server/main.ts through tsx.
const fromSources = import.meta.filename.endsWith('.ts');
/** The primary's node flags without the TypeScript loader's own (tsx adds its loader and preflight); the workers get `--import tsx`. */
function withoutLoader(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '--import' || a === '--require' || a === '-r' || a === '--loader') && i + 1 < args.length) {
      if (args[i + 1]!.includes('tsx')) i++;
      else out.push(a, args[++i]!);
    } else if (!a.includes('tsx')) out.push(a);
  }
  return out;
}
cluster.setupPrimary({
  exec: path.join(ROOT_DIR, fromSources ? 'main.ts' : 'main.mjs'),
  execArgv: fromSources ? [...withoutLoader(process.execArgv), '--import', 'tsx'] : process.execArgv,
});

let stopping = false;
let announced = false;
/** Workers that have listened at least once: the line below is printed when all of the first ones are up. */
const up = new Set<number>();
/** Worker id → its process name (GILIRAN_PROCESS_ID): a replacement takes the dead worker's name, and with it its outbox folder. */
const names = new Map<number, string>();

function fork(name: string): Worker {
  const w = cluster.fork({ GILIRAN_PROCESS_ID: name });
  names.set(w.id, name);
  w.on('listening', (address) => {
    up.add(w.id);
    if (announced || up.size < count) return;
    announced = true;
    const host = address.address === '0.0.0.0' || address.address === null || address.address === '::' ? '127.0.0.1' : address.address;
    console.log(`Giliran central: ${count} processes on http://${host}:${address.port}/ (primary pid ${process.pid})`);
  });
  return w;
}

for (let i = 1; i <= count; i++) fork(`p${i}`);

cluster.on('exit', (worker, code, signal) => {
  const name = names.get(worker.id) ?? `p${worker.id}`;
  names.delete(worker.id);
  if (stopping) {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    return;
  }
  // Its screens have already reconnected to the other workers; a fresh one takes its place.
  console.error(`giliran central: process ${name} (pid ${worker.process.pid}) ended (${signal ?? code}); starting another`);
  setTimeout(() => fork(name), 500);
});

const stop = () => {
  if (stopping) return;
  stopping = true;
  const workers = Object.values(cluster.workers ?? {});
  if (workers.length === 0) process.exit(0);
  for (const w of workers) w?.process.kill('SIGTERM');
  // Each worker finishes its writes and closes (server/main.ts); one that hangs is not waited for.
  setTimeout(() => process.exit(1), 20_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
