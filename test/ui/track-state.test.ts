// The phone page's state (track/track.svelte.ts): the view it shows and its
// age, online and offline, the "you are called" and "only N ahead" moments,
// a refusal, the saved last view; and the texts of the wait range and the hours.
import { describe, expect, it } from 'vitest';
import type { TrackView } from '../../protocol/track.ts';
import { todayHours, weekHours } from '../../track/hours.ts';
import { waitRange } from '../../track/texts.ts';
import { parseTrackPath, Track, type KeyValueStore, type TicketRef } from '../../track/track.svelte.ts';

const REF: TicketRef = { office: 'kupang', day: '2026-11-23', number: 'A004', key: 'abcdefghijk' };
const T0 = Date.UTC(2026, 10, 23, 1, 0);

function view(over: Partial<TrackView> = {}): TrackView {
  return {
    officeId: 'kupang', officeDay: '2026-11-23', ticketId: '2026-11-23/A004', number: 'A004',
    service: { id: 'ktp-el', name: { id: 'KTP-el', en: 'e-ID card' } },
    state: 'waiting', counter: null, ahead: 5, wait: { low: 15, high: 25 }, calls: 0, calledAt: null, recentCalls: [],
    office: { name: { id: 'Dukcapil Kupang', en: 'Kupang civil registry' }, shortName: 'Kupang', timeZone: 'Asia/Makassar', hours: { mon: [['08:00', '15:00']] }, complaintChannel: { id: 'SP4N-LAPOR!', en: 'SP4N-LAPOR!' }, whatsapp: null },
    holder: true, notify: null, serverTime: new Date(T0).toISOString(), version: 10,
    ...over,
  };
}
const LOKET3 = { id: '3', name: 'Loket 3', word: 'loket' };

