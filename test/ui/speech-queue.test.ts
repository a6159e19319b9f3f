// The announcement queue: calls that arrive while one is spoken wait their
// turn in order; nothing overlaps; a burst or a long silence stays bounded.
import { describe, expect, it } from 'vitest';
import { createAnnouncementQueue, type Announcement, type AnnouncementPlayer } from '../../ui/speech/announcement-queue.ts';
import { until } from '../helpers/until.ts';

/** A player whose announcements end when the test says so. */
class FakePlayer implements AnnouncementPlayer {
  started: string[] = [];
  active = 0;
  maxActive = 0;
  private ends: Array<() => void> = [];
  play(a: Announcement): Promise<void> {
    this.started.push(a.key);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    return new Promise((resolve) => this.ends.push(() => {
      this.active -= 1;
      resolve();
    }));
  }
  /** Ends the announcement playing, then lets the queue's promise callbacks run (one turn of the event loop). */
  async finishOne(): Promise<void> {
    this.ends.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  }
}

const ann = (key: string): Announcement => ({ key, clips: ['chime', key], text: key });

describe('AnnouncementQueue', () => {
  it('plays calls one after another in arrival order, never two at once', async () => {
    const player = new FakePlayer();
    const q = createAnnouncementQueue(player);
    q.enqueue(ann('a'));
    q.enqueue(ann('b'));
    q.enqueue(ann('c'));
    expect(player.started).toEqual(['a']);
    expect(q.pending).toBe(2);
    await player.finishOne();
    expect(player.started).toEqual(['a', 'b']);
    await player.finishOne();
    await player.finishOne();
    expect(player.started).toEqual(['a', 'b', 'c']);
    expect(player.maxActive).toBe(1);
    expect(q.trace.queued).toEqual([['chime', 'a'], ['chime', 'b'], ['chime', 'c']]);
    expect(q.trace.speaking).toBe(false);
  });

  it('keeps going after a failed announcement', async () => {
    let n = 0;
    const q = createAnnouncementQueue({ play: () => (n++ === 0 ? Promise.reject(new Error('x')) : Promise.resolve()) });
    q.enqueue(ann('a'));
    q.enqueue(ann('b'));
    await until(() => n === 2); // the second plays once the first has failed
    expect(n).toBe(2);
  });

  it('holds at most maxPending waiting calls, dropping the oldest', async () => {
    const player = new FakePlayer();
    const q = createAnnouncementQueue(player, { maxPending: 3 });
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) q.enqueue(ann(k));
    expect(q.pending).toBe(3);
    expect(q.trace.dropped).toBe(2);
    for (let i = 0; i < 4; i++) await player.finishOne();
    expect(player.started).toEqual(['a', 'd', 'e', 'f']);
  });

  it('does not play a call late after it waited too long', async () => {
    let now = 0;
    const player = new FakePlayer();
    const q = createAnnouncementQueue(player, { staleMs: 1000, now: () => now });
    q.enqueue(ann('a'));
    q.enqueue(ann('b'));
    now = 5000;
    q.enqueue(ann('c'));
    await player.finishOne();
    expect(player.started).toEqual(['a', 'c']);
    expect(q.trace.dropped).toBe(1);
  });

  it('bounds its trace', () => {
    const q = createAnnouncementQueue({ play: () => new Promise(() => undefined) });
    for (let i = 0; i < 500; i++) q.enqueue(ann(String(i)));
    expect(q.trace.queued.length).toBeLessThanOrEqual(50);
  });
});
