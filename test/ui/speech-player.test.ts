// The speech-synthesis option: the chime from the clips, then the sentence in
// the browser's Indonesian voice; without such a voice, the clips say it all.
import { afterEach, describe, expect, it } from 'vitest';
import type { Announcement } from '../../ui/speech/announcement-queue.ts';
import { callClips, callText } from '../../ui/speech/call-phrase.ts';
import type { ClipPlayer } from '../../ui/speech/clip-player.ts';
import { createSpeechPlayer } from '../../ui/speech/speech-player.ts';

const loket = { id: '3', name: 'Loket 3', word: 'loket' };
const a: Announcement = { key: 'k', clips: callClips('A123', loket), text: callText('A123', loket) };

function fakeClips(): ClipPlayer & { played: string[][] } {
  const played: string[][] = [];
  return {
    played,
    ctx: {} as AudioContext,
    state: 'running',
    unlock() {},
    preload() {},
    async play(x) {
      played.push(x.clips);
    },
  };
}

const g = globalThis as Record<string, unknown>;
afterEach(() => {
  delete g.speechSynthesis;
  delete g.SpeechSynthesisUtterance;
});

describe('speech player', () => {
  it('plays the clips when the browser has no Indonesian voice', async () => {
    g.speechSynthesis = { getVoices: () => [{ lang: 'en-US' }], speak() {} };
    const clips = fakeClips();
    await createSpeechPlayer(clips).play(a);
    expect(clips.played).toEqual([a.clips]);
  });

  it('plays the chime, then speaks the sentence with the Indonesian voice', async () => {
    const spoken: Array<{ text: string; lang: string }> = [];
    g.SpeechSynthesisUtterance = class {
      voice: unknown = null;
      lang = '';
      rate = 1;
      onend: (() => void) | null = null;
      onerror: (() => void) | null = null;
      constructor(public text: string) {}
    };
    g.speechSynthesis = {
      getVoices: () => [{ lang: 'en-US' }, { lang: 'id-ID' }],
      speak(u: { text: string; lang: string; onend(): void }) {
        spoken.push({ text: u.text, lang: u.lang });
        setTimeout(() => u.onend(), 1);
      },
    };
    const clips = fakeClips();
    await createSpeechPlayer(clips).play(a);
    expect(clips.played).toEqual([['chime']]);
    expect(spoken).toEqual([{ text: 'Nomor antrean A seratus dua puluh tiga, silakan ke loket tiga', lang: 'id-ID' }]);
  });
});
