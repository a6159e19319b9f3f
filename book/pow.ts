// Solves the server's proof-of-work challenge (altcha-lib's format: find the
// number n ≤ maxnumber with SHA-256(salt + n) = challenge) with the browser's
// own crypto.subtle, so the page carries no solver library. Awaiting each
// digest keeps the page responsive while it counts.
export interface PowChallenge {
  algorithm: string;
  challenge: string;
  salt: string;
  signature: string;
  maxnumber?: number;
}

const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

export async function solvePow(c: PowChallenge, subtle: SubtleCrypto = crypto.subtle): Promise<string | null> {
  const algorithm = c.algorithm.toUpperCase();
  const max = c.maxnumber ?? 1_000_000;
  const enc = new TextEncoder();
  const started = Date.now();
  for (let n = 0; n <= max; n++) {
    if (hex(await subtle.digest(algorithm, enc.encode(c.salt + n))) === c.challenge) {
      return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature, took: Date.now() - started }));
    }
  }
  return null;
}
