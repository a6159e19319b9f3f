// A call as the TV says it: text for a speech voice, and the clips that say it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { callClips, callText, counterNumber, ticketParts, wordClip } from '../../ui/speech/call-phrase.ts';
import { numberWords } from '../../ui/speech/number-words.ts';

const loket3 = { id: '3', name: 'Loket 3', word: 'loket' };
const VOICE = path.resolve(import.meta.dirname, '..', '..', 'public', 'voice');

describe('call phrase', () => {
  it('says "Nomor antrean A seratus dua puluh tiga, silakan ke loket tiga"', () => {
    expect(callText('A123', loket3)).toBe('Nomor antrean A seratus dua puluh tiga, silakan ke loket tiga');
    expect(callClips('A123', loket3)).toEqual(['chime', 'nomor-antrean', 'huruf-a', 'seratus', 'dua', 'puluh', 'tiga', 'silakan-ke', 'loket', 'tiga']);
  });

  it('drops leading zeros: A007 is "a tujuh"', () => {
    expect(ticketParts('A007')).toEqual({ letters: ['A'], seq: 7 });
    expect(callClips('B011', { id: '2', name: 'Loket 2', word: 'loket' })).toEqual(['chime', 'nomor-antrean', 'huruf-b', 'sebelas', 'silakan-ke', 'loket', 'dua']);
  });

  it('uses the counter word and the number at the end of its name, else its id', () => {
    expect(counterNumber({ id: 'x', name: 'Meja 12', word: 'meja' })).toBe(12);
    expect(counterNumber({ id: '7', name: 'Ruang foto', word: 'ruang' })).toBe(7);
    expect(counterNumber({ id: 'b', name: 'Ruang foto', word: 'ruang' })).toBe('B');
    expect(counterNumber({ id: 'foto', name: 'Ruang foto', word: 'ruang' })).toBeNull();
    expect(callClips('G001', { id: 'x', name: 'Meja 12', word: 'Meja' }).slice(-3)).toEqual(['meja', 'dua', 'belas']);
    expect(callClips('G001', { id: 'b', name: 'Ruang', word: 'ruang' }).slice(-2)).toEqual(['ruang', 'huruf-b']);
    expect(callText('G001', { id: 'b', name: 'Ruang', word: 'ruang' })).toBe('Nomor antrean G satu, silakan ke ruang be');
    expect(wordClip(' Ruang Foto ')).toBe('ruang-foto');
  });

  it('has a bundled clip for every word of every demo call', () => {
    const names = new Set<string>(['chime', 'nomor-antrean', 'silakan-ke', 'loket', 'meja', 'ruang']);
    for (const l of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') names.add(`huruf-${l.toLowerCase()}`);
    for (let n = 1; n <= 2000; n++) for (const w of numberWords(n)) names.add(w);
    const manifest = JSON.parse(readFileSync(path.join(VOICE, 'manifest.json'), 'utf8')) as { files?: Record<string, string> };
    const missing = [...names].filter((n) => !existsSync(path.join(VOICE, manifest.files?.[n] ?? `${n}.ogg`)));
    expect(missing).toEqual([]);
  });
});
