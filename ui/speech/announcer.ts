// The display's voice, loaded lazily (its own chunk) only when a profile
// speaks: turns a call into an announcement and queues it on the clip or
// speech player. window.__giliranAudio shows the queue to tests.
import { createAnnouncementQueue, newTrace, type AudioTrace } from './announcement-queue.ts';
import { CHIME, callClips, callText, wordClip, type SpokenCounter } from './call-phrase.ts';
import { createClipPlayer, type SoundState } from './clip-player.ts';
import { createSpeechPlayer } from './speech-player.ts';

declare global {
  interface Window {
    __giliranAudio?: AudioTrace;
  }
}

export type { SoundState };

export interface AnnouncerOptions {
  mode: 'clips' | 'speech';
  /** Ticket letters and counters of the office, to fetch their clips ahead of the first call. */
  letters: string[];
  counters: SpokenCounter[];
  onState(state: SoundState): void;
  /** The call being spoken (its key) or null. */
  onSpeaking(key: string | null): void;
}

export interface Announcer {
  announce(key: string, number: string, counter: SpokenCounter): void;
  /** Call from a user gesture. */
  unlock(): void;
  readonly state: SoundState;
  close(): void;
}

const NUMBER_CLIPS = ['satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan', 'sepuluh', 'sebelas', 'belas', 'puluh', 'seratus', 'ratus'];

export function createAnnouncer(opts: AnnouncerOptions): Announcer {
  const trace = newTrace();
  window.__giliranAudio = trace;
  const clips = createClipPlayer({ trace, onState: opts.onState });
  clips.preload([CHIME, 'nomor-antrean', 'silakan-ke', ...NUMBER_CLIPS, ...opts.letters.map((l) => `huruf-${l.toLowerCase()}`), ...new Set(opts.counters.map((c) => wordClip(c.word)))]);
  const player = opts.mode === 'speech' ? createSpeechPlayer(clips) : clips;
  let speaking: string | null = null;
  const queue = createAnnouncementQueue(player, {
    trace,
    onChange() {
      const key = queue.current?.key ?? null;
      if (key !== speaking) opts.onSpeaking((speaking = key));
    },
  });
  return {
    announce(key, number, counter) {
      queue.enqueue({ key, clips: callClips(number, counter), text: callText(number, counter) });
    },
    unlock: () => clips.unlock(),
    get state() {
      return clips.state;
    },
    close() {
      queue.close();
      void clips.ctx.close();
    },
  };
}
