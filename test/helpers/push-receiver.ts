// A real Web Push receiver on 127.0.0.1: it plays both the push service (takes
// POST /push/<id>, checks the VAPID JWT against the k= key, answers 201 or a
// scripted failure) and the browser (holds a real ECDH P-256 key pair and auth
// secret per subscription, and decrypts the aes128gcm payload per RFC 8291
// with node:crypto alone).
import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify, type ECDH } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PushSubscriptionJSON {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  subscription: string;
  headers: Record<string, string | string[] | undefined>;
  /** The decrypted payload, parsed as JSON (null if it would not decrypt). */
  payload: any;
  /** The VAPID JWT verified with the key in the Authorization header, and its audience is this origin. */
  vapidValid: boolean;
  /** The k= key of the VAPID header (the server's public key). */
  vapidKey: string | null;
}

type Behaviour = { status: number; headers?: Record<string, string> } | 'hang';

const b64u = (b: Buffer) => b.toString('base64url');
const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8291 §3.4 + RFC 8188: one aes128gcm record, decrypted with the user agent's private key and auth secret. */
export function decryptAes128gcm(body: Buffer, ua: ECDH, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (ciphertext.length > rs) throw new Error('more than one record');
  const uaPublic = ua.getPublicKey();
  const ecdhSecret = ua.computeSecret(asPublic);
  // HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
  const prkKey = hmac(authSecret, ecdhSecret);
  const ikm = hmac(prkKey, Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic, Buffer.from([1])]));
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.concat([Buffer.from('Content-Encoding: aes128gcm\0'), Buffer.from([1])])).subarray(0, 16);
  const nonce = hmac(prk, Buffer.concat([Buffer.from('Content-Encoding: nonce\0'), Buffer.from([1])])).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends in a 0x02 delimiter followed by zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

/** Checks `vapid t=<jwt>, k=<key>`: an ES256 JWT signed by k, for this audience, not expired. */
function vapidOf(header: string | undefined, origin: string): { valid: boolean; key: string | null } {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) return { valid: false, key: null };
  const [, jwt = '', k = ''] = m;
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return { valid: false, key: k };
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) return { valid: false, key: k };
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { aud?: string; exp?: number; sub?: string };
  return { valid: ok && claims.aud === origin && typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() && typeof claims.sub === 'string', key: k };
}

export class PushReceiver extends EventEmitter {
  readonly received: ReceivedPush[] = [];
  readonly #keys = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  #script: Behaviour[] = [];
  #hanging = new Set<ServerResponse>();
  #server!: Server;
  url = '';

  static async start(): Promise<PushReceiver> {
    const r = new PushReceiver();
    r.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = /^\/push\/([A-Za-z0-9]+)$/.exec(req.url ?? '')?.[1];
        const keys = id ? r.#keys.get(id) : undefined;
        if (req.method !== 'POST' || !id || !keys) {
          res.writeHead(404).end();
          return;
        }
        let payload: unknown = null;
        try {
          if (req.headers['content-encoding'] === 'aes128gcm') payload = JSON.parse(decryptAes128gcm(Buffer.concat(chunks), keys.ecdh, keys.auth).toString('utf8'));
        } catch {
          payload = null;
        }
        const vapid = vapidOf(req.headers.authorization, r.url);
        const rec: ReceivedPush = { subscription: id, headers: req.headers, payload, vapidValid: vapid.valid, vapidKey: vapid.key };
        r.received.push(rec);
        r.emit('push', rec);
        const b = r.#script.shift();
        if (b === 'hang') {
          r.#hanging.add(res);
          res.on('close', () => r.#hanging.delete(res));
          return;
        }
        if (b) {
          res.writeHead(b.status, b.headers).end();
          return;
        }
        res.writeHead(vapid.valid && payload ? 201 : 400, { location: `${r.url}/msg/${r.received.length}` }).end();
      });
    });
    await new Promise<void>((ok) => r.#server.listen(0, '127.0.0.1', () => ok()));
    r.url = `http://127.0.0.1:${(r.#server.address() as AddressInfo).port}`;
    return r;
  }

  /** "127.0.0.1:<port>": what the server's pushEndpointHosts must allow for this receiver. */
  get host(): string {
    return new URL(this.url).host;
  }

  /** A new browser subscription: real P-256 keys and a 16-byte auth secret, as PushSubscription.toJSON() gives. */
  subscribe(): PushSubscriptionJSON {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const id = randomBytes(8).toString('hex');
    this.#keys.set(id, { ecdh, auth });
    return { endpoint: `${this.url}/push/${id}`, expirationTime: null, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } };
  }

  script(...b: Behaviour[]): void {
    this.#script.push(...b);
  }

  waitFor(n: number, timeoutMs = 15_000): Promise<ReceivedPush[]> {
    if (this.received.length >= n) return Promise.resolve(this.received);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('push', on);
        reject(new Error(`timed out waiting for ${n} pushes (have ${this.received.length})`));
      }, timeoutMs);
      const on = () => {
        if (this.received.length >= n) {
          clearTimeout(t);
          this.off('push', on);
          resolve(this.received);
        }
      };
      this.on('push', on);
    });
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }
}
