// A booking code typed on the kiosk's keypad or scanned from the booking QR,
// read without zod (protocol/booking.ts's parseBookingScan is the server's
// reading; test/ui/kiosk-checkin.test.ts checks the two agree).
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 8;

const CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** "GB:kupang:ABCD2345" or a bare code (any case, spaces, dashes) → the office (if named) and the code; null = not a booking. */
export function readBookingScan(text: string): { officeId: string | null; code: string } | null {
  const t = text.trim();
  const m = /^GB:([A-Za-z0-9._-]{1,64}):([A-Za-z0-9 -]{8,12})$/i.exec(t);
  const code = (m ? m[2]! : t).toUpperCase().replace(/[\s-]/g, '');
  return CODE.test(code) ? { officeId: m ? m[1]! : null, code } : null;
}
