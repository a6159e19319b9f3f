// The embedded store: lowdb JSON files for configuration and sessions, and one
// append-only journal per office day (data/offices/<office>/days/<day>.jsonl)
// that the day's state is rebuilt from. Each journal line is one commit.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { OfficeConfig } from '../../protocol/model.ts';
import { attachPastDays } from '../domain/eta-history.ts';
import { applyCommit, emptyDay, type Commit, type DayState } from '../domain/state.ts';
import { parseConfigData } from './config-schema.ts';
import { FileComplaintStore } from './complaint-files.ts';
import { DurableJSONFile, Journal, writeFileDurably } from './durable-file.ts';
import type { DayAggregate } from '../domain/report.ts';
import type { AggregateStore, AuditEntry, AuditLog, ConfigData, ConfigStore, QueueStore, SessionRecord, SessionStore, Store } from './types.ts';

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

/**
 * Office days kept open per office: today and the future days being booked
 * (docs/booking.md). The least recently opened beyond this are closed; opening
 * one again replays its journal.
 */
export const OPEN_DAYS_PER_OFFICE = 64;

const dayKey = (officeId: string, officeDay: string) => `${officeId}/${officeDay}`;

class JournalQueueStore implements QueueStore {
  /** Per office and day, in the order last opened (a Map keeps insertion order). */
  #days = new Map<string, Promise<OpenDay>>();
  /** Set by close: a request still in flight then cannot open (and create) a day's journal in a folder being removed. */
  #closed = false;
  constructor(private readonly dir: string) {}

  fileOf(officeId: string, officeDay: string): string {
    return path.join(this.dir, 'offices', safeName(officeId), 'days', `${safeName(officeDay)}.jsonl`);
  }

  async openDay(office: OfficeConfig, officeDay: string): Promise<DayState> {
    if (this.#closed) throw new Error('store closed');
    const key = dayKey(office.id, officeDay);
    const cached = this.#days.get(key);
    if (cached) {
      const open = await cached;
      if (!open.journal.failed) {
        if (this.#days.get(key) === cached) {
          this.#days.delete(key);
          this.#days.set(key, cached);
        }
        return open.state;
      }
      if (this.#days.get(key) === cached) this.#days.delete(key);
      await open.journal.close().catch(() => undefined);
    }
    let loading = this.#days.get(key);
    if (!loading) {
      loading = this.#load(office, officeDay);
      this.#days.set(key, loading);
      loading.catch(() => this.#days.delete(key));
      this.#trim(office.id);
    }
    return (await loading).state;
  }

  /** Closes the least recently opened days of an office beyond OPEN_DAYS_PER_OFFICE. */
  #trim(officeId: string): void {
    const prefix = `${officeId}/`;
    const mine = [...this.#days.keys()].filter((k) => k.startsWith(prefix));
    for (const k of mine.slice(0, Math.max(0, mine.length - OPEN_DAYS_PER_OFFICE))) {
      const p = this.#days.get(k)!;
      this.#days.delete(k);
      // A write in flight finishes first: Journal.close waits for its queue.
      void p.then((o) => o.journal.close()).catch(() => undefined);
    }
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
    // Today's day: the wait estimate learns the shape of the day from the last working days (docs/eta.md).
    await attachPastDays(state, office, (d) => this.readCommits(office.id, d));
    return { officeDay, state, journal };
  }

  async commit(office: OfficeConfig, officeDay: string, commit: Commit): Promise<void> {
    const key = dayKey(office.id, officeDay);
    const cached = this.#days.get(key);
    const open = cached ? await cached : undefined;
    if (!open || open.officeDay !== officeDay) throw new Error(`office day ${office.id}/${officeDay} is not open`);
    try {
      await open.journal.append(commit);
    } catch (err) {
      // Memory ran ahead of the disk: forget it; the next openDay replays the journal.
      if (this.#days.get(key) === cached) this.#days.delete(key);
      await open.journal.close().catch(() => undefined);
      throw err;
    }
  }

  async evict(officeId: string): Promise<void> {
    const prefix = `${officeId}/`;
    for (const [k, cached] of [...this.#days]) {
      if (!k.startsWith(prefix)) continue;
      this.#days.delete(k);
      const open = await cached.catch(() => undefined);
      await open?.journal.close().catch(() => undefined);
    }
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
    this.#closed = true;
    const all = [...this.#days.values()];
    this.#days.clear();
    for (const p of all) {
      const open = await p.catch(() => undefined);
      await open?.journal.close();
    }
  }
}

/** One JSON file per office day beside its journal: data/offices/<office>/reports/<day>.json, replaced atomically. */
class FileAggregateStore implements AggregateStore {
  /** Set by close: an aggregate computed by a request still in flight is not written after. */
  #closed = false;
  constructor(private readonly dir: string) {}
  close(): void {
    this.#closed = true;
  }
  #folder(officeId: string): string {
    return path.join(this.dir, 'offices', safeName(officeId), 'reports');
  }
  #file(officeId: string, officeDay: string): string {
    return path.join(this.#folder(officeId), `${safeName(officeDay)}.json`);
  }
  async get(officeId: string, officeDay: string): Promise<DayAggregate | null> {
    try {
      return JSON.parse(await readFile(this.#file(officeId, officeDay), 'utf8')) as DayAggregate;
    } catch (err) {
      // Absent, or unreadable (a half-written file cannot happen: writes rename): computed again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || err instanceof SyntaxError) return null;
      throw err;
    }
  }
  async range(officeId: string, from: string, to: string): Promise<DayAggregate[]> {
    let files: string[];
    try {
      files = await readdir(this.#folder(officeId));
    } catch {
      return [];
    }
    const days = files.filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -5)).filter((d) => d >= from && d <= to);
    const out = await Promise.all(days.map((d) => this.get(officeId, d)));
    return out.filter((a): a is DayAggregate => a !== null);
  }
  async put(aggregate: DayAggregate): Promise<void> {
    if (this.#closed) throw new Error('store closed');
    await writeFileDurably(this.#file(aggregate.officeId, aggregate.officeDay), JSON.stringify(aggregate));
  }
  async drop(officeId: string, officeDay: string): Promise<void> {
    await rm(this.#file(officeId, officeDay), { force: true });
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
  const aggregates = new FileAggregateStore(opts.dataDir);
  const store: Store = {
    queue,
    aggregates,
    complaints: new FileComplaintStore(opts.dataDir),
    config: new LowConfigStore(configDb),
    sessions: new LowSessionStore(sessionsDb),
    audit,
    async close() {
      aggregates.close();
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
