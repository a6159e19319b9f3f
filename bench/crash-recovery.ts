// Durability under power-cut-like crashes: the real server in a child process,
// K clerks issuing tickets concurrently over REST with idempotency keys; at a
// random instant 50–400 ms into the load the server gets SIGKILL, and is
// restarted on the same data folder. After every restart:
//  - lost:    acknowledged tickets missing from GET /queue (must be 0);
//  - reused:  a fresh ticket per service whose number is not above every
//             acknowledged number of that service (must be 0);
//  - in-flight requests (no answer before the kill) are retried with their key:
//    'replayed' = it had been committed before the crash, 'new' = it had not;
//  - phantom: tickets in the queue that no key accounts for (duplicates; must be 0).
// Restart time = spawn of `node --import tsx server/main.ts` until its URL line
// (journal replay included).
//
//   tsx bench/crash-recovery.ts [--quick] [--kills 100] [--clients 4] [--min-delay 50] [--max-delay 400] [--seed 1]
import { statSync } from 'node:fs';
import path from 'node:path';
import {
  OFFICE, SERVICES, fmt, login, machine, machineLine, makeDataDir, median, numFlag, p99, parseArgs, printSummary, request, round,
  startGiliran, type Child,
} from './support/lib.ts';

const args = parseArgs();
const KILLS = numFlag(args, 'kills', args.quick ? 5 : 100);
const CLIENTS = numFlag(args, 'clients', 4);
const MIN_DELAY = numFlag(args, 'min-delay', 50);
const MAX_DELAY = numFlag(args, 'max-delay', 400);
let seed = numFlag(args, 'seed', Date.now() % 1_000_000);
const SEED = seed;

