// Indonesian cardinal numbers as words (DOMAIN.md "Wording"): 1 satu,
// 11 sebelas, 100 seratus, 1000 seribu. Each word is also the name of one
// bundled audio clip, so the list form is what the announcer plays.

const UNITS = ['nol', 'satu', 'dua', 'tiga', 'empat', 'lima', 'enam', 'tujuh', 'delapan', 'sembilan'] as const;

function below1000(n: number): string[] {
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds === 1) words.push('seratus');
  else if (hundreds > 1) words.push(UNITS[hundreds]!, 'ratus');
  if (rest === 0) return words;
  if (rest < 10) words.push(UNITS[rest]!);
  else if (rest === 10) words.push('sepuluh');
  else if (rest === 11) words.push('sebelas');
  else if (rest < 20) words.push(UNITS[rest - 10]!, 'belas');
  else {
    words.push(UNITS[Math.floor(rest / 10)]!, 'puluh');
    if (rest % 10 > 0) words.push(UNITS[rest % 10]!);
  }
  return words;
}

/** 123 → ["seratus", "dua", "puluh", "tiga"]; whole numbers 0 … 999 999 999. */
export function numberWords(n: number): string[] {
  if (!Number.isInteger(n) || n < 0 || n > 999_999_999) throw new RangeError(`no Indonesian words for ${n}`);
  if (n === 0) return ['nol'];
  const millions = Math.floor(n / 1_000_000);
  const thousands = Math.floor(n / 1000) % 1000;
  const words: string[] = [];
  if (millions > 0) words.push(...below1000(millions), 'juta');
  if (thousands === 1) words.push('seribu');
  else if (thousands > 1) words.push(...below1000(thousands), 'ribu');
  words.push(...below1000(n % 1000));
  return words;
}

/** 123 → "seratus dua puluh tiga". */
export function numberToWords(n: number): string {
  return numberWords(n).join(' ');
}

const LETTER_NAMES: Record<string, string> = {
  A: 'a', B: 'be', C: 'ce', D: 'de', E: 'e', F: 'ef', G: 'ge', H: 'ha', I: 'i', J: 'je', K: 'ka', L: 'el', M: 'em',
  N: 'en', O: 'o', P: 'pe', Q: 'ki', R: 'er', S: 'es', T: 'te', U: 'u', V: 've', W: 'we', X: 'eks', Y: 'ye', Z: 'zet',
};

/** The Indonesian name of a letter: "B" → "be". */
export function letterName(letter: string): string {
  const name = LETTER_NAMES[letter.toUpperCase()];
  if (!name) throw new RangeError(`not a letter A–Z: ${letter}`);
  return name;
}
