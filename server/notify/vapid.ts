// The server's VAPID key pair (RFC 8292): made on the first start and kept in
// <dataDir>/notify/vapid.json (mode 0600). Browsers subscribe with its public
// key, so it must not change: a new pair would silence every subscription.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writePrivateFile } from './outbox-store.ts';
import type { Secrets } from '../store/secrets.ts';
import { generateVapidKeys, type VapidKeys } from './providers.ts';

const fileSchema = z.object({ publicKey: z.string().regex(/^[A-Za-z0-9_-]{87}$/), privateKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/** The pair shared by every process of a central deployment (PostgreSQL secrets, name `vapid`); the first process makes it. */
export async function loadSharedVapidKeys(ensureValue: NonNullable<Secrets['ensureValue']>): Promise<VapidKeys> {
  // Made before asking (web-push loads lazily, so making a pair is async); only the first process's pair is kept.
  const keys = await generateVapidKeys();
  const raw = await ensureValue('vapid', () => Buffer.from(JSON.stringify({ publicKey: keys.publicKey, privateKey: keys.privateKey })));
  const parsed = fileSchema.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) throw new Error('the shared VAPID key pair in the database is damaged');
  return parsed.data;
}

export async function loadVapidKeys(root: string): Promise<VapidKeys> {
  const file = path.join(root, 'vapid.json');
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
    } catch {
      parsed = null;
    }
    // A damaged key file stops the start rather than silently cutting off every subscribed phone.
    if (!parsed?.success) throw new Error(`${file} is not a VAPID key file; restore it, or move it aside to make a new pair (phones then subscribe again)`);
    return parsed.data;
  }
  const keys = await generateVapidKeys();
  await writePrivateFile(file, `${JSON.stringify({ publicKey: keys.publicKey, privateKey: keys.privateKey }, null, 2)}\n`);
  return { publicKey: keys.publicKey, privateKey: keys.privateKey };
}
