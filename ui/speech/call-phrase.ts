// What the TV says for a call: "Nomor antrean A seratus dua puluh tiga,
// silakan ke loket tiga" (DOMAIN.md), as text for a speech voice and as the
// list of bundled clips that say it.
import { letterName, numberWords } from './number-words.ts';

/** The counter fields the phrase needs (a CounterConfig fits). */
export interface SpokenCounter {
  id: string;
  name: string;
  /** "loket", "meja", "ruang" … */
  word: string;
}

export const CHIME = 'chime';

interface Parts {
  letters: string[];
  /** Ticket sequence number without leading zeros, or null when the number has no digits. */
  seq: number | null;
}

/** "A123" → letters ["A"], seq 123; "A007" → seq 7. */
export function ticketParts(number: string): Parts {
  const m = /^([A-Za-z]*)(\d*)$/.exec(number.trim());
  if (!m) return { letters: [...number.replace(/[^A-Za-z]/g, '')].map((l) => l.toUpperCase()), seq: null };
  return { letters: [...m[1]!.toUpperCase()], seq: m[2] ? Number(m[2]) : null };
}

/** The number spoken after the counter word: the name's trailing number ("Loket 3"), else a numeric or one-letter id. */
export function counterNumber(counter: SpokenCounter): number | string | null {
  const fromName = /(\d+)\s*$/.exec(counter.name);
  if (fromName) return Number(fromName[1]);
  if (/^\d+$/.test(counter.id)) return Number(counter.id);
  if (/^[A-Za-z]$/.test(counter.id)) return counter.id.toUpperCase();
  return null;
}

/** Clip name of a counter word: "Loket" → "loket", "Ruang Foto" → "ruang-foto". */
export function wordClip(word: string): string {
  const w = word.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return w || 'loket';
}

function counterClips(counter: SpokenCounter): string[] {
  const n = counterNumber(counter);
  const tail = n === null ? [] : typeof n === 'number' ? numberWords(n) : [`huruf-${n.toLowerCase()}`];
  return [wordClip(counter.word), ...tail];
}

/** Clips in playing order, the chime first. */
export function callClips(number: string, counter: SpokenCounter): string[] {
  const { letters, seq } = ticketParts(number);
  return [
    CHIME,
    'nomor-antrean',
    ...letters.map((l) => `huruf-${l.toLowerCase()}`),
    ...(seq === null ? [] : numberWords(seq)),
    'silakan-ke',
    ...counterClips(counter),
  ];
}

/** The sentence for a speech voice: "Nomor antrean A seratus dua puluh tiga, silakan ke loket tiga". */
export function callText(number: string, counter: SpokenCounter): string {
  const { letters, seq } = ticketParts(number);
  const n = counterNumber(counter);
  const counterPart = [counter.word.trim().toLowerCase() || 'loket'];
  if (typeof n === 'number') counterPart.push(numberWords(n).join(' '));
  else if (typeof n === 'string') counterPart.push(letterName(n));
  const numberPart = [...letters, ...(seq === null ? [] : numberWords(seq))].join(' ');
  return `Nomor antrean ${numberPart}, silakan ke ${counterPart.join(' ')}`;
}
