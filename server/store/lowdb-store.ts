// The embedded store: lowdb JSON files for configuration and sessions, and one
// append-only journal per office day (data/offices/<office>/days/<day>.jsonl)
// that the day's state is rebuilt from. Each journal line is one commit.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { OfficeConfig } from '../../protocol/model.ts';
import { applyCommit, emptyDay, type Commit, type DayState } from '../domain/state.ts';
import { parseConfigData } from './config-schema.ts';
import { DurableJSONFile, Journal } from './durable-file.ts';
import type { AuditEntry, AuditLog, ConfigData, ConfigStore, QueueStore, SessionRecord, SessionStore, Store } from './types.ts';

const SAFE = /^[A-Za-z0-9._-]+$/;
function safeName(s: string): string {
  if (!SAFE.test(s)) throw new Error(`unsafe path component: ${JSON.stringify(s)}`);
  return s;
}

interface OpenDay {
  officeDay: string;
  state: DayState;
  journal: Journal;
}

class JournalQueueStore implements QueueStore {
  #days = new Map<string, Promise<OpenDay>>();
  constructor(private readonly dir: string) {}

  fileOf(officeId: string, officeDay: string): string {
    return path.join(this.dir, 'offices', safeName(officeId), 'days', `${safeName(officeDay)}.jsonl`);
  }

