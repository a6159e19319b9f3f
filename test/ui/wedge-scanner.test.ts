import { describe, expect, it } from 'vitest';
import { WedgeScanner } from '../../ui/wedge-scanner.ts';

function type(s: WedgeScanner, text: string, start: number, gapMs: number, target?: unknown): number {
  let t = start;
  for (const ch of text) {
    s.handleKey({ key: ch, timeStamp: t, target });
    t += gapMs;
  }
  s.handleKey({ key: 'Enter', timeStamp: t - gapMs + Math.min(gapMs, 10), target });
  return t;
}

describe('keyboard-wedge scanner detection', () => {
  it('reports a fast burst ending in Enter as one scan', () => {
    const got: string[] = [];
    const s = new WedgeScanner((c) => got.push(c));
    type(s, 'BK-2026-ABCD', 0, 8);
    expect(got).toEqual(['BK-2026-ABCD']);
  });

  it('ignores a person typing at human speed', () => {
    const got: string[] = [];
    const s = new WedgeScanner((c) => got.push(c));
    type(s, 'A001', 0, 150);
    expect(got).toEqual([]);
  });

  it('ignores keys typed into a form field', () => {
    const got: string[] = [];
    const s = new WedgeScanner((c) => got.push(c));
    type(s, 'BK-2026-ABCD', 0, 5, { tagName: 'INPUT', type: 'text' });
    expect(got).toEqual([]);
    type(s, 'BK-2026-ABCD', 1000, 5, { tagName: 'BUTTON' });
    expect(got).toEqual(['BK-2026-ABCD']);
  });

  it('drops slow leading keys and keeps the fast burst after them', () => {
    const got: string[] = [];
    const s = new WedgeScanner((c) => got.push(c));
    s.handleKey({ key: 'x', timeStamp: 0 });
    s.handleKey({ key: 'y', timeStamp: 400 });
    type(s, 'CODE1234', 900, 6);
    expect(got).toEqual(['CODE1234']);
  });

  it('needs a minimum length and a fast final Enter', () => {
    const got: string[] = [];
    const s = new WedgeScanner((c) => got.push(c), { minLength: 6 });
    type(s, 'AB12', 0, 5);
    for (const [i, ch] of [...'ABCDEFG'].entries()) s.handleKey({ key: ch, timeStamp: 100 + i * 5 });
    s.handleKey({ key: 'Enter', timeStamp: 900 });
    expect(got).toEqual([]);
  });

  it('keeps Shift inside a burst (upper-case letters)', () => {
    const got: string[] = [];
    const s = new WedgeScanner((c) => got.push(c));
    let t = 0;
    for (const ch of 'Ab1Z') {
      if (ch !== ch.toLowerCase()) s.handleKey({ key: 'Shift', timeStamp: (t += 3) });
      s.handleKey({ key: ch, timeStamp: (t += 5) });
    }
    s.handleKey({ key: 'Enter', timeStamp: t + 5 });
    expect(got).toEqual(['Ab1Z']);
  });
});
