// HMAC-SHA256 signatures over raw bodies: `sha256=<hex>`, the scheme of the
// generic webhook (X-Giliran-Signature) and of the WhatsApp Cloud API's webhooks
// (X-Hub-Signature-256, keyed with the app secret).
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signBody(secret: string | Buffer, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Whether `header` is the signature of `raw` under `secret`; constant time, any malformed header is false. */
export function signatureValid(secret: string | Buffer | undefined, raw: Buffer, header: unknown): boolean {
  if (!secret || typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = Buffer.from(signBody(secret, raw), 'ascii');
  const given = Buffer.from(header.toLowerCase(), 'ascii');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
