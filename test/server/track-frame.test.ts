// A phone's frame built from shared pre-serialised parts (server/realtime/
// track-frame.ts): byte for byte the JSON of the view object, decoded by
// Socket.IO's own parser as the `track` event on /track; and the positions a
// pass and every connecting phone share (server/track-service.ts).
import { Decoder, PacketType } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import type { OfficeConfig } from '../../protocol/model.ts';
import type { NotifyStatus, TrackView } from '../../protocol/track.ts';
import type { Position } from '../../server/domain/eta.ts';
import type { DayState } from '../../server/domain/state.ts';
import { frameJson, ownJson, sharedJson, trackPacket } from '../../server/realtime/track-frame.ts';
import { reusedPositions } from '../../server/track-service.ts';

const office: TrackView['office'] = {
  name: { id: 'Dinas Kependudukan dan Pencatatan Sipil Kota Kupang', en: 'Civil Registration Office, Kupang City' },
  shortName: 'Dukcapil Kota Kupang',
  timeZone: 'Asia/Makassar',
  hours: { mon: [['08:00', '15:00']] } as unknown as TrackView['office']['hours'],
  complaintChannel: { id: 'SP4N-LAPOR! di lapor.go.id — "kutip" \\ garis miring', en: 'SP4N-LAPOR! at lapor.go.id' } as unknown as TrackView['office']['complaintChannel'],
  whatsapp: null,
};

function view(over: Partial<TrackView> = {}): Omit<TrackView, 'holder' | 'notify'> {
  return {
    officeId: 'kupang',
    officeDay: '2026-12-02',
    ticketId: '2026-12-02/A123',
    number: 'A123',
    service: { id: 'ktp-el', name: { id: 'KTP-el "baru"', en: 'ID card' } },
    state: 'waiting',
    counter: null,
    ahead: 12,
    wait: { low: 15, high: 25 },
    calls: 0,
    calledAt: null,
    recentCalls: [
      { number: 'B007', counterName: 'Loket 2', at: '2026-12-02T01:02:03.000Z' },
      { number: 'A101', counterName: 'Loket 1', at: '2026-12-02T01:01:00.000Z' },
    ],
    office,
    serverTime: '2026-12-02T01:05:00.123Z',
    version: 4242,
    ...over,
  };
}

function decode(packet: string): { type: number; nsp: string; data: unknown[] } {
  const d = new Decoder();
  let out: { type: number; nsp: string; data: unknown[] } | null = null;
  d.on('decoded', (p) => void (out = p as { type: number; nsp: string; data: unknown[] }));
  d.add(packet);
  if (!out) throw new Error('not decoded');
  return out;
}

describe('a phone frame from shared parts', () => {
  const notify: NotifyStatus = { threshold: 3, channels: [] } as unknown as NotifyStatus;

  it.each([
    ['waiting, holder, with the office', view(), true, notify, true],
    ['called at a counter, reader, without the office', view({ state: 'called', counter: { id: '3', name: 'Loket 3', word: 'loket' }, ahead: null, wait: null, calls: 2, calledAt: '2026-12-02T01:04:00.000Z' }), false, null, false],
  ])('is byte for byte the JSON of the view object: %s', (_name, v, holder, note, withOffice) => {
    const json = frameJson({ own: ownJson(v), recentCalls: sharedJson(v.recentCalls), office: withOffice ? sharedJson(v.office) : null, serverTime: v.serverTime, version: v.version, holder, notify: note });
    const { office: o, ...rest } = v;
    const expected = withOffice ? { ...rest, office: o, holder, notify: note } : { ...rest, holder, notify: note };
    // The view's key order with office in its place (TrackView), or without it (TrackFrame).
    const ordered = withOffice ? { ...v, holder, notify: note } : expected;
    expect(json).toBe(JSON.stringify(ordered));
    expect(JSON.parse(json)).toEqual(expected);
  });

  it('is decoded by socket.io-parser as the `track` event of /track, as emit would send it', () => {
    const v = view();
    const json = frameJson({ own: ownJson(v), recentCalls: sharedJson(v.recentCalls), office: null, serverTime: v.serverTime, version: v.version, holder: false, notify: null });
    const p = decode(trackPacket(json));
    expect(p.type).toBe(PacketType.EVENT);
    expect(p.nsp).toBe('/track');
    expect(p.data).toEqual(['track', JSON.parse(json)]);
  });

  it('stays under 1 KB on a busy day: five recent calls, long names, the holder notified, no office block', () => {
    const calls = Array.from({ length: 5 }, (_, i) => ({ number: `D${1000 + i}`, counterName: `Loket Pelayanan ${i + 10}`, at: '2026-12-02T06:59:59.999Z' }));
    const v = view({ number: 'D1499', ticketId: '2026-12-02/D1499', ahead: 30, wait: { low: 95, high: 180 }, recentCalls: calls, service: { id: 'perubahan-data', name: { id: 'Perubahan Data Kependudukan', en: 'Change of civil registration data' } } });
    const status = { threshold: 3, channels: [{ kind: 'whatsapp', phoneLast4: '1234', state: 'delivered', at: '2026-12-02T06:00:00.000Z' }] } as unknown as NotifyStatus;
    const packet = trackPacket(frameJson({ own: ownJson(v), recentCalls: sharedJson(v.recentCalls), office: null, serverTime: v.serverTime, version: 99_999, holder: true, notify: status }));
    expect(Buffer.byteLength(packet)).toBeLessThanOrEqual(1024);
  });

  it('serialises a shared part once per object, not per ticket', () => {
    const calls = [{ number: 'A001', counterName: 'Loket 1', at: 'x' }];
    const a = sharedJson(calls);
    calls.push({ number: 'A002', counterName: 'Loket 1', at: 'y' }); // a part is never changed once shared: the JSON is kept by identity
    expect(sharedJson(calls)).toBe(a);
    expect(sharedJson([...calls])).not.toBe(a);
  });
});

describe('positions reused per office state', () => {
  const officeConfig = { id: 'kupang' } as unknown as OfficeConfig;
  it('simulates once per state and version within the reuse window, again after a commit or the window', () => {
    let runs = 0;
    const fn = reusedPositions(() => {
      runs += 1;
      return new Map<string, Position>();
    }, 1_000);
    const state = { version: 7 } as unknown as DayState;
    const first = fn(state, officeConfig, 10_000);
    for (let i = 0; i < 2_000; i++) expect(fn(state, officeConfig, 10_000 + (i % 999))).toBe(first); // 2,000 phones connecting
    expect(runs).toBe(1);
    (state as { version: number }).version = 8; // a commit
    fn(state, officeConfig, 10_100);
    expect(runs).toBe(2);
    fn(state, officeConfig, 11_100); // the clock moved a full window
    expect(runs).toBe(3);
    fn({ version: 8 } as unknown as DayState, officeConfig, 11_100); // another day's state of the same version
    expect(runs).toBe(4);
    fn(state, officeConfig, 11_000); // a clock that went back is not trusted
    expect(runs).toBe(5);
  });
});
