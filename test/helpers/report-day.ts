// A busy office day through the real domain, for report tests, the e2e test
// and the report benchmark: tickets from the kiosk, booking and the counter,
// four signed-in clerks calling and finishing, no-shows, transfers, a break,
// and pre-checks that ended in "what to bring".
import type { Command } from '../../protocol/commands.ts';
import type { Actor, OfficeConfig } from '../../protocol/model.ts';
import type { Commit } from '../../server/domain/state.ts';
import { Sim } from './domain.ts';

const SERVICES = ['ktp-el', 'kk', 'akta', 'kia', 'ktp-el', 'kk'];
const SOURCES = ['kiosk', 'kiosk', 'kiosk', 'booking', 'counter'] as const;

export function clerk(n: number): Actor {
  return { kind: 'user', id: `petugas${n}`, name: `Petugas ${n}`, role: 'clerk' };
}

/** `tickets` tickets over the day from 08:00 local (Kupang: 00:00 UTC), each a few seconds apart. */
export function busyReportDay(office: OfficeConfig, day: string, tickets: number, opts: { secondsPerTicket?: number } = {}): Sim {
  const per = opts.secondsPerTicket ?? 9;
  const sim = new Sim(office, { day, start: `${day}T00:00:00.000Z`, step: 0 });
  const counters = ['1', '2', '3', '4'];
  const held = new Map<string, boolean>();
  counters.forEach((c, i) => {
    const d = sim.run({ type: 'sign_in', counterId: c }, clerk(i + 1));
    if (!d.ok) throw new Error(`sign_in ${c}: ${d.code}`);
  });
  let finished = 0;
  let pause: 'before' | number | 'over' = 'before';
  const act = (ci: number, i: number) => {
    const c = counters[ci]!;
    const who = clerk(ci + 1);
    // Counter 3 takes a break of 60 tickets' time from a third of the day (once it holds no ticket).
    if (ci === 2 && pause === 'before' && i >= tickets / 3 && !held.get(c)) {
      if (sim.run({ type: 'pause', counterId: c, reason: 'break', note: null }, who).ok) pause = i + 60;
      return;
    }
    if (ci === 2 && typeof pause === 'number') {
      if (i < pause) return;
      sim.run({ type: 'resume', counterId: c }, who);
      pause = 'over';
      return;
    }
    if (held.get(c)) {
      finished++;
      const cmd: Command =
        finished % 29 === 0
          ? { type: 'no_show', counterId: c }
          : finished % 47 === 0 && ci === 0
            ? { type: 'transfer', counterId: c, toService: 'kk', precedence: false }
            : { type: 'finish', counterId: c, outcome: 'done' };
      const d = sim.run(cmd, who);
      if (!d.ok) throw new Error(`${cmd.type} at ${c}: ${d.code}`);
      held.set(c, false);
      return;
    }
    const d = sim.run({ type: 'call_next', counterId: c }, who);
    if (d.ok) held.set(c, true);
    else if (d.code !== 'queue_empty') throw new Error(`call_next at ${c}: ${d.code}`);
  };
  for (let i = 0; i < tickets; i++) {
    const service = SERVICES[i % SERVICES.length]!;
    sim.ok({ type: 'issue', service, source: SOURCES[i % SOURCES.length]!, priority: i % 11 === 0 ? 'elderly' : null });
    if (i % 17 === 0) sim.ok({ type: 'record_precheck', service: 'ktp-el', subcase: 'rusak', missing: i % 34 === 0 ? ['kk', 'ktp-el-rusak'] : ['kk'] });
    sim.advance(per / 2);
    act((2 * i) % 4, i);
    act((2 * i + 1) % 4, i);
    sim.advance(per / 2);
  }
  return sim;
}

/** The commits of a day as its journal file holds them (one JSON line each). */
export function journalText(commits: readonly Commit[]): string {
  return commits.map((c) => JSON.stringify(c)).join('\n') + '\n';
}
