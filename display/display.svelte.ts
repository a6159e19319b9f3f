// The waiting-room TV's page state: the office and its display profile, the
// queue copy and the calls shown (calls.ts decides which, and which are
// announced), whether it is online, pairing, sound and the clock. The
// connection (device session, health probe) lives here; components only read.
import type { ApiError } from '../protocol/errors.ts';
import type { CallView, CounterConfig, DisplayProfile, PublicOffice, QueueSnapshot } from '../protocol/model.ts';
import { officeClock } from '../protocol/format.ts';
import { api } from '../ui/api.ts';
import { deviceSession, localStore } from '../ui/device-session.ts';
import type { Announcer, SoundState } from '../ui/speech/announcer.ts';
import { callBoard, callKey } from './calls.ts';

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

const DEFAULT_PROFILE: DisplayProfile = {
  id: 'default', name: 'Default', services: [], counters: [], layout: 'landscape', secondLanguage: 'en',
  historySize: 6, showCounterStates: true, voice: 'clips', reloadAt: null,
};

const PROBE_EVERY_MS = 2_000;

export class Display {
  officeId = 'kupang';
  profileId: string | null = null;
  office = $state.raw<PublicOffice | null>(null);
  snap = $state.raw<QueueSnapshot | null>(null);
  /** Calls this profile shows, newest first, one per ticket, bounded. */
  calls = $state.raw<CallView[]>([]);
  view = $state<View>({
    liveKey: null, socketUp: false, everConnected: false, browserOnline: true, reachable: true, pairing: null,
    refused: null, sound: 'off', soundAsked: false, speakingKey: null, now: Date.now(),
  });
  /** From the "Aktifkan suara" button or any touch/key while sound is blocked (set by start). */
  unlockSound: () => void = () => undefined;

  get profile(): DisplayProfile {
    const list = this.office?.displays ?? [];
    return list.find((d) => d.id === this.profileId) ?? list[0] ?? DEFAULT_PROFILE;
  }

  get online(): boolean {
    return this.view.socketUp && this.view.browserOnline && this.view.reachable;
  }

  counter(id: string): CounterConfig {
    return this.office?.counters.find((c) => c.id === id) ?? { id, name: `Loket ${id}`, word: 'loket', services: [] };
  }

