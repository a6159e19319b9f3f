// The holder key: a short code in a ticket's QR link (/t/<office>/<day>/<number>?k=KEY)
// that proves the phone holds the paper (or the kiosk screen's QR). Without it a
// link is read-only; with it the citizen may cancel and subscribe to alerts.
// It is a MAC of the ticket's id under the server's secret, so nothing is stored
// per ticket and a key of one ticket says nothing about another.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** 11 base64url characters = 66 bits: short enough for a QR on a receipt, too many to guess over a rate-limited API. */
export const HOLDER_KEY_LENGTH = 11;
const KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** base64url of HMAC-SHA256(secret, `${officeId}/${ticketId}`), its first 11 characters. */
export function holderKey(secret: Buffer, officeId: string, ticketId: string): string {
  return createHmac('sha256', secret).update(`${officeId}/${ticketId}`).digest('base64url').slice(0, HOLDER_KEY_LENGTH);
}

/** Whether `key` (anything a client sent) is the ticket's holder key; compared in constant time. */
export function holderKeyValid(secret: Buffer, officeId: string, ticketId: string, key: unknown): boolean {
  if (typeof key !== 'string' || key.length !== HOLDER_KEY_LENGTH || !KEY_PATTERN.test(key)) return false;
  const expected = Buffer.from(holderKey(secret, officeId, ticketId), 'ascii');
  return timingSafeEqual(expected, Buffer.from(key, 'ascii'));
}
