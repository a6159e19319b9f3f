// The browser's own Indonesian voice, where the TV has a good one: the chime
// from the clips, then the sentence spoken by speechSynthesis. Without an
// Indonesian voice it plays the clips instead.
import type { AnnouncementPlayer } from './announcement-queue.ts';
import { CHIME } from './call-phrase.ts';
import type { ClipPlayer } from './clip-player.ts';

function indonesianVoice(): SpeechSynthesisVoice | null {
  return (globalThis.speechSynthesis?.getVoices() ?? []).find((v) => /^id([-_]|$)/i.test(v.lang)) ?? null;
}

export function createSpeechPlayer(clips: ClipPlayer): AnnouncementPlayer {
  return {
    async play(a) {
      const voice = indonesianVoice();
      if (!voice) return clips.play(a);
      await clips.play({ ...a, clips: a.clips.filter((c) => c === CHIME) });
      await new Promise<void>((resolve) => {
        const u = new SpeechSynthesisUtterance(a.text);
        u.voice = voice;
        u.lang = voice.lang;
        u.rate = 0.9;
        // Some engines never fire 'end' for an utterance: do not wait for ever.
        const timer = setTimeout(done, 4000 + a.text.length * 150);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        u.onend = done;
        u.onerror = done;
        speechSynthesis.speak(u);
      });
    },
  };
}