  async openDay(office: OfficeConfig, officeDay: string): Promise<DayState> {
    const cached = this.#days.get(office.id);
    if (cached) {
      const open = await cached;
      if (open.officeDay === officeDay && !open.journal.failed) return open.state;
      if (this.#days.get(office.id) === cached) this.#days.delete(office.id);
      await open.journal.close().catch(() => undefined);
    }
    let loading = this.#days.get(office.id);
    if (!loading) {
      loading = this.#load(office, officeDay);
      this.#days.set(office.id, loading);
      loading.catch(() => this.#days.delete(office.id));
    }
    const open = await loading;
    if (open.officeDay !== officeDay) return this.openDay(office, officeDay);
    return open.state;
  }

  async #load(office: OfficeConfig, officeDay: string): Promise<OpenDay> {
    const file = this.fileOf(office.id, officeDay);
    const { journal, records } = await Journal.open<Commit>(file);
    const state = emptyDay(office.id, officeDay);
    for (const commit of records) {
      if (commit.version !== state.version + 1) {
        await journal.close();
        throw new Error(`${file}: version ${commit.version} follows ${state.version}; the journal is damaged.`);
      }
      applyCommit(state, office, commit);
    }
    return { officeDay, state, journal };
  }

  async commit(office: OfficeConfig, officeDay: string, commit: Commit): Promise<void> {
    const cached = this.#days.get(office.id);
    const open = cached ? await cached : undefined;
    if (!open || open.officeDay !== officeDay) throw new Error(`office day ${office.id}/${officeDay} is not open`);
    try {
      await open.journal.append(commit);
    } catch (err) {
      // Memory ran ahead of the disk: forget it; the next openDay replays the journal.
      if (this.#days.get(office.id) === cached) this.#days.delete(office.id);
      await open.journal.close().catch(() => undefined);
      throw err;
    }
  }

  async evict(officeId: string): Promise<void> {
    const cached = this.#days.get(officeId);
    if (!cached) return;
    this.#days.delete(officeId);
    const open = await cached.catch(() => undefined);
    await open?.journal.close().catch(() => undefined);
  }

  async readCommits(officeId: string, officeDay: string, afterVersion = 0): Promise<Commit[]> {
    let text: string;
    try {
      text = await readFile(this.fileOf(officeId, officeDay), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: Commit[] = [];
    // Line i holds version i + 1 (the day is rebuilt only from a journal without gaps), so the lines a
    // reader already has are skipped unparsed: the sync agent reads the day's new tail often.
    let n = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      if (++n <= afterVersion) continue;
      try {
        const commit = JSON.parse(line) as Commit;
        if (commit.version > afterVersion) out.push(commit);
      } catch {
        break;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const all = [...this.#days.values()];
    this.#days.clear();
    for (const p of all) {
      const open = await p.catch(() => undefined);
      await open?.journal.close();
    }
  }
}

class LowConfigStore implements ConfigStore {
  /** The update in progress: the next starts from its result (two racing saves never both start from the same data). */
  #last: Promise<void> = Promise.resolve();
  constructor(private readonly db: Low<ConfigData>) {}
  get(): ConfigData {
    return this.db.data;
  }
  update(change: (draft: ConfigData) => void): Promise<void> {
    const run = this.#last.then(async () => {
      // Change a copy; swap it in only once it is valid and on disk.
      const draft = structuredClone(this.db.data);
      change(draft);
      const valid = parseConfigData(draft, 'configuration update');
      await this.db.adapter.write(valid);
      this.db.data = valid;
    });
    this.#last = run.catch(() => undefined);
    return run;
  }
}

class LowSessionStore implements SessionStore {
  constructor(private readonly db: Low<{ sessions: SessionRecord[] }>) {}
  get(idHash: string): SessionRecord | undefined {
    return this.db.data.sessions.find((s) => s.idHash === idHash);
  }
  async put(session: SessionRecord): Promise<void> {
    const now = new Date().toISOString();
    this.db.data.sessions = this.db.data.sessions.filter((s) => s.expiresAt > now && s.idHash !== session.idHash);
    this.db.data.sessions.push(session);
    await this.db.write();
  }
  async delete(idHash: string): Promise<void> {
    this.db.data.sessions = this.db.data.sessions.filter((s) => s.idHash !== idHash);
    await this.db.write();
  }
  async deleteForUser(userId: string, keep?: string): Promise<string[]> {
    const ended = this.db.data.sessions.filter((s) => s.userId === userId && s.idHash !== keep).map((s) => s.idHash);
    if (ended.length === 0) return [];
    this.db.data.sessions = this.db.data.sessions.filter((s) => s.userId !== userId || s.idHash === keep);
    await this.db.write();
    return ended;
  }
}

class JournalAuditLog implements AuditLog {
  #open: { day: string; journal: Promise<Journal> } | null = null;
  constructor(private readonly dir: string) {}

  #file(day: string): string {
    return path.join(this.dir, 'audit', `${safeName(day)}.jsonl`);
  }

  async append(entry: AuditEntry): Promise<void> {
    const day = entry.at.slice(0, 10);
    if (!this.#open || this.#open.day !== day) {
      const previous = this.#open;
      this.#open = { day, journal: Journal.open(this.#file(day)).then((r) => r.journal) };
      if (previous) void previous.journal.then((j) => j.close()).catch(() => undefined);
    }
    const journal = await this.#open.journal;
    await journal.append(entry);
  }

  async read(day: string): Promise<AuditEntry[]> {
    try {
      const text = await readFile(this.#file(day), 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as AuditEntry];
          } catch {
            return [];
          }
        });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async close(): Promise<void> {
    const j = await this.#open?.journal.catch(() => undefined);
    await j?.close();
  }
}

export interface OpenStoreOptions {
  dataDir: string;
  /** Builds the first configuration when the data folder has none (the demo seed). */
  seed: () => Promise<ConfigData>;
}

export async function openLowdbStore(opts: OpenStoreOptions): Promise<{ store: Store; seeded: boolean }> {
  const configFile = new DurableJSONFile<ConfigData>(path.join(opts.dataDir, 'config.json'));
  let data = await configFile.read();
  let seeded = false;
  if (data === null) {
    data = parseConfigData(await opts.seed(), 'demo seed');
    await configFile.write(data);
    seeded = true;
  } else {
    data = parseConfigData(data, configFile.file);
  }
  const configDb = new Low<ConfigData>(configFile, data);
  const sessionsFile = new DurableJSONFile<{ sessions: SessionRecord[] }>(path.join(opts.dataDir, 'sessions.json'));
  const sessionsDb = new Low(sessionsFile, { sessions: [] as SessionRecord[] });
  await sessionsDb.read();
  if (!Array.isArray(sessionsDb.data?.sessions)) sessionsDb.data = { sessions: [] };

  const queue = new JournalQueueStore(opts.dataDir);
  const audit = new JournalAuditLog(opts.dataDir);
  const store: Store = {
    queue,
    config: new LowConfigStore(configDb),
    sessions: new LowSessionStore(sessionsDb),
    audit,
    async close() {
      await queue.close();
      await audit.close();
    },
  };
  return { store, seeded };
}

/** Office days that have a journal, newest first (reports). */
export async function listDays(dataDir: string, officeId: string): Promise<string[]> {
  try {
    const files = await readdir(path.join(dataDir, 'offices', safeName(officeId), 'days'));
    return files.filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -6)).sort().reverse();
  } catch {
    return [];
  }
}
