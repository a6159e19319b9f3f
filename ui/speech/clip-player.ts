// Plays an announcement from short bundled clips (public/voice/, see its
// README), decoded once and scheduled back to back on one AudioContext so
// the words join without gaps from the network or the media element.
import { pushBounded, type Announcement, type AnnouncementPlayer, type AudioTrace } from './announcement-queue.ts';

/** public/voice/manifest.json; every field optional. */
export interface VoiceManifest {
  /** Silence between two clips, ms. */
  gapMs?: number;
  /** Extra silence after / before a clip, ms (after the chime, before "silakan ke"). */
  pauseAfterMs?: Record<string, number>;
  pauseBeforeMs?: Record<string, number>;
  /** File of a clip when it is not "<name>.ogg" (an office's own recordings may be .mp3, .wav …). */
  files?: Record<string, string>;
}

export type SoundState = 'starting' | 'running' | 'blocked';

export interface ClipPlayerOptions {
  base?: string;
  trace: AudioTrace;
  onState?(state: SoundState): void;
  /** How long an announcement waits for sound to be allowed before it is skipped. */
  waitForSoundMs?: number;
}

export interface ClipPlayer extends AnnouncementPlayer {
  readonly ctx: AudioContext;
  readonly state: SoundState;
  /** Call from a click/key handler: a user gesture lets the context run. */
  unlock(): void;
  /** Fetches and decodes clips ahead of the first call. */
  preload(names: Iterable<string>): void;
}

export function createClipPlayer(opts: ClipPlayerOptions): ClipPlayer {
  const base = opts.base ?? '/voice/';
  const ctx = new AudioContext({ latencyHint: 'playback' });
  const buffers = new Map<string, Promise<AudioBuffer | null>>();
  const waiters = new Set<() => void>();
  let manifest: VoiceManifest = {};
  let state: SoundState = 'starting';
  const ready = fetch(`${base}manifest.json`)
    .then((r) => (r.ok ? (r.json() as Promise<VoiceManifest>) : {}))
    .catch(() => ({}))
    .then((m) => void (manifest = m));

  function checkState(settle = false): void {
    const running = ctx.state === 'running';
    const next: SoundState = running ? 'running' : settle || state === 'blocked' ? 'blocked' : state;
    if (running) for (const w of waiters) w();
    if (next !== state) {
      state = next;
      opts.trace.state = next;
      opts.onState?.(next);
    }
  }

  function load(name: string): Promise<AudioBuffer | null> {
    let p = buffers.get(name);
    if (!p) {
      p = ready
        .then(() => fetch(base + (manifest.files?.[name] ?? `${name}.ogg`)))
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(String(r.status)))))
        .then((data) => ctx.decodeAudioData(data))
        .catch(() => {
          console.warn(`giliran: voice clip "${name}" missing or unreadable; it is skipped`);
          return null;
        });
      buffers.set(name, p);
    }
    return p;
  }

  function whenRunning(timeoutMs: number): Promise<boolean> {
    if (ctx.state === 'running') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(ok);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.add(wake);
    });
  }

  ctx.onstatechange = () => checkState();
  checkState();
  // Autoplay allowed (kiosk flag, or the site earned it) → running at once; otherwise
  // the context stays suspended until a gesture, and the page asks for one.
  if (ctx.state !== 'running') {
    void ctx.resume().catch(() => undefined);
    setTimeout(() => checkState(true), 400);
  }

  return {
    ctx,
    get state() {
      return state;
    },
    unlock() {
      void ctx.resume().then(() => checkState()).catch(() => undefined);
    },
    preload(names) {
      for (const n of names) void load(n);
    },
    async play(a: Announcement) {
      const decoded = await Promise.all(a.clips.map(load));
      if (!(await whenRunning(opts.waitForSoundMs ?? 60_000))) return;
      const gap = (manifest.gapMs ?? 40) / 1000;
      let t = ctx.currentTime + 0.05;
      const ends: Array<Promise<void>> = [];
      a.clips.forEach((name, i) => {
        const buf = decoded[i];
        if (!buf) return;
        t += (manifest.pauseBeforeMs?.[name] ?? 0) / 1000;
        const src = ctx.createBufferSource();
        src.buffer = buf;
        src.connect(ctx.destination);
        ends.push(
          new Promise<void>((resolve) => {
            src.onended = () => {
              src.disconnect();
              pushBounded(opts.trace.played, name, 500);
              resolve();
            };
          }),
        );
        src.start(t);
        t += buf.duration + gap + (manifest.pauseAfterMs?.[name] ?? 0) / 1000;
      });
      // A stalled audio device must not hold the queue for ever.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<void>((r) => (timer = setTimeout(r, (t - ctx.currentTime) * 1000 + 3000)));
      await Promise.race([Promise.all(ends), stalled]);
      clearTimeout(timer);
    },
  };
}
