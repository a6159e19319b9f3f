// The counter screen's pure parts: what a scanned code names, which key is
// which command, the scanner-burst gate, and what the screen derives from a
// queue snapshot.
import { describe, expect, it } from 'vitest';
import type { CounterState, QueueSnapshot, Ticket } from '../../protocol/model.ts';
import { trackUrl } from '../../protocol/urls.ts';
import {
  callableTickets,
  findTicket,
  formatDuration,
  heldTicket,
  meanServiceSeconds,
  parkedAt,
  reinstatable,
  statsFor,
  statusOf,
  whyNot,
  canCallTicket,
  type DeskView,
} from '../../counter/queue-view.ts';
import { m } from '../../counter/strings.ts';
import { commandRef, parseTicketCode } from '../../counter/scan.ts';
import { actionOfKey, ariaShortcut, DESK_ACTIONS, KeyGate, SHORTCUT_KEYS, shortcutLabel, type Timers } from '../../counter/shortcuts.ts';

const DAY = '2026-11-23';
const at = (min: number) => new Date(Date.UTC(2026, 10, 23, 1, min)).toISOString();

function ticket(number: string, over: Partial<Ticket> = {}): Ticket {
  return {
    id: `${DAY}/${number}`,
    number,
    serviceId: number.startsWith('A') ? 'ktp-el' : number.startsWith('B') ? 'kk' : 'kia',
    seq: Number(number.slice(1)),
    officeDay: DAY,
    priority: null,
    source: 'kiosk',
    state: 'waiting',
    counterId: null,
    targetCounterId: null,
    precedence: false,
    bookingSlot: null,
    issuedAt: at(Number(number.slice(1))),
    queuedAt: at(Number(number.slice(1))),
    calledAt: null,
    startedAt: null,
    finishedAt: null,
    calls: 0,
    outcome: null,
    precheck: null,
    etaMinutesAtIssue: 0,
    waitAtIssue: null,
    aheadAtIssue: 0,
    transfers: 0,
    ...over,
  };
}

function counter(id: string, over: Partial<CounterState> = {}): CounterState {
  return { id, services: ['ktp-el', 'kia'], paused: null, autoCallNext: false, ticketId: null, staff: null, priorityStreak: 0, served: 0, serviceSecondsTotal: 0, ...over };
}

function snapshot(tickets: Ticket[], counters: CounterState[]): QueueSnapshot {
  return {
    officeId: 'kupang',
    officeDay: DAY,
    version: 1,
    serverTime: at(30),
    tickets,
    counters,
    services: ['ktp-el', 'kk', 'kia'].map((s) => ({ serviceId: s, waiting: 0, oldestWaitingSince: null, etaMinutes: 0, countersServing: 1, issuedToday: 0, closedToday: false })),
    recentCalls: [],
  };
}

describe('scanned codes', () => {
  it('reads a ticket number, a ticket id and a tracking URL', () => {
    expect(parseTicketCode('A001')).toEqual({ number: 'A001', day: null, office: null });
    expect(parseTicketCode(' b012 ')).toEqual({ number: 'B012', day: null, office: null });
    expect(parseTicketCode(`${DAY}/C1234`)).toEqual({ number: 'C1234', day: DAY, office: null });
    expect(parseTicketCode(trackUrl('http://192.168.1.10:3000/', 'kupang', `${DAY}/A007`))).toEqual({ number: 'A007', day: DAY, office: 'kupang' });
    expect(parseTicketCode(`https://antre.example.id/t/padang-panjang/${DAY}/G001?x=1`)).toEqual({ number: 'G001', day: DAY, office: 'padang-panjang' });
  });

  it('refuses anything else', () => {
    for (const code of ['', 'A01', 'AA001', '001', 'A00001', 'https://example.id/x/A001', `${DAY}/A01`, 'BK-2026-ABCD']) expect(parseTicketCode(code), code).toBeNull();
  });

  it('refers to today\'s ticket by number and to another day\'s by id', () => {
    expect(commandRef({ number: 'A001', day: DAY, office: null }, DAY)).toBe('A001');
    expect(commandRef({ number: 'A001', day: null, office: null }, DAY)).toBe('A001');
    expect(commandRef({ number: 'A001', day: '2026-11-22', office: null }, DAY)).toBe('2026-11-22/A001');
  });
});

