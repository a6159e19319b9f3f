// The office box's device tokens for the central, one per office it ships,
// kept in <data>/sync/box-tokens.json with mode 0600 (like secrets.json):
// written by the pairing command (server/sync/pair.ts), read at start.
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../store/durable-file.ts';

const fileSchema = z.object({ version: z.literal(1), tokens: z.array(z.object({ office: z.string(), central: z.string(), token: z.string().min(20).max(200) })) });
export type BoxTokenFile = z.infer<typeof fileSchema>;

export const boxTokensFile = (dataDir: string) => path.join(dataDir, 'sync', 'box-tokens.json');

export async function readBoxTokens(dataDir: string): Promise<BoxTokenFile> {
  const file = boxTokensFile(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, tokens: [] };
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const r = fileSchema.safeParse(JSON.parse(text));
  if (!r.success) throw new Error(`${file} is damaged: ${r.error.issues[0]?.message ?? ''}`);
  return r.data;
}

/** Adds (or replaces) the token of an office, durably, readable by this user only. */
export async function saveBoxToken(dataDir: string, entry: BoxTokenFile['tokens'][number]): Promise<void> {
  const now = await readBoxTokens(dataDir);
  const tokens = [...now.tokens.filter((t) => t.office !== entry.office), entry];
  const file = boxTokensFile(dataDir);
  await writeFileDurably(file, `${JSON.stringify({ version: 1, tokens } satisfies BoxTokenFile, null, 2)}\n`);
  await chmod(file, 0o600);
}
