// Everything the waiting-room TV knows: the office and its display profile,
// the queue copy, the calls this screen shows (bounded), whether it is
// online, pairing, sound and the clock. The components only read it.
//
// A factory with closures rather than a class: the pages are built for
// ES2020, where class fields and runes in classes turn into helper code, and
// a TV's JavaScript budget is tight.
import type { ApiError } from '../protocol/errors.ts';
import type { CallView, CounterConfig, DisplayProfile, PublicOffice, QueueDelta, QueueSnapshot } from '../protocol/model.ts';
import { QueueClient } from '../ui/queue-client.ts';
import type { Announcer, SoundState } from '../ui/speech/announcer.ts';

export const TOKEN_KEY = 'giliran.display.deviceToken';
/** Set once someone answered the "Aktifkan suara" prompt on this screen. */
export const SOUND_KEY = 'giliran.display.soundAsked';

/** 'off' = the profile is silent; 'blocked' = the browser waits for a gesture. */
export type SoundUi = 'off' | SoundState;

export interface View {
  /** The last call that arrived live (highlighted); null after a reload. */
  liveKey: string | null;
  socketUp: boolean;
  everConnected: boolean;
  browserOnline: boolean;
  /** The server answered the last health probe. */
  reachable: boolean;
  pairing: { code: string } | null;
  refused: ApiError | null;
  sound: SoundUi;
  /** The sound prompt was answered before on this screen: show the small reminder, not the big one. */
  soundAsked: boolean;
  /** The call being spoken. */
  speakingKey: string | null;
  /** Server-corrected time, advanced once a minute. */
  now: number;
}

export interface DisplayState {
  readonly officeId: string;
  readonly office: PublicOffice | null;
  readonly snap: QueueSnapshot | null;
  /** Calls this profile shows, newest first, one per ticket, bounded. */
  readonly calls: CallView[];
  readonly profile: DisplayProfile;
  readonly online: boolean;
  readonly view: View;
  counter(id: string): CounterConfig;
  /** From the "Aktifkan suara" button or any touch/key while sound is blocked. */
  unlockSound(): void;
  start(): void;
  close(): void;
}

const DEFAULT_PROFILE: DisplayProfile = {
  id: 'default', name: 'Default', services: [], counters: [], layout: 'landscape', secondLanguage: 'en',
  historySize: 6, showCounterStates: true, voice: 'clips', reloadAt: null,
};

/** A call newer than this (ms, by the server's clock) found in a snapshot after a reconnect is still announced. */
const ANNOUNCE_MISSED_WITHIN_MS = 60_000;
const PROBE_EVERY_MS = 2_000;
const SEEN_MAX = 64;

