// The kiosk's "Saya sudah booking" (kiosk/checkin.svelte.ts, kiosk/booking-code.ts)
// without a browser: the keypad takes only the code's alphabet, a scan of the
// booking QR checks in at once, a refusal keeps its message and the walk-in
// path, a retry of the same code keeps its idempotency key, and the kiosk's
// reading of a code agrees with the server's (protocol/booking.ts).
import { describe, expect, it } from 'vitest';
import { BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH, parseBookingScan, type BookingCheckedIn } from '../../protocol/booking.ts';
import { CODE_ALPHABET, CODE_LENGTH, readBookingScan } from '../../kiosk/booking-code.ts';
import { CheckIn, KEYS } from '../../kiosk/checkin.svelte.ts';
import type { ApiResult } from '../../ui/api.ts';

function rig(answers: Array<ApiResult<BookingCheckedIn>>) {
  const sent: Array<{ code: string; key: string }> = [];
  const tickets: BookingCheckedIn[] = [];
  let n = 0;
  const c = new CheckIn({
    send: async (code, key) => {
      sent.push({ code, key });
      return answers.shift()!;
    },
    onTicket: (r) => tickets.push(r),
    newKey: () => `key-${++n}`,
  });
  return { c, sent, tickets };
}
const refused = (code: string, id: string): ApiResult<BookingCheckedIn> => ({ ok: false, status: 409, error: { code, message: { id, en: id } } as never });
const checkedIn = { booking: { code: 'AB23CD45' }, ticket: { id: 't1', number: 'A001' }, holderKey: 'h', replayed: false } as unknown as BookingCheckedIn;

describe('booking code at the kiosk', () => {
  it('uses the contract alphabet and length', () => {
    expect(CODE_ALPHABET).toBe(BOOKING_CODE_ALPHABET);
    expect(CODE_LENGTH).toBe(BOOKING_CODE_LENGTH);
    expect(KEYS.join('')).toBe(BOOKING_CODE_ALPHABET);
    for (const bad of ['0', 'O', '1', 'I']) expect(KEYS).not.toContain(bad);
  });
  it("reads codes and QR payloads exactly as the server's parseBookingScan does", () => {
    const inputs = ['GB:kupang:AB23CD45', 'gb:kupang:ab23-cd45', ' AB23 CD45 ', 'ab23cd45', 'AB23CD4', 'AB23CD450', 'AB23CD4O', 'GB::AB23CD45', 'GB:kupang:AB23CD45:x', 'https://x/t/kupang/1', 'A001', '', 'GB:padang-panjang:ZZ99XX88'];
    for (const s of inputs) expect(readBookingScan(s), s).toEqual(parseBookingScan(s));
  });
});

describe('kiosk check-in', () => {
  it('types only the alphabet, at most 8, and erases and clears', () => {
    const { c } = rig([]);
    c.start(0);
    for (const ch of 'ab0O1I23cd45xyz') c.press(ch, 1);
    expect(c.code).toBe('AB23CD45');
    expect(c.complete).toBe(true);
    c.erase(2);
    expect(c.code).toBe('AB23CD4');
    c.clear(3);
    expect(c.code).toBe('');
  });

  it('checks a typed code in and hands the ticket to the kiosk', async () => {
    const { c, sent, tickets } = rig([{ ok: true, status: 201, data: checkedIn }]);
    c.start();
    for (const ch of 'AB23CD45') c.press(ch);
    await c.submit();
    expect(sent).toEqual([{ code: 'AB23CD45', key: 'key-1' }]);
    expect(tickets).toEqual([checkedIn]);
    expect(c.open).toBe(false);
  });

  it('does not send an incomplete code', async () => {
    const { c, sent } = rig([]);
    c.start();
    c.press('A');
    await c.submit();
    expect(sent).toEqual([]);
    expect(c.state).toBe('typing');
  });

  it('checks a scanned QR in at once, from the closed state too, sending the payload as scanned', async () => {
    const { c, sent, tickets } = rig([{ ok: true, status: 201, data: checkedIn }]);
    expect(c.scan('A001 not a booking')).toBe(false);
    expect(c.scan('GB:kupang:AB23CD45')).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(sent[0]!.code).toBe('GB:kupang:AB23CD45');
    expect(tickets).toHaveLength(1);
  });

  it('keeps a refusal on screen (too early: come back at …) and keeps the key for a retry of the same code', async () => {
    const { c, sent } = rig([refused('check_in_too_early', 'Silakan datang kembali pukul 08.30 WITA.'), { ok: false, status: 0, error: { code: 'unavailable', message: { id: 'x', en: 'x' } } as never }, refused('booking_not_found', 'Kode booking tidak ditemukan.')]);
    c.start();
    for (const ch of 'AB23CD45') c.press(ch);
    await c.submit();
    expect(c.state).toBe('refused');
    expect(c.error?.code).toBe('check_in_too_early');
    expect(c.error?.message.id).toContain('08.30');
    await c.submit();
    await c.submit();
    expect(sent.map((s) => s.key)).toEqual(['key-1', 'key-1', 'key-1']);
    c.close(); // the walk-in path
    expect(c.open).toBe(false);
    expect(c.code).toBe('');
  });

  it('goes back to the start after the idle time, but not while an answer is awaited', async () => {
    let release!: (r: ApiResult<BookingCheckedIn>) => void;
    const c = new CheckIn({ send: () => new Promise((r) => (release = r)), onTicket: () => undefined, newKey: () => 'k' });
    c.start(0);
    expect(c.idle(20_000, 30)).toBe(false);
    for (const ch of 'AB23CD45') c.press(ch, 0);
    const p = c.submit();
    expect(c.idle(60_000, 30)).toBe(false);
    release(refused('booking_not_found', 'x'));
    await p;
    expect(c.idle(60_000, 30)).toBe(true);
    expect(c.open).toBe(false);
  });
});