describe('shortcuts', () => {
  it('maps the keys of the issue: Space or F1, R, S, F, N, T', () => {
    const k = (key: string, mods: Record<string, boolean> = {}) => actionOfKey({ key, timeStamp: 0, ...mods });
    expect(k(' ')).toBe('call_next');
    expect(k('F1')).toBe('call_next');
    expect(k('r')).toBe('recall');
    expect(k('R')).toBe('recall'); // Caps Lock
    expect(k('s')).toBe('start');
    expect(k('f')).toBe('finish');
    expect(k('n')).toBe('no_show');
    expect(k('t')).toBe('transfer');
    expect(k('x')).toBeNull();
    expect(k('r', { ctrlKey: true })).toBeNull(); // Ctrl+R reloads, it is not a recall
    expect(k('f', { altKey: true })).toBeNull();
  });

  it('gives every command its own key and a label to show on its button', () => {
    const all = DESK_ACTIONS.flatMap((a) => SHORTCUT_KEYS[a]);
    expect(new Set(all).size).toBe(all.length);
    expect(shortcutLabel('call_next')).toEqual({ id: 'Spasi / F1', en: 'Space / F1' });
    expect(shortcutLabel('no_show')).toEqual({ id: 'N', en: 'N' });
    expect(ariaShortcut('call_next')).toBe('Space F1');
    expect(ariaShortcut('park')).toBe('P');
  });
});

describe('the scanner-burst gate', () => {
  function fakeTimers() {
    let now = 0;
    const due: Array<{ at: number; fn: () => void; id: number }> = [];
    let next = 1;
    const timers: Timers = {
      set: (fn, ms) => {
        const id = next++;
        due.push({ at: now + ms, fn, id });
        return id;
      },
      clear: (h) => {
        const i = due.findIndex((d) => d.id === h);
        if (i >= 0) due.splice(i, 1);
      },
    };
    const advance = (ms: number) => {
      now += ms;
      for (const d of [...due].sort((a, b) => a.at - b.at)) {
        if (d.at <= now) {
          due.splice(due.indexOf(d), 1);
          d.fn();
        }
      }
    };
    return { timers, advance, now: () => now };
  }

  it('fires a key a person pressed, a few milliseconds later', () => {
    const t = fakeTimers();
    const fired: string[] = [];
    const gate = new KeyGate((a) => fired.push(a), 45, t.timers);
    gate.handle({ key: 'r', timeStamp: 1000 }, 'recall');
    expect(fired).toEqual([]);
    t.advance(50);
    expect(fired).toEqual(['recall']);
  });

  it('fires nothing for a scanner burst, even when it is full of shortcut letters', () => {
    const t = fakeTimers();
    const fired: string[] = [];
    const gate = new KeyGate((a) => fired.push(a), 45, t.timers);
    let ts = 1000;
    for (const ch of 'http://x/t/kupang/2026-11-23/A001') {
      gate.handle({ key: ch, timeStamp: ts }, actionOfKey({ key: ch, timeStamp: ts }));
      ts += 6;
      t.advance(6);
    }
    t.advance(500);
    expect(fired).toEqual([]);
    // The next key a person presses works again.
    gate.handle({ key: 's', timeStamp: ts + 800 }, 'start');
    t.advance(50);
    expect(fired).toEqual(['start']);
  });

  it('fires function keys at once', () => {
    const t = fakeTimers();
    const fired: string[] = [];
    const gate = new KeyGate((a) => fired.push(a), 45, t.timers);
    gate.handle({ key: 'F1', timeStamp: 5 }, 'call_next');
    expect(fired).toEqual(['call_next']);
  });
});

describe('what the counter screen shows', () => {
  const now = Date.parse(at(40));
  const nowIso = at(40);

  it('finds the ticket in hand and the counter\'s state', () => {
    const c = counter('1', { ticketId: `${DAY}/A001` });
    const snap = snapshot([ticket('A001', { state: 'serving', counterId: '1' })], [c]);
    expect(heldTicket(snap, c)?.number).toBe('A001');
    expect(statusOf(c, heldTicket(snap, c))).toBe('serving');
    expect(statusOf(counter('2'), null)).toBe('idle');
    expect(statusOf(counter('2', { paused: { reason: 'prayer', note: null, since: at(1) } }), null)).toBe('paused');
    expect(findTicket(snap, 'A001')?.id).toBe(`${DAY}/A001`);
    expect(findTicket(snap, `${DAY}/A001`)?.number).toBe('A001');
    expect(findTicket(snap, 'A002')).toBeNull();
  });

  it('lists the tickets a counter may call, in the order call-next would weigh them', () => {
    const c = counter('1', { services: ['kia', 'ktp-el'] });
    const snap = snapshot(
      [
        ticket('A001'),
        ticket('A002', { priority: 'elderly' }),
        ticket('D003'),
        ticket('B004'), // another service
        ticket('B005', { targetCounterId: '1', precedence: true }), // sent here with precedence
        ticket('A006', { targetCounterId: '2' }), // sent to another counter
        ticket('A007', { state: 'called', counterId: '3' }),
      ],
      [c],
    );
    expect(callableTickets(snap, c, nowIso).map((t) => t.number)).toEqual(['B005', 'A002', 'D003', 'A001']);
  });

  it('keeps parked tickets per counter and no-shows only within the reinstate window', () => {
    const snap = snapshot(
      [
        ticket('A001', { state: 'parked', counterId: '1' }),
        ticket('A002', { state: 'parked', counterId: '2' }),
        ticket('A003', { state: 'no_show', finishedAt: at(35) }),
        ticket('A004', { state: 'no_show', finishedAt: at(1) }),
      ],
      [counter('1')],
    );
    expect(parkedAt(snap, '1').map((t) => t.number)).toEqual(['A001']);
    expect(reinstatable(snap, 30, now).map((t) => t.number)).toEqual(['A003']);
  });

  it('gives the served services\' figures in the counter\'s order, and the mean service time', () => {
    const snap = snapshot([], [counter('1')]);
    expect(statsFor(snap, ['kia', 'ktp-el']).map((s) => s.serviceId)).toEqual(['kia', 'ktp-el']);
    expect(meanServiceSeconds(counter('1'))).toBeNull();
    expect(meanServiceSeconds(counter('1', { served: 4, serviceSecondsTotal: 1200 }))).toBe(300);
  });

  it('says durations in minutes, Indonesian or English', () => {
    expect(formatDuration(20_000, 'id')).toBe('< 1 mnt');
    expect(formatDuration(12 * 60_000 + 59_000, 'id')).toBe('12 mnt');
    expect(formatDuration(65 * 60_000, 'id')).toBe('1 j 05 mnt');
    expect(formatDuration(65 * 60_000, 'en')).toBe('1 h 05 min');
    expect(formatDuration(-5, 'en')).toBe('< 1 min');
  });
});

