// Runs the benchmarks one after another, each in its own child process (which
// in turn starts the server under test in another), prints a summary table and
// writes bench/results.json.
//
//   tsx bench/run.ts                 all five, full size (several minutes)
//   tsx bench/run.ts --quick         smoke run, well under a minute
//   tsx bench/run.ts --only eta-accuracy   the estimated wait against simulated days (in-process, seconds)
//   tsx bench/run.ts --only crash-recovery[,broadcast-latency]   (repeatable)
//   BENCH_CPU_PROF=/tmp/prof tsx bench/run.ts --only issue-throughput   CPU profiles of the servers
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT, fmt, machine, machineLine, round, table, track } from './support/lib.ts';

const BENCHES = ['issue-throughput', 'ack-vs-day-size', 'broadcast-latency', 'crash-recovery', 'login-burst', 'resync-flood', 'central', 'booking-rush', 'booking-availability', 'report-range', 'eta-accuracy'] as const;
type BenchName = (typeof BENCHES)[number];

function parse(argv: string[]): { quick: boolean; only: BenchName[] } {
  let quick = false;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--quick') quick = true;
    else if (a === '--only') only.push(...(argv[++i] ?? '').split(','));
    else if (a.startsWith('--only=')) only.push(...a.slice(7).split(','));
    else if (a === '--help' || a === '-h') {
      console.log(`usage: tsx bench/run.ts [--quick] [--only ${BENCHES.join('|')}[,...]]`);
      process.exit(0);
    } else {
      console.error(`unknown argument ${a}`);
      process.exit(2);
    }
  }
  for (const o of only) {
    if (!(BENCHES as readonly string[]).includes(o)) {
      console.error(`unknown bench ${o}; one of ${BENCHES.join(', ')}`);
      process.exit(2);
    }
  }
  return { quick, only: (only.length ? BENCHES.filter((b) => only.includes(b)) : [...BENCHES]) as BenchName[] };
}

interface Outcome {
  name: BenchName;
  exitCode: number | null;
  seconds: number;
  summary: Record<string, any> | null;
}

function runBench(name: BenchName, quick: boolean): Promise<Outcome> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', `${name}.ts`), ...(quick ? ['--quick'] : [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    track(child);
    let last: Record<string, any> | null = null;
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('{')) {
          try {
            last = JSON.parse(line) as Record<string, any>;
            continue; // the machine-readable line goes to results.json, not the console
          } catch {
            // not the summary: print it
          }
        }
        process.stdout.write(`${line}\n`);
      }
    });
    child.on('exit', (code) => resolve({ name, exitCode: code, seconds: (performance.now() - t0) / 1000, summary: last }));
  });
}

const yes = (b: unknown) => (b === true ? 'met' : b === false ? 'NOT MET' : '?');

