// Backup and restore of a data folder: one JSON document (protocol/admin-ops.ts
// backupDocumentSchema), gzip-compressed. Why one document and not a tarball:
// it is validated by one schema before anything is written, needs no archive
// dependency (node:zlib only), and the files it carries are small and mostly
// text (the journals are JSONL; a logo is ≤ 200 KB).
//
// Consistent: config.json is replaced atomically (a read sees the old or the
// new file) and a journal only ever grows by whole lines, one commit a line;
// the backup reads a journal after its office's pending commits are on disk
// and keeps it up to its last complete line, so every day is a prefix of what
// was acknowledged (also when the CLI reads a running server's folder).
import { constants as fsc } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { z } from 'zod';
import { BACKUP_FORMAT, BACKUP_VERSION, backupDocumentSchema, type BackupDocument, type RestoreResult } from '../../protocol/admin-ops.ts';
import { queueEventSchema } from '../../protocol/schemas.ts';
import { applyCommit, emptyDay, type Commit } from '../domain/state.ts';
import { demoSeed } from '../seed/index.ts';
import { parseConfigData } from '../store/config-schema.ts';
import { fsyncDir, writeFileDurably } from '../store/durable-file.ts';
import type { ConfigData, Store } from '../store/types.ts';
import { VERSION } from '../version.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A backup file beyond this, uncompressed, is refused (a zip bomb must not fill the memory). */
export const BACKUP_MAX_BYTES = 1024 * 1024 * 1024;

export class BackupError extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(message);
  }
}

const SAFE = /^[A-Za-z0-9._-]+$/;

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The file up to its last complete line (a write in flight may have left a partial one). */
async function completeLines(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  const end = text.lastIndexOf('\n');
  return end < 0 ? '' : text.slice(0, end + 1);
}

export interface BackupSource {
  /** The configuration as it is now (the running store's, or config.json read from the folder). */
  config: ConfigData;
  dataDir: string;
  /** ['*'] for everything, or one office id. */
  offices: string[];
  /** Resolves once the office's pending commits are on disk (the running server's queue). */
  settled?: (officeId: string) => Promise<void>;
}

/** The configuration restricted to one office: its users (without access to others) and devices; admins of every office are left out. */
function configFor(config: ConfigData, officeId: string): ConfigData {
  return {
    schemaVersion: 1,
    offices: config.offices.filter((o) => o.id === officeId),
    users: config.users.filter((u) => !u.offices.includes('*') && u.offices.includes(officeId)).map((u) => ({ ...u, offices: [officeId] })),
    devices: config.devices.filter((d) => d.officeId === officeId),
    ...(config.revisions?.[officeId] ? { revisions: { [officeId]: config.revisions[officeId] } } : {}),
  };
}

export async function createBackup(source: BackupSource): Promise<BackupDocument> {
  const all = source.offices.includes('*');
  const config = all ? source.config : configFor(source.config, source.offices[0]!);
  const officeIds = all ? (await list(path.join(source.dataDir, 'offices'))).filter((o) => SAFE.test(o)) : config.offices.map((o) => o.id);
  const journals: BackupDocument['journals'] = [];
  const files: BackupDocument['files'] = [];
  for (const officeId of officeIds) {
    await source.settled?.(officeId);
    const dir = path.join(source.dataDir, 'offices', officeId);
    for (const f of await list(path.join(dir, 'days'))) {
      if (!f.endsWith('.jsonl') || !SAFE.test(f)) continue;
      journals.push({ path: `offices/${officeId}/days/${f}`, text: await completeLines(path.join(dir, 'days', f)) });
    }
    for (const f of await list(dir)) {
      if (!/^logo\.(png|jpg|webp)$/.test(f)) continue;
      files.push({ path: `offices/${officeId}/${f}`, base64: (await readFile(path.join(dir, f))).toString('base64') });
    }
  }
  for (const f of await list(path.join(source.dataDir, 'audit'))) {
    if (!f.endsWith('.jsonl') || !SAFE.test(f)) continue;
    let text = await completeLines(path.join(source.dataDir, 'audit', f));
    if (!all) {
      // An office's backup holds that office's audit lines only.
      text = text
        .split('\n')
        .filter((l) => {
          try {
            return l !== '' && (JSON.parse(l) as { officeId?: string }).officeId === source.offices[0];
          } catch {
            return false;
          }
        })
        .map((l) => `${l}\n`)
        .join('');
      if (!text) continue;
    }
    journals.push({ path: `audit/${f}`, text });
  }
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), appVersion: VERSION, offices: all ? ['*'] : [...source.offices], config, journals, files };
}