  /**
   * Connects the screen: `?office=ID&profile=ID` pick what it shows. Returns
   * what closes it. The connection's own state lives in this closure (a TV's
   * JavaScript budget is tight, and ES2020 class fields cost helper code).
   */
  start(params: URLSearchParams): () => void {
    const officeId = (this.officeId = params.get('office') ?? 'kupang');
    const profileId = (this.profileId = params.get('profile'));
    const view = this.view;
    const store = localStore();
    const board = callBoard(DEFAULT_PROFILE);
    const startedAt = Date.now();
    let announcer: Announcer | null = null;
    let clockOffset = 0;
    let probing = false;
    let reloadDue = false;
    let closed = false;
    let tickTimer: ReturnType<typeof setTimeout> | undefined;

    const online = () => (view.browserOnline = true);
    const offline = () => (view.browserOnline = false);
    const gesture = () => this.unlockSound();
    const gestureListeners = (on: boolean) => {
      for (const type of ['pointerdown', 'keydown']) {
        if (on) addEventListener(type, gesture, true);
        else removeEventListener(type, gesture, true);
      }
    };

    const loadOffice = async (): Promise<void> => {
      const r = await api<{ office: PublicOffice }>('GET', `/api/v1/offices/${encodeURIComponent(officeId)}`);
      if (r.ok) {
        this.office = r.data.office;
        const p = this.profile;
        if (profileId && p.id !== profileId) console.warn(`giliran: display profile "${profileId}" not found; showing "${p.id}"`);
        board.setProfile(p);
        this.calls = board.calls;
        void startSound();
      } else if (r.status === 404) {
        view.refused = r.error;
      } else {
        setTimeout(() => closed || void loadOffice(), 3000); // the server is not reachable yet
      }
    };

    const checkReachable = async (): Promise<void> => {
      // Only while the socket believes it is up: a pulled cable is otherwise
      // noticed only after Socket.IO's ping timeout (18 s).
      if (!view.socketUp || probing) return;
      probing = true;
      view.reachable = (await api('GET', '/healthz', undefined, {}, PROBE_EVERY_MS)).ok;
      probing = false;
    };

    const announce = (list: CallView[]) => {
      for (const c of list) {
        const key = callKey(c);
        view.liveKey = key;
        announcer?.announce(key, c.number, this.counter(c.counterId));
      }
    };

    const startSound = async (): Promise<void> => {
      const p = this.profile;
      if (p.voice === 'off' || announcer || typeof AudioContext === 'undefined') return;
      view.sound = 'starting';
      const { createAnnouncer } = await import('../ui/speech/announcer.ts');
      if (closed || announcer) return;
      announcer = createAnnouncer({
        mode: p.voice,
        letters: (this.office?.services ?? []).filter((s) => p.services.length === 0 || p.services.includes(s.id)).map((s) => s.prefix),
        counters: this.office?.counters ?? [],
        onState(st) {
          view.sound = st;
          gestureListeners(st === 'blocked');
        },
        onSpeaking(key) {
          view.speakingKey = key;
          if (!key && reloadDue) location.reload();
        },
      });
    };

    const tick = () => {
      clearTimeout(tickTimer);
      const now = Date.now() + clockOffset;
      view.now = now;
      checkReload(now);
      // Wake just after the next minute starts; nothing on screen changes faster.
      tickTimer = setTimeout(tick, 60_050 - (now % 60_000));
    };

    const checkReload = (now: number) => {
      const at = this.profile.reloadAt;
      const tz = this.office?.timeZone;
      // Only a page that was already running when this minute began: the reloaded one must not reload again.
      if (!at || !tz || startedAt + clockOffset >= now - (now % 60_000)) return;
      const c = officeClock(now, tz);
      if (`${c.hour}:${c.minute}` !== at) return;
      if (view.speakingKey) reloadDue = true;
      else location.reload();
    };

    this.unlockSound = () => {
      announcer?.unlock();
      store?.setItem(SOUND_KEY, '1');
      view.soundAsked = true;
    };

    view.soundAsked = store?.getItem(SOUND_KEY) === '1';
    view.browserOnline = navigator.onLine;
    addEventListener('online', online);
    addEventListener('offline', offline);
    void loadOffice();
    const session = deviceSession({
      kind: 'display',
      office: officeId,
      name: `Layar ${officeId} ${profileId ?? ''}`.trim().slice(0, 80),
      socketOptions: { reconnectionDelay: 500, reconnectionDelayMax: 2000 },
      onPairing: (p) => (view.pairing = p && { code: p.code }),
    });
    session.start({
      onSnapshot: (s) => {
        const newDay = this.snap?.officeDay !== s.officeDay;
        clockOffset = Date.parse(s.serverTime) - Date.now();
        this.snap = s;
        announce(board.snapshot(s));
        this.calls = board.calls;
        if (newDay) tick();
      },
      onDelta: (d, s) => {
        this.snap = s;
        const fresh = board.delta(d);
        if (fresh.length === 0) return;
        this.calls = board.calls;
        announce(fresh);
      },
      onConnection(up) {
        view.socketUp = up;
        if (up) {
          view.everConnected = true;
          view.reachable = true;
          view.refused = null;
        }
      },
      onRefused: (e) => (view.refused = e),
      // The office's data cannot be read: said where a refusal is (the last queue stays on screen).
      onUnavailable: (e) => (view.refused = e),
      // Saved in the admin console: counter names, marquee, profile take effect without a reload.
      onClient: (c) =>
        c.socket.on('office', (o) => {
          this.office = o;
          board.setProfile(this.profile);
          this.calls = board.calls;
        }),
    });
    tick();
    const probe = setInterval(() => void checkReachable(), PROBE_EVERY_MS);

    return () => {
      closed = true;
      removeEventListener('online', online);
      removeEventListener('offline', offline);
      gestureListeners(false);
      clearInterval(probe);
      clearTimeout(tickTimer);
      session.close();
      announcer?.close();
    };
  }
}

export const display = new Display();
