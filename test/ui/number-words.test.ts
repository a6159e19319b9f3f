// Indonesian number words (DOMAIN.md "Wording"): what the TV says for a ticket.
import { describe, expect, it } from 'vitest';
import { letterName, numberToWords, numberWords } from '../../ui/speech/number-words.ts';

describe('numberToWords', () => {
  it.each([
    [0, 'nol'],
    [1, 'satu'],
    [7, 'tujuh'],
    [10, 'sepuluh'],
    [11, 'sebelas'],
    [12, 'dua belas'],
    [19, 'sembilan belas'],
    [20, 'dua puluh'],
    [21, 'dua puluh satu'],
    [40, 'empat puluh'],
    [99, 'sembilan puluh sembilan'],
    [100, 'seratus'],
    [101, 'seratus satu'],
    [110, 'seratus sepuluh'],
    [111, 'seratus sebelas'],
    [115, 'seratus lima belas'],
    [123, 'seratus dua puluh tiga'],
    [199, 'seratus sembilan puluh sembilan'],
    [200, 'dua ratus'],
    [210, 'dua ratus sepuluh'],
    [999, 'sembilan ratus sembilan puluh sembilan'],
    [1000, 'seribu'],
    [1001, 'seribu satu'],
    [1011, 'seribu sebelas'],
    [1100, 'seribu seratus'],
    [1999, 'seribu sembilan ratus sembilan puluh sembilan'],
    [2000, 'dua ribu'],
    [2024, 'dua ribu dua puluh empat'],
    [11000, 'sebelas ribu'],
    [100000, 'seratus ribu'],
    [101101, 'seratus satu ribu seratus satu'],
    [999999, 'sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan'],
    [1000000, 'satu juta'],
    [2001000, 'dua juta seribu'],
  ])('says %i as "%s"', (n, words) => {
    expect(numberToWords(n)).toBe(words);
  });

  it('never says "satu ratus", "satu ribu", "satu belas" or a "nol" inside a number', () => {
    const wrong: string[] = [];
    for (let n = 0; n <= 20_000; n++) {
      const w = numberToWords(n);
      if (/satu (ratus|ribu|belas|puluh)/.test(w) || (n !== 0 && w.split(' ').includes('nol'))) wrong.push(`${n}: ${w}`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives one word per clip', () => {
    expect(numberWords(123)).toEqual(['seratus', 'dua', 'puluh', 'tiga']);
    expect(numberWords(1012)).toEqual(['seribu', 'dua', 'belas']);
  });

  it('refuses what it cannot say', () => {
    expect(() => numberWords(-1)).toThrow(RangeError);
    expect(() => numberWords(1.5)).toThrow(RangeError);
    expect(() => numberWords(1e9)).toThrow(RangeError);
  });
});

describe('letterName', () => {
  it('names the ticket letters the Indonesian way', () => {
    expect(['A', 'B', 'C', 'D', 'E', 'F', 'G'].map(letterName)).toEqual(['a', 'be', 'ce', 'de', 'e', 'ef', 'ge']);
    expect(letterName('q')).toBe('ki');
    expect(() => letterName('1')).toThrow(RangeError);
  });
});
