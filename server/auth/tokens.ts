import { createHash, randomBytes, randomInt } from 'node:crypto';

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Six digits, easy to read out and type: the pairing code. */
export function pairingCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function generatedPassword(): string {
  // Readable: no 0/O/1/l confusion.
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let out = '';
  for (let i = 0; i < 14; i++) out += alphabet[randomInt(0, alphabet.length)];
  return out;
}
