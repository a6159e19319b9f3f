// Drives the pure queue domain the way the shell does (decide, then apply the
// commit), with a clock the test controls.
import type { Command } from '../../protocol/commands.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { Actor, CounterState, OfficeConfig, QueueRules, Ticket } from '../../protocol/model.ts';
import { decide, type Decision } from '../../server/domain/commands.ts';
import { applyCommit, counterOf, emptyDay, type Commit, type DayState } from '../../server/domain/state.ts';
import { demoOffices } from '../../server/seed/demo-offices.ts';

export const DAY = '2026-11-23';
/** 09:00 WITA (Asia/Makassar) on Monday 2026-11-23. */
export const NINE_AM = '2026-11-23T01:00:00.000Z';

export const CLERK: Actor = { kind: 'user', id: 'petugas1', name: 'Petugas 1', role: 'clerk' };

/** Kupang (Asia/Makassar), fresh each call, with rules changed as asked. */
export function kupang(rules: Partial<QueueRules> = {}): OfficeConfig {
  const office = demoOffices()[0];
  if (!office) throw new Error('demo seed has no offices');
  office.rules = { ...office.rules, ...rules };
  return office;
}

export function padangPanjang(): OfficeConfig {
  const office = demoOffices()[1];
  if (!office) throw new Error('demo seed has no second office');
  return office;
}

/** Sets the services a configured counter serves (before the day starts). */
export function withCounters(office: OfficeConfig, services: Record<string, string[]>): OfficeConfig {
  for (const [id, list] of Object.entries(services)) {
    const c = office.counters.find((x) => x.id === id);
    if (!c) throw new Error(`no counter ${id}`);
    c.services = list;
  }
  return office;
}

export function replay(office: OfficeConfig, officeDay: string, commits: readonly Commit[]): DayState {
  const state = emptyDay(office.id, officeDay);
  for (const c of commits) applyCommit(state, office, c);
  return state;
}

export interface SimOptions {
  day?: string;
  start?: string;
  /** Seconds the clock moves after every command. */
  step?: number;
  actor?: Actor;
}

export class Sim {
  state: DayState;
  readonly commits: Commit[] = [];
  now: Date;
  step: number;
  actor: Actor;

  constructor(
    readonly office: OfficeConfig,
    opts: SimOptions = {},
  ) {
    this.state = emptyDay(office.id, opts.day ?? DAY);
    this.now = new Date(opts.start ?? NINE_AM);
    this.step = opts.step ?? 5;
    this.actor = opts.actor ?? CLERK;
  }

  /** Decides `cmd` now, applies a fresh commit, then moves the clock on. */
  run(cmd: Command, actor: Actor = this.actor): Decision {
    const d = decide(this.state, this.office, cmd, { now: this.now, actor });
    if (d.ok && !d.replayed) {
      applyCommit(this.state, this.office, d.commit);
      this.commits.push(d.commit);
    }
    this.advance(this.step);
    return d;
  }

  /** Runs a command that must succeed with a new commit. */
  ok(cmd: Command): Commit {
    const d = this.run(cmd);
    if (!d.ok) throw new Error(`${cmd.type} failed: ${d.code}`);
    if (d.replayed) throw new Error(`${cmd.type} was replayed`);
    return d.commit;
  }

  /** Runs a command that must fail; returns its error code. */
  err(cmd: Command): ErrorCode {
    const d = this.run(cmd);
    if (d.ok) throw new Error(`${cmd.type} unexpectedly succeeded`);
    return d.code;
  }

  issue(service: string, extra: Partial<Extract<Command, { type: 'issue' }>> = {}): Ticket {
    const c = this.ok({ type: 'issue', service, source: 'kiosk', ...extra });
    return this.ticket(this.mustId(c));
  }

  callNext(counterId: string): Ticket {
    return this.ticket(this.mustId(this.ok({ type: 'call_next', counterId })));
  }

  /** Calls until the queue is empty for that counter, finishing each ticket; returns the numbers. */
  drain(counterId: string): string[] {
    const out: string[] = [];
    for (;;) {
      const d = this.run({ type: 'call_next', counterId });
      if (!d.ok) {
        if (d.code !== 'queue_empty') throw new Error(`call_next failed: ${d.code}`);
        return out;
      }
      if (d.replayed) throw new Error('call_next replayed');
      out.push(this.ticket(this.mustId(d.commit)).number);
      this.ok({ type: 'finish', counterId, outcome: 'done' });
    }
  }

  ticket(ref: string): Ticket {
    const id = ref.includes('/') ? ref : `${this.state.officeDay}/${ref}`;
    const t = this.state.tickets.get(id);
    if (!t) throw new Error(`no ticket ${ref}`);
    return t;
  }

  counter(id: string): CounterState {
    const c = counterOf(this.state, this.office, id);
    if (!c) throw new Error(`no counter ${id}`);
    return c;
  }

  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  at(iso: string): void {
    this.now = new Date(iso);
  }

  private mustId(c: Commit): string {
    if (!c.ticketId) throw new Error('commit names no ticket');
    return c.ticketId;
  }
}
