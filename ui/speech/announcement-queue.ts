// Plays announcements one after another: a call that arrives while another
// is being spoken waits its turn, in arrival order. Bounded, so a TV that
// cannot play (sound blocked, a burst of calls) never piles up work.

export interface Announcement {
  /** Identifies the call (ticket, time, recall) — for tracing only. */
  key: string;
  /** Clip names in playing order (see call-phrase.ts). */
  clips: string[];
  /** The same sentence for a speech voice. */
  text: string;
}

export interface AnnouncementPlayer {
  /** Plays one announcement to its end. Rejections are swallowed by the queue. */
  play(a: Announcement): Promise<void>;
}

/** What tests and the page can read (window.__giliranAudio); every list is bounded. */
export interface AudioTrace {
  /** Clip sequences in the order they were queued. */
  queued: string[][];
  /** Clip names in the order they finished playing. */
  played: string[];
  /** Announcements dropped because they waited too long or too many were waiting. */
  dropped: number;
  pending: number;
  speaking: boolean;
  /** 'running' | 'blocked' (needs a user gesture) | 'off' | 'starting'. */
  state: string;
}

export function newTrace(state = 'starting'): AudioTrace {
  return { queued: [], played: [], dropped: 0, pending: 0, speaking: false, state };
}

export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}

export interface QueueOptions {
  /** At most this many announcements wait; the oldest is dropped beyond. */
  maxPending?: number;
  /** An announcement that waited longer than this (ms) is dropped, not played late. */
  staleMs?: number;
  now?: () => number;
  trace?: AudioTrace;
  onChange?(): void;
}

export interface AnnouncementQueue {
  readonly trace: AudioTrace;
  /** The announcement being played. */
  readonly current: Announcement | null;
  readonly pending: number;
  enqueue(a: Announcement): void;
  close(): void;
}

export function createAnnouncementQueue(player: AnnouncementPlayer, opts: QueueOptions = {}): AnnouncementQueue {
  const trace = opts.trace ?? newTrace();
  const maxPending = opts.maxPending ?? 20;
  const staleMs = opts.staleMs ?? 120_000;
  const now = opts.now ?? Date.now;
  let waiting: Array<{ a: Announcement; at: number }> = [];
  let playing: Announcement | null = null;
  let closed = false;

  function changed(): void {
    trace.pending = waiting.length;
    trace.speaking = playing !== null;
    opts.onChange?.();
  }

  async function drain(): Promise<void> {
    while (!closed) {
      const next = waiting.shift();
      if (!next) break;
      if (now() - next.at > staleMs) {
        trace.dropped += 1;
        continue;
      }
      playing = next.a;
      changed();
      try {
        await player.play(next.a);
      } catch {
        // A failed announcement must not stop the ones after it.
      }
    }
    playing = null;
    changed();
  }

  return {
    trace,
    get current() {
      return playing;
    },
    get pending() {
      return waiting.length;
    },
    enqueue(a) {
      if (closed) return;
      pushBounded(trace.queued, a.clips, 50);
      waiting.push({ a, at: now() });
      if (waiting.length > maxPending) {
        waiting.splice(0, waiting.length - maxPending);
        trace.dropped += 1;
      }
      changed();
      if (!playing) void drain();
    },
    close() {
      closed = true;
      waiting = [];
      changed();
    },
  };
}