export async function encodeBackup(doc: BackupDocument): Promise<Buffer> {
  return gzipAsync(Buffer.from(JSON.stringify(doc)), { level: 6 });
}

const commitSchema = z.object({
  version: z.number().int().min(1),
  key: z.string().optional(),
  fingerprint: z.string().optional(),
  ticketId: z.string().nullable(),
  events: z.array(queueEventSchema),
});

export interface DecodedBackup {
  doc: BackupDocument;
  config: ConfigData;
  /** Tickets in the office-day journals. */
  tickets: number;
}

/**
 * Reads and checks a whole backup before anything is written: the gzip, the
 * document, the configuration (the same schema as at start), and every office
 * day replayed through the queue rules from an empty day. Throws BackupError.
 */
export async function decodeBackup(file: Buffer): Promise<DecodedBackup> {
  let json: string;
  try {
    json = (await gunzipAsync(file, { maxOutputLength: BACKUP_MAX_BYTES })).toString('utf8');
  } catch {
    throw new BackupError('not a gzip file, or damaged', '(file)');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new BackupError('not a JSON document', '(file)');
  }
  const parsed = backupDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new BackupError(i.message, i.path.join('.') || '(root)');
  }
  const doc = parsed.data;
  let config: ConfigData;
  try {
    config = parseConfigData(doc.config, 'the backup');
  } catch (err) {
    throw new BackupError((err as Error).message, 'config');
  }
  const seen = new Set<string>();
  let tickets = 0;
  for (const j of [...doc.journals, ...doc.files]) {
    if (seen.has(j.path)) throw new BackupError('file listed twice', j.path);
    seen.add(j.path);
  }
  for (const j of doc.journals) {
    const lines = j.text.split('\n');
    if (lines.pop() !== '') throw new BackupError('does not end with a complete line', j.path);
    const m = /^offices\/([^/]+)\/days\/([^/]+)\.jsonl$/.exec(j.path);
    if (!m) {
      lines.forEach((l, n) => {
        try {
          JSON.parse(l);
        } catch {
          throw new BackupError(`line ${n + 1} is not JSON`, j.path);
        }
      });
      continue;
    }
    const [, officeId, day] = m as unknown as [string, string, string];
    const office = config.offices.find((o) => o.id === officeId);
    if (!office) throw new BackupError(`office ${officeId} is not in the configuration`, j.path);
    const state = emptyDay(officeId, day);
    lines.forEach((l, n) => {
      let commit: Commit;
      try {
        commit = commitSchema.parse(JSON.parse(l)) as Commit;
      } catch {
        throw new BackupError(`line ${n + 1} is not a commit`, j.path);
      }
      if (commit.version !== state.version + 1) throw new BackupError(`line ${n + 1}: version ${commit.version} follows ${state.version}`, j.path);
      try {
        applyCommit(state, office, commit);
      } catch (err) {
        throw new BackupError(`line ${n + 1} cannot be replayed: ${(err as Error).message}`, j.path);
      }
    });
    tickets += state.tickets.size;
  }
  for (const f of doc.files) {
    const officeId = f.path.split('/')[1];
    if (!config.offices.some((o) => o.id === officeId)) throw new BackupError(`office ${officeId} is not in the configuration`, f.path);
  }
  return { doc, config, tickets };
}