class MemoryStore implements KeyValueStore {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

describe('the tracking address', () => {
  it('reads office, day, number and key from /t/<office>/<day>/<number>?k=KEY', () => {
    expect(parseTrackPath('/t/kupang/2026-11-23/A004', '?k=abc')).toEqual({ office: 'kupang', day: '2026-11-23', number: 'A004', key: 'abc' });
    expect(parseTrackPath('/t/kupang/2026-11-23/A004/', '')).toEqual({ office: 'kupang', day: '2026-11-23', number: 'A004', key: null });
    expect(parseTrackPath('/t/kupang/A004', '')).toBeNull();
  });
});

describe('Track state', () => {
  it('shows the view it was given, with its age in whole minutes', () => {
    const t = new Track(REF);
    expect(t.view).toBeNull();
    expect(t.ageMinutes).toBeNull();
    t.apply(view(), T0);
    expect(t.view?.ahead).toBe(5);
    t.tick(T0 + 59_000);
    expect(t.ageMinutes).toBe(0);
    t.tick(T0 + 2 * 60_000 + 1);
    expect(t.ageMinutes).toBe(2);
  });

  it('never goes back to an older version of the same day', () => {
    const t = new Track(REF);
    t.apply(view({ version: 12, ahead: 2 }), T0);
    t.apply(view({ version: 11, ahead: 4 }), T0 + 1000);
    expect(t.view?.ahead).toBe(2);
  });

  it('is offline once disconnected, with the figures it had', () => {
    const t = new Track(REF);
    expect(t.offline).toBe(false); // nothing to show yet: "connecting", not "offline"
    t.setOnline(true, T0);
    t.apply(view(), T0);
    expect(t.offline).toBe(false);
    t.setOnline(false, T0 + 120_000);
    expect(t.offline).toBe(true);
    expect(t.ageMinutes).toBe(2);
    t.setOnline(true, T0 + 130_000);
    expect(t.offline).toBe(false);
  });

  it('alerts "called" once when the ticket is called, again on a recall, and not after the citizen acknowledged', () => {
    const t = new Track(REF);
    expect(t.apply(view(), T0)).toBeNull();
    expect(t.apply(view({ version: 11, state: 'called', counter: LOKET3, ahead: null, wait: null, calls: 1 }), T0)).toBe('called');
    expect(t.calling).toBe(true);
    expect(t.apply(view({ version: 12, state: 'called', counter: LOKET3, ahead: null, wait: null, calls: 1 }), T0)).toBeNull(); // same call, new figures
    t.acknowledgeCall();
    expect(t.calling).toBe(false);
    expect(t.apply(view({ version: 13, state: 'called', counter: LOKET3, ahead: null, wait: null, calls: 2 }), T0)).toBe('called');
    expect(t.calling).toBe(true);
    t.apply(view({ version: 14, state: 'serving', counter: LOKET3, ahead: null, wait: null, calls: 2 }), T0);
    expect(t.calling).toBe(false);
  });

  it('alerts "near" when the people ahead fall to the threshold, once per figure', () => {
    const t = new Track(REF);
    t.apply(view({ ahead: 5 }), T0);
    expect(t.apply(view({ version: 11, ahead: 4 }), T0)).toBeNull();
    expect(t.apply(view({ version: 12, ahead: 3 }), T0)).toBe('near');
    expect(t.near).toBe(true);
    expect(t.apply(view({ version: 13, ahead: 3 }), T0)).toBeNull();
    expect(t.apply(view({ version: 14, ahead: 2 }), T0)).toBe('near');
  });

  it('follows the holder\'s threshold when one is set', () => {
    const t = new Track(REF);
    t.apply(view({ ahead: 8, notify: { threshold: 6, channels: ['page'], phoneLast4: null, delivered: [] } }), T0);
    expect(t.apply(view({ version: 11, ahead: 6, notify: { threshold: 6, channels: ['page'], phoneLast4: null, delivered: [] } }), T0)).toBe('near');
  });

  it('does not alarm on the first view (what the citizen just opened)', () => {
    const t = new Track(REF);
    expect(t.apply(view({ ahead: 1 }), T0)).toBeNull();
    expect(t.near).toBe(true);
  });

  it('keeps the last view and shows it again, with its age, on the next visit', () => {
    const store = new MemoryStore();
    const a = new Track(REF, store);
    a.apply(view({ ahead: 2, state: 'called', counter: LOKET3, calls: 1 }), T0);
    const b = new Track(REF, store);
    b.restore();
    b.tick(T0 + 3 * 60_000);
    expect(b.view?.ahead).toBe(2);
    expect(b.ageMinutes).toBe(3);
    expect(b.offline).toBe(true);
    expect(b.calling).toBe(false); // a call shown before is not shown as new
  });

  it('shows nothing, not even a saved copy, to a wrong key', () => {
    const store = new MemoryStore();
    new Track(REF, store).apply(view(), T0);
    const t = new Track(REF, store);
    t.restore();
    t.refuse({ code: 'holder_key_invalid', message: { id: 'x', en: 'x' } });
    expect(t.view).toBeNull();
    expect(t.refused?.code).toBe('holder_key_invalid');
  });

  it('knows the final states', () => {
    const t = new Track(REF);
    for (const state of ['done', 'no_show', 'cancelled'] as const) {
      t.apply(view({ version: t.view ? t.view.version + 1 : 1, state, ahead: null, wait: null }), T0);
      expect(t.finished).toBe(true);
    }
  });
});

describe('texts', () => {
  it('says the wait as a range, Indonesian first', () => {
    expect(waitRange({ low: 15, high: 25 }, 'id')).toBe('sekitar 15–25 menit');
    expect(waitRange({ low: 15, high: 25 }, 'en')).toBe('about 15–25 minutes');
    expect(waitRange({ low: 0, high: 0 }, 'id')).toBe('kurang dari 1 menit');
    expect(waitRange({ low: 10, high: 10 }, 'id')).toBe('sekitar 10 menit');
    expect(waitRange({ low: 60, high: 120 }, 'id')).toBe('sekitar 1 jam – 2 jam');
    // A long range whose low end is under an hour: minutes, never "0 jam".
    expect(waitRange({ low: 45, high: 100 }, 'id')).toBe('sekitar 45 menit – 1 jam 40 menit');
    expect(waitRange({ low: 45, high: 100 }, 'en')).toBe('about 45 min – 1 h 40 min');
  });

  it('gives today\'s hours in the office\'s zone and the week from Monday', () => {
    const hours = { mon: [['08:00', '12:00'], ['13:00', '15:00']] as [string, string][] };
    expect(todayHours(hours, T0, 'Asia/Makassar', 'id')).toBe('08.00–12.00, 13.00–15.00'); // Monday 23 Nov 2026, 09:00 WITA
    expect(todayHours(hours, T0 + 86_400_000, 'Asia/Makassar', 'id')).toBe('');
    expect(weekHours(hours, 'en')[0]).toEqual({ day: 'Monday', text: '08:00–12:00, 13:00–15:00' });
    expect(weekHours(hours, 'id')[6]).toEqual({ day: 'Minggu', text: '' });
  });
});
