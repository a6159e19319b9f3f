// The shell around the queue rules, with a store whose writes finish when the
// test says so: nothing a screen is sent (snapshot or delta) or a caller is
// told may run ahead of the disk.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { QueueDelta } from '../../protocol/model.ts';
import { emptyDay, type DayState } from '../../server/domain/state.ts';
import { officeDayOf } from '../../server/domain/time.ts';
import { QueueService } from '../../server/queue-service.ts';
import type { Store } from '../../server/store/types.ts';
import { CLERK, kupang } from '../helpers/domain.ts';
import { until } from '../helpers/until.ts';

const NOW = new Date('2026-11-23T02:00:00.000Z'); // 10:00 WITA, Monday

function held() {
  let release!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    release = res;
    fail = rej;
  });
  return { promise, release, fail };
}

/** A store that keeps one office day in memory and lets the test decide when each write is on disk. */
function slowStore() {
  const office = kupang();
  let day: DayState | null = null;
  const writes: Array<ReturnType<typeof held>> = [];
  const store = {
    config: { get: () => ({ offices: [office], devices: [] }) },
    queue: {
      openDay: async (_o: unknown, officeDay: string) => (day ??= emptyDay(office.id, officeDay)),
      commit: () => {
        const w = held();
        writes.push(w);
        // Like the real store: a failed write drops the day from memory; the next open reads the disk.
        return w.promise.catch((e: unknown) => {
          day = null;
          throw e;
        });
      },
      readCommits: async () => [],
    },
  } as unknown as Store;
  return { store, writes, office };
}

/** Whether `p` settles within `ms`; false is "nothing happens", so a bounded wait (the write it waits on is held by the test). */
const settledWithin = async (p: Promise<unknown>, ms = 50) =>
  Promise.race([p.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('queue service', () => {
  it('sends a snapshot only once every change it shows is on disk', async () => {
    const { store, writes } = slowStore();
    const queue = new QueueService(store, pino({ level: 'silent' }), () => NOW);
    const deltas: QueueDelta[] = [];
    queue.listen({ delta: (_o, d) => deltas.push(d), reset: () => undefined });
    const issued = queue.execute('kupang', { type: 'issue', service: 'kk', source: 'counter' }, CLERK);
    await until(() => writes.length === 1); // the commit has reached the disk write, which the test holds
    expect(writes).toHaveLength(1);
    const snap = queue.snapshot('kupang');
    // The ticket is in memory (the next command must see it), but not yet on disk: no one hears of it.
    expect(await settledWithin(snap)).toBe(false);
    expect(await settledWithin(issued)).toBe(false);
    expect(deltas).toHaveLength(0);
    writes[0]!.release();
    const s = await snap;
    expect(s.ok && s.data.tickets.map((t) => t.number)).toEqual(['B001']);
    expect((await issued).ok).toBe(true);
    expect(deltas.map((d) => d.version)).toEqual([1]);
    // With nothing in flight a snapshot is immediate.
    expect(await settledWithin(queue.snapshot('kupang'))).toBe(true);
  });

  it('never shows a change whose write failed: a snapshot taken meanwhile reads the day again from disk', async () => {
    const { store, writes, office } = slowStore();
    const queue = new QueueService(store, pino({ level: 'silent' }), () => NOW);
    queue.listen({ delta: () => undefined, reset: () => undefined });
    const issued = queue.execute('kupang', { type: 'issue', service: 'kk', source: 'counter' }, CLERK);
    await until(() => writes.length === 1); // the commit has reached the disk write, which the test holds
    const snap = queue.snapshot('kupang');
    writes[0]!.fail(new Error('disk full'));
    expect(await issued).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const s = await snap;
    expect(s.ok && s.data.officeDay).toBe(officeDayOf(NOW, office.timeZone));
    expect(s.ok && s.data.tickets).toEqual([]);
    expect(s.ok && s.data.version).toBe(0);
  });
});