/** Whether any office-day journal in the folder holds a commit. */
async function hasTickets(dataDir: string): Promise<boolean> {
  for (const officeId of await list(path.join(dataDir, 'offices'))) {
    const days = path.join(dataDir, 'offices', officeId, 'days');
    for (const f of await list(days)) {
      if (f.endsWith('.jsonl') && (await stat(path.join(days, f))).size > 0) return true;
    }
  }
  return false;
}

/** The configuration without what differs between two seeds of the same demo (password hashes). */
function seedShape(c: ConfigData): string {
  return JSON.stringify({ offices: c.offices, devices: c.devices, users: c.users.map((u) => ({ ...u, passwordHash: '' })), revisions: c.revisions ?? {} });
}

/**
 * A fresh install: no office day holds a commit, and the configuration is the
 * demo seed's (no office, account or device changed, added or paired).
 */
export async function isFreshInstall(store: Store, dataDir: string): Promise<boolean> {
  if (await hasTickets(dataDir)) return false;
  const seed = await demoSeed('x', async () => 'scrypt$seed');
  return seedShape(store.config.get()) === seedShape(parseConfigData(seed.data, 'demo seed'));
}

/** Restores onto the running server (a fresh install): files first, each replaced atomically, then the configuration, then the offices reload. */
export async function restoreBackup(
  decoded: DecodedBackup,
  target: { store: Store; queue: { reload(officeId: string): Promise<void> }; dataDir: string },
): Promise<RestoreResult> {
  const { doc, config } = decoded;
  for (const j of doc.journals) {
    const file = path.join(target.dataDir, ...j.path.split('/'));
    if (j.path.startsWith('audit/')) {
      // Today's audit file is open (this restore's sign-in is in it): add the restored lines to it.
      await mkdir(path.dirname(file), { recursive: true });
      const fh = await open(file, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o644);
      try {
        await fh.appendFile(j.text);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } else {
      await writeFileDurably(file, j.text);
    }
  }
  for (const f of doc.files) await writeFileDurably(path.join(target.dataDir, ...f.path.split('/')), Buffer.from(f.base64, 'base64'));
  const before = target.store.config.get().offices.map((o) => o.id);
  await target.store.config.update((d) => {
    d.offices = config.offices;
    d.users = config.users;
    d.devices = config.devices;
    if (config.revisions) d.revisions = config.revisions;
    else delete d.revisions;
  });
  for (const id of new Set([...before, ...config.offices.map((o) => o.id)])) await target.queue.reload(id);
  return { offices: config.offices.map((o) => o.id), journals: doc.journals.length, tickets: decoded.tickets, restart: false };
}

/** Whether a data folder holds anything at all. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  return (await list(dir)).length === 0;
}

/**
 * Restores into a data folder no server is using (the CLI): the whole folder is
 * built beside it and renamed into place, so it is either all there or not at
 * all. A non-empty folder is kept, renamed to `<dir>.before-restore-<time>`.
 */
export async function restoreIntoFolder(decoded: DecodedBackup, dataDir: string): Promise<{ movedAside: string | null }> {
  const dir = path.resolve(dataDir);
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const staging = `${dir}.restore-${process.pid}-${Date.now()}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await writeFileDurably(path.join(staging, 'config.json'), `${JSON.stringify(decoded.config, null, 2)}\n`);
    for (const j of decoded.doc.journals) await writeFileDurably(path.join(staging, ...j.path.split('/')), j.text);
    for (const f of decoded.doc.files) await writeFileDurably(path.join(staging, ...f.path.split('/')), Buffer.from(f.base64, 'base64'));
    await fsyncDir(staging);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  let movedAside: string | null = null;
  const exists = await stat(dir).then(
    () => true,
    () => false,
  );
  if (exists) {
    if (await isEmptyDir(dir)) await rm(dir, { recursive: true });
    else {
      movedAside = `${dir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(dir, movedAside);
    }
  }
  await rename(staging, dir);
  await fsyncDir(parent);
  return { movedAside };
}
