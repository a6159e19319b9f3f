// What the TV's call list shows and which calls it announces, from the
// snapshots and deltas it receives: one entry per ticket, newest first,
// bounded; a call is announced once, live or (after a reconnect) when it is
// recent, never again after a reload. Plain code: no socket, no clock, no sound.
import type { CallView, DisplayProfile, QueueDelta, QueueSnapshot } from '../protocol/model.ts';

/** A call newer than this (ms, by the server's clock) found in a snapshot after a reconnect is still announced. */
export const ANNOUNCE_MISSED_WITHIN_MS = 60_000;
const SEEN_MAX = 64;

export const callKey = (c: CallView): string => `${c.ticketId}@${c.at}${c.recall ? '/r' : ''}`;

/** Whether a profile's screen shows a call of this service to this counter. */
export function shows(p: Pick<DisplayProfile, 'services' | 'counters'>, c: { serviceId: string; counterId: string }): boolean {
  return (p.services.length === 0 || p.services.includes(c.serviceId)) && (p.counters.length === 0 || p.counters.includes(c.counterId));
}

type BoardProfile = Pick<DisplayProfile, 'services' | 'counters' | 'historySize'>;

export interface CallBoard {
  /** Newest first, one per ticket. */
  readonly calls: CallView[];
  /** The profile changed (the office loaded): keep only what it shows. */
  setProfile(p: BoardProfile): void;
  /** A snapshot (first sight, after a reconnect or a gap); returns the calls to announce, oldest first. */
  snapshot(s: QueueSnapshot): CallView[];
  /** A delta applied to the queue copy; returns the new calls to announce, oldest first. */
  delta(d: QueueDelta): CallView[];
}

// A closure, not a class: see ui/device-session.ts.
export function callBoard(initial: BoardProfile): CallBoard {
  let profile = initial;
  let calls: CallView[] = [];
  /** Calls already shown or announced (bounded; insertion order = age). */
  const seen = new Set<string>();
  let lastAt = '';
  let day: string | null = null;

  const trim = (list: CallView[]) => list.slice(0, Math.min(Math.max(profile.historySize + 1, 1), 30));
  const shown = (c: CallView) => shows(profile, c);

  /** Adds calls (oldest first) to the list: one entry per ticket, newest first. */
  function add(fresh: CallView[]): void {
    let list = calls;
    for (const c of fresh) list = [c, ...list.filter((x) => x.ticketId !== c.ticketId)];
    calls = trim(list);
  }

  function remember(key: string): void {
    seen.add(key);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value!);
  }

  return {
    get calls() {
      return calls;
    },
    setProfile(p) {
      profile = p;
      calls = trim(calls.filter(shown));
    },
    snapshot(s) {
      const visible = s.recentCalls.filter(shown);
      if (day !== s.officeDay) {
        // First sight, or a new office day: show what is there, announce nothing.
        day = s.officeDay;
        calls = [];
        add(visible);
        for (const c of s.recentCalls) remember(callKey(c));
        lastAt = s.recentCalls.at(-1)?.at ?? '';
        return [];
      }
      // Back after a disconnect or a gap: calls made meanwhile are shown, and
      // announced only if they are recent; those already announced are not.
      const cutoff = new Date(Date.parse(s.serverTime) - ANNOUNCE_MISSED_WITHIN_MS).toISOString();
      const missed = s.recentCalls.filter((c) => !seen.has(callKey(c)));
      const all = [...calls].reverse().concat(visible).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      calls = [];
      add(all);
      const announce: CallView[] = [];
      for (const c of missed) {
        remember(callKey(c));
        if (c.at >= cutoff && c.at >= lastAt && shown(c)) announce.push(c);
      }
      lastAt = s.recentCalls.at(-1)?.at ?? lastAt;
      return announce;
    },
    delta(d) {
      const fresh: CallView[] = [];
      for (const e of d.events) {
        if (e.type !== 'ticket_called' && e.type !== 'ticket_recalled') continue;
        const t = d.tickets.find((x) => x.id === e.ticketId);
        if (!t) continue;
        const call: CallView = { ticketId: t.id, number: t.number, serviceId: t.serviceId, counterId: e.counterId, at: e.at, recall: e.type === 'ticket_recalled' };
        const key = callKey(call);
        if (seen.has(key)) continue;
        remember(key);
        lastAt = call.at;
        if (shown(call)) fresh.push(call);
      }
      add(fresh);
      return fresh;
    },
  };
}