function row(o: Outcome): Record<string, string> {
  const s = o.summary;
  const base = { bench: o.name, seconds: fmt(o.seconds, 0) };
  if (!s) return { ...base, result: `failed (exit ${o.exitCode})`, baseline: '', ratio: '', goals: '' };
  switch (o.name) {
    case 'issue-throughput': {
      const og = s.open.giliran;
      const cg = s.closed.giliran;
      const pr = s.pairedRatios ?? s.ratios;
      const errs = (x: any) => Object.values(x.errors ?? {}).reduce((a: number, b: any) => a + Number(b), 0) + Number(x.unacked ?? 0);
      const bad = errs(og) + errs(cg);
      return {
        ...base,
        result:
          `open ${og.offeredPerSec}/s: ${og.ticketsPerSec}/s, p50 ${og.p50Ms} ms, p99 ${og.p99Ms} ms; closed max ${cg.ticketsPerSec}/s, p99 ${cg.p99Ms} ms` +
          (bad ? `; ${bad} errors/not acked` : ''),
        baseline: `echo: open p99 ${s.open.echo.p99Ms} ms; closed ${s.closed.echo.ticketsPerSec}/s, p99 ${s.closed.echo.p99Ms} ms`,
        ratio: `open p99 ${pr.open.p99VsEcho}×; closed thr ${pr.closed.throughputVsEcho}, p99 ${pr.closed.p99VsEcho}×`,
        goals: `≥1000/s ${yes(s.goals.ticketsPerSecAtLeast1000)}, p99≤20ms ${yes(s.goals.p99AtMost20ms)}, closed ≥1000/s ${yes(s.goals.closedLoopAtLeast1000)}`,
      };
    }
    case 'ack-vs-day-size':
      return {
        ...base,
        result: `${s.large.tickets}: p50 ${s.large.ackP50Ms} ms, p99 ${s.large.ackP99Ms} ms`,
        baseline: `${s.small.tickets}: p50 ${s.small.ackP50Ms} ms, p99 ${s.small.ackP99Ms} ms`,
        ratio: `p50 ${s.ratios.p50MedianOfRounds ?? s.ratios.p50}×`,
        goals: `≤1.5× ${yes(s.goals.ratioAtMost1_5)}`,
      };
    case 'broadcast-latency':
      return {
        ...base,
        result: `${s.config.clients} clients: p50 ${s.giliran.p50Ms} ms, p99 ${s.giliran.p99Ms} ms, RSS ${s.rss.maxMb} MB`,
        baseline: `raw ws p50 ${s.raw.p50Ms} ms, p99 ${s.raw.p99Ms} ms`,
        ratio: `p50 ${(s.pairedRatios ?? s.ratios).p50}×, p99 ${(s.pairedRatios ?? s.ratios).p99}×`,
        goals: `p50 ${yes(s.goals.p50Within1_5xRaw)}, p99 ${yes(s.goals.p99Within1_5xRaw)}, RSS ${yes(s.goals.rssAtMost150Mb)}`,
      };
    case 'crash-recovery':
      return {
        ...base,
        result: `${s.kills} kills, ${s.acknowledged} acked, lost ${s.lost}, reused ${s.reused}, phantom ${s.phantom}`,
        baseline: `restart median ${s.restartMs.median} ms`,
        ratio: '',
        goals: `no loss ${yes(s.goals.noLoss)}, no reuse ${yes(s.goals.noReuse)}`,
      };
    case 'login-burst':
      return {
        ...base,
        result: `${s.config.logins} sign-ins (${s.burst.signInsPerSec}/s checked): ack p50 ${s.burst.ackP50Ms} ms, p99 ${s.burst.ackP99Ms} ms`,
        baseline: `quiet: p50 ${s.quiet.ackP50Ms} ms, p99 ${s.quiet.ackP99Ms} ms`,
        ratio: `p50 ${s.ratios.p50}×, p99 ${s.ratios.p99}×`,
        goals: `p50 ≤1.5× ${yes(s.goals.p50Within1_5x)}, p99 ≤1.5× ${yes(s.goals.p99Within1_5x)}`,
      };
    case 'central':
      return {
        ...base,
        result: `issue on PostgreSQL: 1 process ${s.issue.pg1.ticketsPerSec}/s p99 ${s.issue.pg1.p99Ms} ms, 2 processes ${s.issue.pg2.ticketsPerSec}/s p99 ${s.issue.pg2.p99Ms} ms; call→${s.config.displays} displays p99: 1 process ${s.calls.oneProcess.p99Ms} ms, 2 processes ${s.calls.twoProcesses.p99Ms} ms`,
        baseline: `embedded: ${s.issue.embedded1.ticketsPerSec}/s p99 ${s.issue.embedded1.p99Ms} ms`,
        ratio: `pg1/embedded ${s.ratios.pg1ThroughputVsEmbedded}, pg2/pg1 ${s.ratios.pg2ThroughputVsPg1}, calls p99 2/1 ${s.ratios.callsP99TwoVsOne}×`,
        goals: '',
      };
    case 'booking-rush':
      return {
        ...base,
        result: `${s.config.citizens} citizens, ${s.config.places} places: won ${s.won.join('/')}; page's hold+confirm p50 ${s.book?.p50Ms} ms p99 ${s.book?.p99Ms} ms; two steps: hold p99 ${s.hold?.p99Ms} ms, confirm p99 ${s.confirm?.p99Ms} ms`,
        baseline: `http echo p99 ${s.echo.page?.p99Ms} ms (two steps: ${s.echo.steps?.p99Ms} ms)`,
        ratio: `book p99 ${s.ratios.bookP99VsEcho}×, hold p99 ${s.ratios.holdP99VsEcho}×, confirm p99 ${s.ratios.confirmP99VsEcho}×`,
        goals: `exact ${yes(s.goals.exactlyAllPlaces)}, book p99≤50ms ${yes(s.goals.bookP99AtMost50ms)}, hold p99≤50ms ${yes(s.goals.holdP99AtMost50ms)}, confirm p99≤50ms ${yes(s.goals.confirmP99AtMost50ms)}`,
      };
    case 'booking-availability':
      return {
        ...base,
        result: `${s.large.bookings} bookings: p50 ${s.large.p50Ms} ms, p99 ${s.large.p99Ms} ms`,
        baseline: `${s.small.bookings}: p50 ${s.small.p50Ms} ms, p99 ${s.small.p99Ms} ms`,
        ratio: `p50 ${s.ratios.p50}×, p99 ${s.ratios.p99}×`,
        goals: `p99≤10ms ${yes(s.goals.p99AtMost10ms)}, ≤1.5× ${yes(s.goals.ratioAtMost1_5)}`,
      };
    case 'resync-flood':
      return {
        ...base,
        result: `${s.config.sockets}×${s.config.burst} resyncs/s: /healthz p50 ${s.flood.p50Ms} ms, p99 ${s.flood.p99Ms} ms, RSS +${s.flood.rssGrowthMb} MB; ${s.flood.answered} answered, ${s.flood.refused} refused`,
        baseline: `quiet: p50 ${s.quiet.p50Ms} ms, p99 ${s.quiet.p99Ms} ms`,
        ratio: `p50 ${s.ratios.p50}×, p99 ${s.ratios.p99}×`,
        goals: `p50 ≤1.5× ${yes(s.goals.p50Within1_5xQuiet)}, p99 ≤100ms ${yes(s.goals.p99AtMost100Ms)}, RSS ≤+100MB ${yes(s.goals.rssGrowthAtMost100Mb)}`,
      };
    case 'report-range':
      return {
        ...base,
        result: `${s.config.ticketsPerDay} tickets/day: month ${s.monthMs} ms, year ${s.yearMs} ms (kept aggregates); first month from journals ${s.coldMonthMs} ms`,
        baseline: `month ${s.monthMs} ms`,
        ratio: `year ${s.ratios.yearVsMonth}×`,
        goals: `month ≤2s ${yes(s.goals.monthAtMost2s)}, cold month ≤2s ${yes(s.goals.coldMonthAtMost2s)}, year ≤3× ${yes(s.goals.yearAtMost3xMonth)}`,
      };
    case 'eta-accuracy': {
      const pct = (x: number | null) => (x === null ? '–' : `${fmt(x * 100, 1)} %`);
      const f = (x: any) => `MAE ${x.maeMin} min = ${x.maePct} % of ${x.meanWaitMin} min, inside ${pct(x.insideShare)}`;
      return {
        ...base,
        result: `${s.overall.calls} calls over ${s.config.days}+${s.config.days} simulated days: ${f(s.overall)} (busy: ${f(s.scenarios.busy)}; light: ${f(s.scenarios.light)})`,
        baseline: `naive MAE ${s.overall.naiveMaeMin} min = ${s.overall.naiveMaePct} %`,
        ratio: `MAE ${s.overall.ratioToNaive}× naive`,
        goals: `MAE ≤25% ${yes(s.goals.maeAtMost25PctOfWait)}, ≤0.8× naive ${yes(s.goals.maeAtMost0_8xNaive)}, ≥70% inside ${yes(s.goals.insideAtLeast70Pct)}`,
      };
    }
  }
}

