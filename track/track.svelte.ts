// The phone page's state: the last view of the ticket and when it came, whether
// the page is connected, a refusal (wrong key, unknown ticket), and the two
// moments that alert the citizen: "you are called" and "only N ahead". The
// socket (connection.ts) and the components only feed and read it.
import type { ApiError } from '../protocol/errors.ts';
import type { TrackFrame, TrackView } from './track-types.ts';

/** The place in a ticket's address: /t/<office>/<day>/<number>?k=KEY. */
export interface TicketRef {
  office: string;
  day: string;
  number: string;
  key: string | null;
}

export function parseTrackPath(pathname: string, search: string): TicketRef | null {
  const m = /^\/t\/([^/]+)\/(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9]{1,12})\/?$/.exec(pathname);
  if (!m) return null;
  const key = new URLSearchParams(search).get('k');
  return { office: decodeURIComponent(m[1]!), day: m[2]!, number: m[3]!, key: key || null };
}

/** What the page keeps of a ticket between visits (localStorage): the view and when it arrived. */
export interface Saved {
  view: TrackView;
  at: number;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const DEFAULT_THRESHOLD = 3;

/** What happened with a new view, for the sound and vibration (played by the page). */
export type Alert = 'called' | 'near' | null;

export class Track {
  view = $state.raw<TrackView | null>(null);
  /** Local time (ms) the view arrived; a saved view keeps its own. */
  receivedAt = $state<number | null>(null);
  online = $state(false);
  /** The socket has connected at least once since the page opened. */
  everConnected = $state(false);
  refused = $state.raw<ApiError | null>(null);
  now = $state(Date.now());
  /** The number of calls the citizen has acknowledged ("Baik, saya ke sana"). */
  seenCalls = $state(0);
  /** The ahead figure that last raised the "only N ahead" alert (once per figure). */
  private nearAt: number | null = null;

  constructor(readonly ref: TicketRef, private readonly storage: KeyValueStore | null = null) {}

  get storageKey(): string {
    return `giliran.track.${this.ref.office}/${this.ref.day}/${this.ref.number}`;
  }

  /** The saved view of this ticket, if any (shown with its age before the socket answers). */
  restore(): void {
    const raw = this.storage?.getItem(this.storageKey);
    if (!raw) return;
    try {
      const s = JSON.parse(raw) as Saved;
      if (s.view?.number !== this.ref.number) return;
      this.view = s.view;
      this.receivedAt = s.at;
      this.seenCalls = s.view.calls; // a call from before this visit has been shown already
      if (s.view.state === 'waiting' && s.view.ahead !== null) this.nearAt = s.view.ahead;
    } catch {
      /* a damaged entry is ignored; the next view replaces it */
    }
  }

  /** A view from the server; returns what it should alert. Never goes back to an older version. */
  apply(frame: TrackFrame, at = Date.now()): Alert {
    const prev = this.view;
    if (prev && prev.officeDay === frame.officeDay && frame.version < prev.version) return null;
    // A pushed frame leaves out the office block when it has not changed: keep the one we have.
    const office = frame.office ?? prev?.office;
    if (!office) return null; // cannot happen (a socket's first frame has it); the next refresh brings it
    const view: TrackView = { ...frame, office };
    this.view = view;
    this.receivedAt = at;
    this.now = Math.max(this.now, at);
    this.refused = null;
    try {
      this.storage?.setItem(this.storageKey, JSON.stringify({ view, at } satisfies Saved));
    } catch {
      /* storage full or off: the page works without it */
    }
    if (view.state === 'called' && view.calls > this.seenCalls && (!prev || prev.state !== 'called' || view.calls > prev.calls)) return 'called';
    const threshold = this.threshold;
    if (view.state === 'waiting' && view.ahead !== null && view.ahead <= threshold && this.nearAt !== view.ahead && (prev === null || prev.ahead === null || view.ahead < prev.ahead)) {
      this.nearAt = view.ahead;
      return prev === null ? null : 'near'; // the first view is what the citizen just opened: no alarm
    }
    return null;
  }

  setOnline(online: boolean, at = Date.now()): void {
    this.online = online;
    if (online) this.everConnected = true;
    this.now = at;
  }

  refuse(error: ApiError): void {
    this.refused = error;
    // The server reveals nothing to a wrong key: neither does the page, not even a saved copy.
    if (error.code === 'holder_key_invalid') {
      this.view = null;
      this.receivedAt = null;
    }
  }

  tick(at = Date.now()): void {
    this.now = at;
  }

  acknowledgeCall(): void {
    if (this.view) this.seenCalls = this.view.calls;
  }

  /** The full-screen "Silakan ke Loket 3": called, and not yet acknowledged. */
  get calling(): boolean {
    const v = this.view;
    return !!v && v.state === 'called' && v.calls > this.seenCalls;
  }

  get threshold(): number {
    return this.view?.notify?.threshold ?? DEFAULT_THRESHOLD;
  }

  /** Waiting with no more than the threshold ahead. */
  get near(): boolean {
    const v = this.view;
    return !!v && v.state === 'waiting' && v.ahead !== null && v.ahead <= this.threshold;
  }

  /** Whole minutes since the figures arrived; null without figures. */
  get ageMinutes(): number | null {
    if (this.receivedAt === null) return null;
    return Math.max(0, Math.floor((this.now - this.receivedAt) / 60_000));
  }

  /** Not connected, with figures to show (the banner "Tidak terhubung — data 2 menit lalu"). */
  get offline(): boolean {
    return !this.online && (this.everConnected || this.view !== null);
  }

  /** A final state: nothing more will change for this ticket. */
  get finished(): boolean {
    const s = this.view?.state;
    return s === 'done' || s === 'no_show' || s === 'cancelled';
  }
}
