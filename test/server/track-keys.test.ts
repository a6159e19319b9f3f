// Holder keys (server/auth/holder-key.ts) and the secrets file they are keyed with (server/store/secrets.ts).
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { trackUrl } from '../../protocol/urls.ts';
import { HOLDER_KEY_LENGTH, holderKey, holderKeyValid } from '../../server/auth/holder-key.ts';
import { KNOWN_SECRETS, loadSecrets, SECRETS_FILE } from '../../server/store/secrets.ts';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(path.join(tmpdir(), 'giliran-secrets-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('holder key', () => {
  const secret = Buffer.alloc(32, 7);
  it('is the first 11 base64url characters of HMAC-SHA256(secret, office/ticket)', () => {
    const want = createHmac('sha256', secret).update('kupang/2026-11-23/A001').digest('base64url').slice(0, 11);
    expect(holderKey(secret, 'kupang', '2026-11-23/A001')).toBe(want);
    expect(want).toHaveLength(HOLDER_KEY_LENGTH);
    expect(want).toMatch(/^[A-Za-z0-9_-]{11}$/);
  });

  it('differs per ticket, per office and per secret', () => {
    const k = holderKey(secret, 'kupang', '2026-11-23/A001');
    expect(holderKey(secret, 'kupang', '2026-11-23/A002')).not.toBe(k);
    expect(holderKey(secret, 'padang-panjang', '2026-11-23/A001')).not.toBe(k);
    expect(holderKey(Buffer.alloc(32, 8), 'kupang', '2026-11-23/A001')).not.toBe(k);
  });

  it('accepts its own key only', () => {
    const k = holderKey(secret, 'kupang', '2026-11-23/A001');
    expect(holderKeyValid(secret, 'kupang', '2026-11-23/A001', k)).toBe(true);
    for (const bad of [undefined, null, 42, {}, [k], '', k.slice(1), `${k}x`, k.toLowerCase() === k ? k.toUpperCase() : k.toLowerCase(), 'é'.repeat(11), holderKey(secret, 'kupang', '2026-11-23/A002')]) {
      expect(holderKeyValid(secret, 'kupang', '2026-11-23/A001', bad)).toBe(false);
    }
    expect(holderKeyValid(secret, 'padang-panjang', '2026-11-23/A001', k)).toBe(false);
  });

  it('goes into the QR link as ?k=, and a link without it stays as it was', () => {
    expect(trackUrl('http://10.0.0.2:3000/', 'kupang', '2026-11-23/A001', 'abc_DEF-123')).toBe('http://10.0.0.2:3000/t/kupang/2026-11-23/A001?k=abc_DEF-123');
    expect(trackUrl('http://10.0.0.2:3000', 'kupang', '2026-11-23/A001')).toBe('http://10.0.0.2:3000/t/kupang/2026-11-23/A001');
  });
});

describe('secrets file', () => {
  it('is created on first start with 32 random bytes per known name, mode 0600, and read back the same', async () => {
    const dir = await tempDir();
    const a = await loadSecrets(dir);
    expect(a.holderKey).toHaveLength(32);
    for (const n of KNOWN_SECRETS) expect(a.secret(n)).toHaveLength(32);
    expect(a.secret('holder-key').equals(a.holderKey)).toBe(true);
    expect(a.secret('nik-hash').equals(a.holderKey)).toBe(false);
    const st = await stat(path.join(dir, SECRETS_FILE));
    expect(st.mode & 0o777).toBe(0o600);
    const b = await loadSecrets(dir);
    expect(b.holderKey.equals(a.holderKey)).toBe(true);
  });

  it('does not answer an unknown name synchronously; ensure() saves it before handing it out', async () => {
    const dir = await tempDir();
    const a = await loadSecrets(dir);
    expect(() => a.secret('push-vapid')).toThrow(/does not exist/);
    const [x, y] = await Promise.all([a.ensure('push-vapid'), a.ensure('push-vapid')]);
    expect(x.equals(y)).toBe(true);
    const [p, q] = await Promise.all([a.ensure('one-more'), a.ensure('and-another')]);
    expect(a.secret('push-vapid').equals(x)).toBe(true);
    const b = await loadSecrets(dir);
    expect(b.secret('push-vapid').equals(x)).toBe(true);
    expect(b.secret('one-more').equals(p)).toBe(true);
    expect(b.secret('and-another').equals(q)).toBe(true);
    await expect(a.ensure('Bad Name')).rejects.toThrow(/bad secret name/);
  });

  it('refuses to start on a damaged file rather than silently changing every key', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, SECRETS_FILE), '{"version":1,"secrets":{"holder-key":"short"}}');
    await expect(loadSecrets(dir)).rejects.toThrow(/not a Giliran secrets file/);
    await writeFile(path.join(dir, SECRETS_FILE), '{not json');
    await expect(loadSecrets(dir)).rejects.toThrow(/Cannot read/);
    expect(await readFile(path.join(dir, SECRETS_FILE), 'utf8')).toBe('{not json');
  });
});