export const callKey = (c: CallView): string => `${c.ticketId}@${c.at}${c.recall ? '/r' : ''}`;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function createDisplayState(params: URLSearchParams): DisplayState {
  const officeId = params.get('office') ?? 'kupang';
  const profileId = params.get('profile');

  let office = $state.raw<PublicOffice | null>(null);
  let snap = $state.raw<QueueSnapshot | null>(null);
  let calls = $state.raw<CallView[]>([]);
  const view = $state<View>({
    liveKey: null, socketUp: false, everConnected: false, browserOnline: true, reachable: true, pairing: null,
    refused: null, sound: 'off', soundAsked: storage()?.getItem(SOUND_KEY) === '1', speakingKey: null, now: Date.now(),
  });

  let client: QueueClient | null = null;
  let announcer: Announcer | null = null;
  /** Calls already shown or announced (bounded; insertion order = age). */
  const seen = new Set<string>();
  let lastAt = '';
  let clockOffset = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let tickTimer: ReturnType<typeof setTimeout> | undefined;
  let probe: ReturnType<typeof setInterval> | undefined;
  let probing = false;
  let pairingRun = 0;
  let reloadDue = false;
  const startedAt = Date.now();
  let closed = false;

  const profile = (): DisplayProfile => {
    const list = office?.displays ?? [];
    return list.find((d) => d.id === profileId) ?? list[0] ?? DEFAULT_PROFILE;
  };
  const shows = (c: { serviceId: string; counterId: string }): boolean => {
    const p = profile();
    return (p.services.length === 0 || p.services.includes(c.serviceId)) && (p.counters.length === 0 || p.counters.includes(c.counterId));
  };
  const counter = (id: string): CounterConfig =>
    office?.counters.find((c) => c.id === id) ?? { id, name: `Loket ${id}`, word: 'loket', services: [] };

  /** One-shot timer that close() cancels. */
  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  }

  const onOnline = () => (view.browserOnline = true);
  const onOffline = () => (view.browserOnline = false);
  const onGesture = () => unlockSound();
  function gestureListeners(on: boolean): void {
    for (const type of ['pointerdown', 'keydown']) {
      if (on) window.addEventListener(type, onGesture, true);
      else window.removeEventListener(type, onGesture, true);
    }
  }

  // ---------------------------------------------------------------- office

  async function loadOffice(): Promise<void> {
    try {
      const r = await fetch(`/api/v1/offices/${encodeURIComponent(officeId)}`, { cache: 'no-store' });
      if (r.ok) {
        office = ((await r.json()) as { office: PublicOffice }).office;
        if (profileId && profile().id !== profileId) console.warn(`giliran: display profile "${profileId}" not found; showing "${profile().id}"`);
        calls = trim(calls.filter(shows));
        void startSound();
        return;
      }
      if (r.status === 404) return void (view.refused = ((await r.json()) as { error: ApiError }).error);
    } catch {
      // the server is not reachable yet
    }
    later(3000, () => void loadOffice());
  }

  // ------------------------------------------------------------ connection

  function connect(): void {
    const token = storage()?.getItem(TOKEN_KEY) ?? undefined;
    const c = new QueueClient(
      {
        role: 'display',
        office: officeId,
        ...(token ? { deviceToken: token } : {}),
        socketOptions: { reconnectionDelay: 500, reconnectionDelayMax: 2000 },
      },
      {
        onSnapshot,
        onDelta,
        onConnection(up) {
          view.socketUp = up;
          if (up) {
            view.everConnected = true;
            view.reachable = true;
            view.refused = null;
          }
        },
        onRefused(e) {
          if (e.code === 'device_not_paired') {
            storage()?.removeItem(TOKEN_KEY);
            void startPairing();
          } else {
            view.refused = e;
          }
        },
      },
    );
    // The server drops a revoked device's socket without reconnecting it: try
    // again, and the handshake's refusal leads to pairing.
    c.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') later(2000, () => c.connect());
    });
    client = c;
    c.connect();
  }

  async function checkReachable(): Promise<void> {
    // Only while the socket believes it is up: a pulled cable is otherwise
    // noticed only after Socket.IO's ping timeout (18 s).
    if (!view.socketUp || probing) return;
    probing = true;
    try {
      view.reachable = (await fetch('/healthz', { cache: 'no-store', signal: AbortSignal.timeout(PROBE_EVERY_MS) })).ok;
    } catch {
      view.reachable = false;
    } finally {
      probing = false;
    }
  }

  // --------------------------------------------------------------- pairing

  async function startPairing(): Promise<void> {
    const run = ++pairingRun;
    client?.close();
    try {
      const r = await fetch('/api/v1/devices/pairing', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'display', name: `Layar ${officeId} ${profileId ?? ''}`.trim().slice(0, 80) }),
      });
      if (!r.ok) throw new Error(String(r.status));
      const p = (await r.json()) as { requestId: string; code: string; secret: string };
      if (run !== pairingRun) return;
      view.pairing = { code: p.code };
      pollPairing(run, p.requestId, p.secret);
    } catch {
      later(5000, () => void startPairing());
    }
  }

  function pollPairing(run: number, requestId: string, secret: string): void {
    later(2000, async () => {
      if (run !== pairingRun) return;
      let status = 0;
      let body: { status?: string; token?: string } = {};
      try {
        const r = await fetch(`/api/v1/devices/pairing/${encodeURIComponent(requestId)}`, { headers: { 'x-pairing-secret': secret }, cache: 'no-store' });
        status = r.status;
        body = (await r.json()) as typeof body;
      } catch {
        // the server is away for a moment: keep asking
      }
      if (run !== pairingRun) return;
      if (status === 200 && body.status === 'approved' && body.token) {
        storage()?.setItem(TOKEN_KEY, body.token);
        view.pairing = null;
        connect();
      } else if (status === 404) {
        void startPairing(); // expired: a new code
      } else {
        pollPairing(run, requestId, secret);
      }
    });
  }

  // ----------------------------------------------------------------- queue

  const trim = (list: CallView[]) => list.slice(0, Math.min(Math.max(profile().historySize + 1, 1), 30));

  function remember(key: string): void {
    seen.add(key);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value!);
  }

  /** Adds calls (oldest first) to the list: one entry per ticket, newest first. */
  function addCalls(fresh: CallView[]): void {
    let list = calls;
    for (const c of fresh) list = [c, ...list.filter((x) => x.ticketId !== c.ticketId)];
    calls = trim(list);
  }

  function onSnapshot(s: QueueSnapshot): void {
    const prev = snap;
    clockOffset = Date.parse(s.serverTime) - Date.now();
    snap = s;
    const shown = s.recentCalls.filter(shows);
    if (!prev || prev.officeDay !== s.officeDay) {
      // First sight, or a new office day: show what is there, announce nothing.
      calls = [];
      addCalls(shown);
      for (const c of s.recentCalls) remember(callKey(c));
      lastAt = s.recentCalls.at(-1)?.at ?? '';
      tick();
      return;
    }
    // Back after a disconnect or a gap: calls made meanwhile are shown, and
    // announced only if they are recent; those already announced are not.
    const cutoff = new Date(Date.parse(s.serverTime) - ANNOUNCE_MISSED_WITHIN_MS).toISOString();
    const missed = s.recentCalls.filter((c) => !seen.has(callKey(c)));
    const all = [...calls].reverse().concat(shown).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    calls = [];
    addCalls(all);
    for (const c of missed) {
      remember(callKey(c));
      if (c.at >= cutoff && c.at >= lastAt && shows(c)) announce(c);
    }
    lastAt = s.recentCalls.at(-1)?.at ?? lastAt;
  }

  function onDelta(d: QueueDelta, s: QueueSnapshot): void {
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
      if (shows(call)) fresh.push(call);
    }
    snap = s;
    if (fresh.length === 0) return;
    addCalls(fresh);
    for (const c of fresh) announce(c);
  }

  function announce(c: CallView): void {
    const key = callKey(c);
    view.liveKey = key;
    announcer?.announce(key, c.number, counter(c.counterId));
  }

  // ----------------------------------------------------------------- sound

  async function startSound(): Promise<void> {
    const p = profile();
    if (p.voice === 'off' || announcer || typeof AudioContext === 'undefined') return;
    view.sound = 'starting';
    const { createAnnouncer } = await import('../ui/speech/announcer.ts');
    if (closed || announcer) return;
    announcer = createAnnouncer({
      mode: p.voice,
      letters: (office?.services ?? []).filter((s) => p.services.length === 0 || p.services.includes(s.id)).map((s) => s.prefix),
      counters: office?.counters ?? [],
      onState(st) {
        view.sound = st;
        gestureListeners(st === 'blocked');
      },
      onSpeaking(key) {
        view.speakingKey = key;
        if (!key && reloadDue) location.reload();
      },
    });
  }

  function unlockSound(): void {
    announcer?.unlock();
    storage()?.setItem(SOUND_KEY, '1');
    view.soundAsked = true;
  }

  // ----------------------------------------------------------------- clock

  function tick(): void {
    clearTimeout(tickTimer);
    const now = Date.now() + clockOffset;
    view.now = now;
    checkReload(now);
    // Wake just after the next minute starts; nothing on screen changes faster.
    tickTimer = setTimeout(tick, 60_050 - (now % 60_000));
  }

  function checkReload(now: number): void {
    const at = profile().reloadAt;
    const tz = office?.timeZone;
    // Only a page that was already running when this minute began: the reloaded one must not reload again.
    if (!at || !tz || startedAt + clockOffset >= now - (now % 60_000)) return;
    const hm = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
    if (hm !== at) return;
    if (view.speakingKey) reloadDue = true;
    else location.reload();
  }

  return {
    officeId,
    get office() {
      return office;
    },
    get snap() {
      return snap;
    },
    get calls() {
      return calls;
    },
    get profile() {
      return profile();
    },
    get online() {
      return view.socketUp && view.browserOnline && view.reachable;
    },
    view,
    counter,
    unlockSound,
    start() {
      view.browserOnline = navigator.onLine;
      addEventListener('online', onOnline);
      addEventListener('offline', onOffline);
      void loadOffice();
      connect();
      tick();
      probe = setInterval(() => void checkReachable(), PROBE_EVERY_MS);
    },
    close() {
      closed = true;
      removeEventListener('online', onOnline);
      removeEventListener('offline', onOffline);
      gestureListeners(false);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      clearInterval(probe);
      clearTimeout(tickTimer);
      client?.close();
      announcer?.close();
    },
  };
}