/** mulberry32: reproducible kill instants with --seed. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

interface Acked {
  id: string;
  serviceId: string;
  seq: number;
  key: string;
}

interface IssueOutcome {
  kind: 'acked' | 'inflight' | 'error';
  ticket?: Acked;
  replayed?: boolean;
  detail?: string;
}

async function issue(base: string, cookie: string, service: string, key: string): Promise<IssueOutcome> {
  let r;
  try {
    r = await request(base, 'POST', `/api/v1/offices/${OFFICE}/tickets`, { cookie, body: { service, idempotencyKey: key } });
  } catch (err) {
    return { kind: 'inflight', detail: String((err as Error).message) };
  }
  if (r.status === 201 || r.status === 200) {
    const t = r.body.ticket as { id: string; serviceId: string; seq: number };
    return { kind: 'acked', ticket: { id: t.id, serviceId: t.serviceId, seq: t.seq, key }, replayed: r.headers.get('idempotent-replayed') === 'true' };
  }
  return { kind: 'error', detail: `${r.status} ${JSON.stringify(r.body)}` };
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`crash-recovery: ${KILLS} SIGKILLs, ${CLIENTS} clerks issuing over REST, kill ${MIN_DELAY}–${MAX_DELAY} ms into the load (seed ${SEED})`);
  console.log(machineLine());
  const data = await makeDataDir();
  const acked = new Map<string, Acked>(); // by idempotency key
  const maxSeq = new Map<string, number>(); // per service
  const addAcked = (a: Acked) => {
    acked.set(a.key, a);
    maxSeq.set(a.serviceId, Math.max(maxSeq.get(a.serviceId) ?? 0, a.seq));
  };
  let lost = 0;
  let reused = 0;
  let phantom = 0;
  let inflightReplayed = 0;
  let inflightNew = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const restartMs: number[] = [];
  const perKill: Array<{ kill: number; delayMs: number; acked: number; inflight: number; restartMs: number; queue: number }> = [];
  let server: Child = await startGiliran(data);
  const cookies = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => login(server.url, `petugas${(c % 4) + 1}`)));
  let keyNo = 0;
  try {
    for (let k = 1; k <= KILLS; k++) {
      // Load, then the kill at a random instant.
      const base = server.url;
      let stop = false;
      const inflight: Array<{ service: string; key: string; cookie: string }> = [];
      let ackedThisRound = 0;
      const loops = cookies.map(async (cookie, c) => {
        while (!stop) {
          const service = SERVICES[(keyNo + c) % SERVICES.length] as string;
          const key = `crash-${SEED}-${k}-${c}-${keyNo++}`;
          const out = await issue(base, cookie, service, key);
          if (out.kind === 'acked' && out.ticket) {
            addAcked(out.ticket);
            ackedThisRound++;
          } else if (out.kind === 'inflight') {
            inflight.push({ service, key, cookie });
            return;
          } else {
            errors++;
            if (errorSamples.length < 5) errorSamples.push(out.detail ?? '?');
          }
        }
      });
      const delay = MIN_DELAY + random() * (MAX_DELAY - MIN_DELAY);
      await new Promise((r) => setTimeout(r, delay));
      await server.kill();
      await Promise.all(loops);
      stop = true;

      // Restart on the same folder.
      server = await startGiliran(data, { label: `giliran-restart-${k}` });
      restartMs.push(server.startMs);

      // In-flight requests: retry with the same key (the client's documented recovery).
      for (const f of inflight) {
        const out = await issue(server.url, f.cookie, f.service, f.key);
        if (out.kind !== 'acked' || !out.ticket) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`retry ${f.key}: ${out.detail}`);
          continue;
        }
        if (out.replayed) inflightReplayed++;
        else inflightNew++;
        addAcked(out.ticket);
      }
      // Never reused: a fresh ticket of every service is numbered above every acknowledged one.
      for (const service of SERVICES) {
        const before = new Map(maxSeq);
        const out = await issue(server.url, cookies[0] as string, service, `probe-${SEED}-${k}-${service}`);
        if (out.kind !== 'acked' || !out.ticket) throw new Error(`probe issue failed after restart ${k}: ${out.detail}`);
        const prev = before.get(out.ticket.serviceId) ?? 0;
        if (out.ticket.seq <= prev) {
          reused++;
          console.log(`  REUSED after kill ${k}: ${out.ticket.id} (seq ${out.ticket.seq}) not above acknowledged seq ${prev}`);
        }
        addAcked(out.ticket);
      }
      // Every acknowledged ticket is there, and nothing else (no duplicates).
      const q = await request(server.url, 'GET', `/api/v1/offices/${OFFICE}/queue`, { cookie: cookies[0] as string });
      if (q.status !== 200) throw new Error(`GET queue after restart ${k}: ${q.status}`);
      const present = new Set((q.body.tickets as Array<{ id: string }>).map((t) => t.id));
      const ackedIds = new Set([...acked.values()].map((a) => a.id));
      let lostNow = 0;
      for (const id of ackedIds) if (!present.has(id)) lostNow++;
      if (lostNow > 0) console.log(`  LOST after kill ${k}: ${lostNow} acknowledged tickets missing`);
      lost += lostNow;
      const extra = present.size - ackedIds.size + lostNow;
      if (extra !== 0) {
        console.log(`  PHANTOM after kill ${k}: ${extra} tickets in the queue that no key accounts for`);
        phantom += Math.abs(extra);
      }
      if (ackedIds.size !== acked.size) {
        console.log(`  DUPLICATE ticket ids for different keys after kill ${k}: ${acked.size - ackedIds.size}`);
        phantom += acked.size - ackedIds.size;
      }
      perKill.push({ kill: k, delayMs: round(delay, 0), acked: ackedThisRound, inflight: inflight.length, restartMs: round(server.startMs, 0), queue: present.size });
      if (k % 10 === 0 || k === KILLS || lostNow || extra) {
        console.log(
          `  kill ${String(k).padStart(3)}: ${fmt(delay, 0)} ms into load, ${ackedThisRound} acked, ${inflight.length} in flight; restart ${fmt(server.startMs, 0)} ms; ${present.size} tickets in the day`,
        );
      }
    }
  } finally {
    await server.stop();
  }
  let journalBytes = Number.NaN;
  try {
    const day = perKill.length ? [...acked.values()][0]?.id.split('/')[0] : undefined;
    if (day) journalBytes = statSync(path.join(data.dir, 'offices', OFFICE, 'days', `${day}.jsonl`)).size;
  } catch {
    // no journal: nothing issued
  }
  await data.remove();

  const summary = {
    kills: KILLS,
    acknowledged: acked.size,
    lost,
    reused,
    phantom,
    inflightRetried: { replayed: inflightReplayed, new: inflightNew },
    errors,
    restartMs: { median: round(median(restartMs), 0), p99: round(p99(restartMs), 0), first: round(restartMs[0] ?? Number.NaN, 0), last: round(restartMs[restartMs.length - 1] ?? Number.NaN, 0) },
    ackedPerKillMedian: median(perKill.map((p) => p.acked)),
    journalMb: round(journalBytes / 1_048_576, 2),
  };
  console.log(`\nkills ${summary.kills}  acknowledged ${summary.acknowledged}  lost ${lost}  reused ${reused}  phantom ${phantom}`);
  console.log(`in-flight at kill, retried with their key: ${inflightReplayed} had been committed (replayed), ${inflightNew} had not (issued now)`);
  console.log(`restart (spawn → listening, journal replay included): median ${summary.restartMs.median} ms, p99 ${summary.restartMs.p99} ms, first ${summary.restartMs.first} ms, last ${summary.restartMs.last} ms; journal ${summary.journalMb} MB`);
  if (errors) console.log(`errors: ${errors} ${JSON.stringify(errorSamples)}`);
  const ok = lost === 0 && reused === 0 && phantom === 0;
  console.log(`goal: lost = 0, reused = 0 ${ok ? 'MET' : 'NOT MET'}`);
  const seconds = round((performance.now() - started) / 1000, 1);
  console.log(`took ${seconds} s`);
  printSummary({
    bench: 'crash-recovery',
    config: { kills: KILLS, clients: CLIENTS, minDelayMs: MIN_DELAY, maxDelayMs: MAX_DELAY, seed: SEED, quick: args.quick },
    ...summary,
    goals: { noLoss: lost === 0, noReuse: reused === 0, noPhantom: phantom === 0 },
    machine: machine(),
    seconds,
  });
  if (!ok) process.exitCode = 3;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