describe('which desk buttons are on, and why not (the domain\'s own preconditions)', () => {
  const me = { kind: 'user' as const, id: 'petugas1', role: 'clerk' as const };
  const view = (over: Partial<DeskView> = {}): DeskView => ({ online: true, isLead: false, me, counter: counter('1'), held: null, parked: [], noShows: [], ...over });
  const paused = { reason: 'break' as const, note: null, since: at(1) };

  it('offers call next on a free counter, and says why not when paused, holding, offline or without a counter', () => {
    expect(whyNot('call_next', view())).toBeNull();
    expect(whyNot('call_next', view({ counter: counter('1', { paused }) }))).toEqual(m.whyPaused);
    expect(whyNot('call_next', view({ held: ticket('A001', { state: 'called' }) }))).toEqual(m.whyHolding);
    expect(whyNot('call_next', view({ online: false }))).toEqual(m.whyOffline);
    expect(whyNot('call_next', view({ counter: null }))).toEqual(m.whyNoCounter);
  });

  it('allows recall, start and no-show only for a called ticket; finish for any ticket in hand', () => {
    const serving = ticket('A001', { state: 'serving' });
    expect(whyNot('recall', view())).toEqual(m.whyNothing);
    expect(whyNot('start', view({ held: serving }))).toEqual(m.whyNotCalled);
    expect(whyNot('finish', view({ held: serving }))).toBeNull();
    expect(whyNot('no_show', view({ held: ticket('A001', { state: 'called' }) }))).toBeNull();
  });

  it('returns a parked ticket only when one is parked and the counter may call (not paused, as the domain says)', () => {
    const p = [ticket('A002', { state: 'parked', counterId: '1' })];
    expect(whyNot('return', view())).toEqual(m.whyNoParked);
    expect(whyNot('return', view({ parked: p }))).toBeNull();
    expect(whyNot('return', view({ parked: p, counter: counter('1', { paused }) }))).toEqual(m.whyPaused);
  });

  it('turns the buttons off at a counter another clerk is signed in to, but not for a supervisor', () => {
    const taken = counter('1', { staff: { kind: 'user', id: 'petugas2', name: 'Petugas 2', role: 'clerk' } });
    for (const a of ['call_next', 'pause', 'services', 'call_ticket'] as const) expect(whyNot(a, view({ counter: taken })), a).toEqual(m.whyTaken);
    expect(whyNot('call_next', view({ counter: taken, isLead: true, me: { kind: 'user', id: 'supervisor', role: 'supervisor' } }))).toBeNull();
    expect(canCallTicket(ticket('A003'), view({ counter: taken }))).toBe(false);
  });

  it('calls out of order only a waiting ticket not sent to another counter', () => {
    expect(canCallTicket(ticket('A003'), view())).toBe(true);
    expect(canCallTicket(ticket('A003', { targetCounterId: '2' }), view())).toBe(false);
    expect(canCallTicket(ticket('A003', { state: 'called' }), view())).toBe(false);
  });

  it('puts a regular ticket first when the counter has had its run of priority calls', () => {
    const snap = snapshot([ticket('A001'), ticket('A002', { priority: 'elderly' })], [counter('1')]);
    expect(callableTickets(snap, counter('1', { priorityStreak: 0 }), nowIso(), 2)[0]?.number).toBe('A002');
    expect(callableTickets(snap, counter('1', { priorityStreak: 2 }), nowIso(), 2).map((t) => t.number)).toEqual(['A001', 'A002']);
  });
});

function nowIso(): string {
  return at(40);
}

