// What each role's screens receive, over sockets and REST alike. Counters
// (staff) get everything; displays follow every ticket, at once, but without
// the pre-check, like phones. Kiosks (and agents) only show the queue's
// figures — waiting per service, estimated wait, counters open — so they get
// those alone, merged over a short window: on a busy day a kiosk parses a few
// small frames a second instead of every ticket of every commit. Phones
// (track) are not signed in and get no queue at all: each follows its own
// ticket's view (protocol/track.ts), built in track.ts — never another
// ticket, a priority group or a pre-check.
import type { CounterState, QueueDelta, QueueEvent, QueueSnapshot, Ticket } from '../../protocol/model.ts';
import type { Role } from '../../protocol/events.ts';
import type { Principal } from '../auth/permissions.ts';
import { isBookingEvent } from '../domain/views.ts';

export type Feed = 'full' | 'public' | 'figures';
/** The roles fed the queue (snapshots and deltas); phones are fed their ticket's view instead (track.ts). */
export type QueueRole = Exclude<Role, 'track'>;
export const FEEDS: Record<QueueRole, { feed: Feed; merged: boolean }> = {
  // A TV shows numbers and calls, never what a citizen told the kiosk: the public feed, at once.
  display: { feed: 'public', merged: false },
  counter: { feed: 'full', merged: false },
  kiosk: { feed: 'figures', merged: true },
  agent: { feed: 'figures', merged: true },
};
/** Kiosks' and agents' deltas, and phones' views of tickets not just called, are merged over this window. */
export const MERGE_WINDOW_MS = 250;

/**
 * The feed a REST reader gets, as its socket would: staff everything, a device
 * its namespace's feed, the demo screen on the server machine (which stands for
 * a kiosk and a TV at once) the public feed.
 */
export function feedOf(p: Principal): Feed {
  if (p.kind === 'user') return 'full';
  if (p.loopback) return 'public';
  // An office box only ships its journals (server/sync): it reads no more of a queue than a kiosk.
  return p.device.kind === 'office_box' ? 'figures' : FEEDS[p.device.kind].feed;
}

const withoutPrecheck = (t: Ticket): Ticket => (t.precheck === null ? t : { ...t, precheck: null });

/** The snapshot a role receives: figures-only feeds carry no tickets, calls or events. */
export function snapshotFor(feed: Feed, snap: QueueSnapshot): QueueSnapshot {
  if (feed === 'full') return snap;
  if (feed === 'public') return { ...snap, tickets: snap.tickets.map(withoutPrecheck) };
  return { ...snap, tickets: [], recentCalls: [] };
}

/** Survey answers are the citizen's, for the IKM report only: no screen gets them, staff included. */
const unsurveyed = (delta: QueueDelta): QueueDelta => (delta.events.some((e) => e.type === 'survey_answered') ? { ...delta, events: delta.events.filter((e) => e.type !== 'survey_answered') } : delta);

export function deltaFor(feed: Feed, delta: QueueDelta): QueueDelta {
  if (feed === 'full') return unsurveyed(delta);
  if (feed === 'public') {
    return {
      ...delta,
      tickets: delta.tickets.map(withoutPrecheck),
      // No pre-check and no booking (a name, the NIK's last 4) ever reaches a TV.
      events: delta.events.flatMap((e): QueueEvent[] => (e.type === 'precheck_failed' || e.type === 'survey_answered' || isBookingEvent(e) ? [] : e.type === 'ticket_issued' ? [{ ...e, ticket: withoutPrecheck(e.ticket) }] : [e])),
    };
  }
  return { ...delta, events: [], tickets: [] };
}

/**
 * Merges consecutive deltas of one office into one that a page applies as a
 * single step (`fromVersion` = the first version it covers). Each add is
 * O(size of that delta): a window of many commits costs no more than the
 * commits themselves.
 */
export class DeltaMerger {
  #first: QueueDelta | null = null;
  #last: QueueDelta | null = null;
  #events: QueueEvent[] = [];
  #tickets = new Map<string, Ticket>();
  #counters = new Map<string, CounterState>();

  add(delta: QueueDelta): void {
    this.#first ??= delta;
    this.#last = delta;
    for (const e of delta.events) this.#events.push(e);
    // A ticket or counter changed twice in the window: its place stays, its content is the newest.
    for (const t of delta.tickets) this.#tickets.set(t.id, t);
    for (const c of delta.counters) this.#counters.set(c.id, c);
  }

  /** The merged delta of everything added since the last take (null when nothing was). */
  take(): QueueDelta | null {
    const first = this.#first;
    const last = this.#last;
    if (!first || !last) return null;
    const merged: QueueDelta = {
      ...last,
      fromVersion: first.fromVersion ?? first.version,
      events: this.#events,
      tickets: [...this.#tickets.values()],
      counters: [...this.#counters.values()],
    };
    this.#first = this.#last = null;
    this.#events = [];
    this.#tickets = new Map();
    this.#counters = new Map();
    return merged;
  }
}
