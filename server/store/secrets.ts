// The server's own secrets (the holder-key MAC key, and others named by the
// features that need one), kept in <dataDir>/secrets.json with mode 0600. The
// file is created on the first start with 32 random bytes per known name; a
// name asked for later is created and saved durably before it is handed out
// (ensure). `secret(name)` is synchronous and only answers names that exist:
// the known names below are always there after `loadSecrets`.
// On PostgreSQL (loadPgSecrets) they live in the `secrets` table instead, so
// every process of a central deployment holds the same keys.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { z } from 'zod';
import { fsyncDir } from './durable-file.ts';

/** Names created at load, so `secret(name)` never has to wait for a write. Add a name here when a feature needs one. */
export const KNOWN_SECRETS = ['holder-key', 'nik-hash', 'notify-contact', 'booking'] as const;

export interface Secrets {
  /** The key of holder keys (server/auth/holder-key.ts) = secret('holder-key'). */
  holderKey: Buffer;
  /** A secret by name; throws for a name neither known nor ensured (a programming error, not a runtime case). */
  secret(name: string): Buffer;
  /** A secret by name, created and saved durably first when it does not exist yet. */
  ensure(name: string): Promise<Buffer>;
  /**
   * Only where several processes share the secrets (PostgreSQL): a value of any
   * shape (the VAPID key pair) by name, made by `make` when no process has made
   * it yet; the first writer wins and everyone gets its value. The embedded
   * store keeps such keys in their own files.
   */
  ensureValue?(name: string, make: () => Buffer): Promise<Buffer>;
}

const nameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
const fileSchema = z.object({ version: z.literal(1), secrets: z.record(nameSchema, z.string().regex(/^[A-Za-z0-9_-]{43}$/)) });

export const SECRETS_FILE = 'secrets.json';

/** Reads (or creates) <dataDir>/secrets.json; a damaged file stops the start rather than silently invalidating every ticket's key. */
export async function loadSecrets(dataDir: string): Promise<Secrets> {
  const file = path.join(dataDir, SECRETS_FILE);
  const values = new Map<string, Buffer>();
  let text: string | null = null;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
  }
  if (text !== null) {
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch (err) {
      throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
    }
    if (!parsed.success) throw new Error(`Cannot read ${file}: not a Giliran secrets file`);
    for (const [name, b64] of Object.entries(parsed.data.secrets)) values.set(name, Buffer.from(b64, 'base64url'));
    // Tighten a file whose mode was widened by hand (a copy, a restore).
    await chmod(file, 0o600).catch(() => undefined);
  }
  let chain: Promise<void> = Promise.resolve();
  // Every save writes every value, staged ones included: two ensures at once both reach the file.
  const save = () => {
    const data = `${JSON.stringify({ version: 1, secrets: Object.fromEntries([...values].map(([n, b]) => [n, b.toString('base64url')])) }, null, 2)}\n`;
    const next = chain.then(() => writeSecretFile(file, data));
    chain = next.catch(() => undefined);
    return next;
  };
  const missing = KNOWN_SECRETS.filter((n) => !values.has(n));
  for (const n of missing) values.set(n, randomBytes(32));
  if (missing.length > 0) await save();
  /** Names on disk: only these are handed out. */
  const durable = new Set(values.keys());

  const pendingEnsure = new Map<string, Promise<Buffer>>();
  const secrets: Secrets = {
    holderKey: values.get('holder-key')!,
    secret(name) {
      const v = durable.has(name) ? values.get(name) : undefined;
      if (!v) throw new Error(`secret "${name}" does not exist; add it to KNOWN_SECRETS or use ensure()`);
      return v;
    },
    ensure(name) {
      const v = durable.has(name) ? values.get(name) : undefined;
      if (v) return Promise.resolve(v);
      const pending = pendingEnsure.get(name);
      if (pending) return pending;
      if (!nameSchema.safeParse(name).success) return Promise.reject(new Error(`bad secret name "${name}"`));
      const fresh = randomBytes(32);
      // Handed out (and answered by secret()) only once it is on disk.
      values.set(name, fresh);
      const p = save()
        .then(
          () => {
            durable.add(name);
            return fresh;
          },
          (err: unknown) => {
            values.delete(name);
            throw err;
          },
        )
        .finally(() => pendingEnsure.delete(name));
      pendingEnsure.set(name, p);
      return p;
    },
  };
  return secrets;
}

/** Whole-file replace (temp file, fsync, rename, fsync of the folder), created 0600 so no other user may ever read it. */
async function writeSecretFile(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await fsyncDir(dir);
}

/**
 * The secrets of a central deployment, in the `secrets` table (migration 30).
 * Each name is created with INSERT … ON CONFLICT DO NOTHING and then read back:
 * processes starting together all end up with the first writer's value.
 */
export async function loadPgSecrets(pool: pg.Pool): Promise<Secrets> {
  const values = new Map<string, Buffer>();
  const put = async (name: string, make: () => Buffer): Promise<Buffer> => {
    const r = await pool.query<{ value: Buffer }>(
      'WITH ins AS (INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value) SELECT value FROM ins UNION ALL SELECT value FROM secrets WHERE name = $1 LIMIT 1',
      [name, make()],
    );
    // A conflict leaves `ins` empty and the CTE's snapshot does not see the winner's row when it committed
    // after the statement began: read it again then.
    const value = r.rows[0]?.value ?? (await pool.query<{ value: Buffer }>('SELECT value FROM secrets WHERE name = $1', [name])).rows[0]?.value;
    if (!value) throw new Error(`secret "${name}" could not be created`);
    values.set(name, value);
    return value;
  };
  for (const row of (await pool.query<{ name: string; value: Buffer }>('SELECT name, value FROM secrets')).rows) values.set(row.name, row.value);
  for (const n of KNOWN_SECRETS) if (!values.has(n)) await put(n, () => randomBytes(32));
  const pending = new Map<string, Promise<Buffer>>();
  const ensureValue = (name: string, make: () => Buffer): Promise<Buffer> => {
    const v = values.get(name);
    if (v) return Promise.resolve(v);
    const p0 = pending.get(name);
    if (p0) return p0;
    if (!nameSchema.safeParse(name).success) return Promise.reject(new Error(`bad secret name "${name}"`));
    const p = put(name, make).finally(() => pending.delete(name));
    pending.set(name, p);
    return p;
  };
  return {
    holderKey: values.get('holder-key')!,
    secret(name) {
      const v = values.get(name);
      if (!v) throw new Error(`secret "${name}" does not exist; add it to KNOWN_SECRETS or use ensure()`);
      return v;
    },
    ensure: (name) => ensureValue(name, () => randomBytes(32)),
    ensureValue,
  };
}