async function main(): Promise<void> {
  const { quick, only } = parse(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  console.log(`Giliran benchmarks (${quick ? 'quick smoke run' : 'full'}): ${only.join(', ')}`);
  console.log(machineLine());
  const outcomes: Outcome[] = [];
  for (const name of only) {
    console.log(`\n=== ${name} ===`);
    outcomes.push(await runBench(name, quick));
  }
  const seconds = round((performance.now() - t0) / 1000, 1);
  console.log('\n=== summary ===');
  console.log(table(outcomes.map(row)));
  console.log('(ratios: median over rounds of the per-round ratio to the baseline measured back to back)');
  console.log(`total ${seconds} s`);
  const file = path.join(ROOT, 'bench', 'results.json');
  await writeFile(
    file,
    `${JSON.stringify({ startedAt, quick, seconds, machineAtEnd: machine(), results: Object.fromEntries(outcomes.map((o) => [o.name, o.summary ?? { failed: true, exitCode: o.exitCode }])) }, null, 2)}\n`,
  );
  console.log(`wrote ${path.relative(ROOT, file)}`);
  const failed = outcomes.filter((o) => o.exitCode !== 0 || !o.summary);
  if (failed.length) {
    console.error(`failed: ${failed.map((o) => `${o.name} (exit ${o.exitCode})`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
