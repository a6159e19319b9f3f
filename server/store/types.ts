// The store interface: the only way the rest of the server touches durable
// data. The embedded default is lowdb-store.ts; a PostgreSQL implementation
// fills the same interface (commit = INSERT of the commit row with a unique
// (office, day, version) key, so two processes racing for the same version
// cannot both win: the loser reloads and decides again).
import type { Actor, DeviceKind, OfficeConfig, Role } from '../../protocol/model.ts';
import type { Section } from '../../protocol/admin.ts';
import type { DayAggregate } from '../domain/report.ts';
import type { Commit, DayState } from '../domain/state.ts';
import type { Complaint } from '../../protocol/complaints.ts';

export interface UserRecord {
  id: string;
  username: string;
  name: string;
  role: Role;
  /** Office ids this user works for; ['*'] for every office. */
  offices: string[];
  /** scrypt$N$r$p$salt$hash (see auth/passwords.ts). */
  passwordHash: string;
  disabled?: boolean;
  /** The password was set by an admin (or generated): only a password change is allowed until it is changed. */
  mustChangePassword?: boolean;
}

export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  officeId: string;
  name: string;
  /** sha256 of the device token; the token itself is shown once. */
  tokenHash: string;
  createdAt: string;
  approvedBy: string;
  /**
   * Kiosks (and agents' keypads): the printer its receipts go to, a printer URL of
   * devices/config.ts; null/absent = none of its own. GILIRAN_PRINTERS overrides it.
   */
  printer?: string | null;
}

export interface SessionRecord {
  /** sha256 of the cookie value. */
  idHash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
}

/** One section's revision (protocol/admin.ts): how many saves, the last when and by whom. */
export interface RevisionRecord {
  revision: number;
  at: string;
  by: string;
}

export interface ConfigData {
  schemaVersion: 1;
  offices: OfficeConfig[];
  /**
   * Per office id, per admin section (protocol/admin.ts SECTIONS), the last
   * save through the admin API. Absent (files from before the admin console) =
   * every section at revision 0.
   */
  revisions?: Record<string, Partial<Record<Section, RevisionRecord>>>;
  users: UserRecord[];
  devices: DeviceRecord[];
}

export interface AuditEntry {
  at: string;
  actor: Actor;
  action: string;
  officeId?: string;
  detail?: Record<string, unknown>;
}

/**
 * Another writer sharing the store (a second server process on PostgreSQL)
 * committed this version of the office day first. Nothing of this commit was
 * kept; the day is reloaded on the next openDay and the command decided again.
 */
export class StaleDayError extends Error {
  constructor(officeId: string, officeDay: string, version: number) {
    super(`office day ${officeId}/${officeDay} already has version ${version} (another process committed it)`);
    this.name = 'StaleDayError';
  }
}

export interface QueueStore {
  /** The state of one office day, rebuilt from what is on disk (cached after the first call). */
  openDay(office: OfficeConfig, officeDay: string): Promise<DayState>;
  /**
   * Makes a commit durable. Resolves only once it is on disk; the caller
   * acknowledges and broadcasts after that. On failure the day is dropped
   * from memory and reloaded from disk on the next openDay.
   */
  commit(office: OfficeConfig, officeDay: string, commit: Commit): Promise<void>;
  /** Reads a past or current day's commits (reports, audit), or only those after `afterVersion`. */
  readCommits(officeId: string, officeDay: string, afterVersion?: number): Promise<Commit[]>;
  /**
   * Stores that several server processes share (PostgreSQL) tell each process
   * of the commits the others made, so it can bring its copy of the day up to
   * date and tell its own screens. The embedded store has one writer and no feed.
   */
  onExternalCommit?(listener: (officeId: string, officeDay: string, version: number, commits?: Commit[]) => void): void;
  /**
   * Stores that several processes share: the office's write lease (one writer
   * per office at a time across processes, docs/central.md). Resolves once this
   * process holds it for `officeDay`'s command; the caller brings its day up to
   * date (`hold.commits`, or readCommits after its version when null), decides,
   * commits through `hold.commit`, and calls `hold.leave` once the write settled
   * (or at once when it writes nothing). Commands of one process entering
   * together share one hold, so group commit still batches them.
   */
  enterWriter?(officeId: string, officeDay: string): Promise<WriterHold>;
  /** Forgets the cached day of an office (its files were replaced by a restore): the next openDay reads the disk. */
  evict(officeId: string): Promise<void>;
}

/** One command's share of an office's write lease (QueueStore.enterWriter). */
export interface WriterHold {
  /**
   * The commits of the day entered for that other processes made after this
   * process's copy of it, read under the lease in the round trip that took it
   * (already-applied ones may be among them); null when they were not read.
   */
  readonly commits: Commit[] | null;
  /** Makes a commit durable under the lease: resolves once the database has committed it (StaleDayError as QueueStore.commit). */
  commit(office: OfficeConfig, officeDay: string, commit: Commit): Promise<void>;
  /** This command is done with the lease (its commit settled, or it writes nothing). */
  leave(): void;
}

export interface ConfigStore {
  /** The current configuration (held in memory; do not mutate). */
  get(): ConfigData;
  /**
   * Changes the configuration durably; resolves after it is on disk. Updates
   * run one at a time, each on the result of the one before, so `change` may
   * check what it changes (a revision) and throw to change nothing.
   */
  update(change: (draft: ConfigData) => void): Promise<void>;
}

export interface SessionStore {
  get(idHash: string): SessionRecord | undefined;
  put(session: SessionRecord): Promise<void>;
  delete(idHash: string): Promise<void>;
  /** Ends every session of a user (but `keep`); resolves with the hashes ended, once on disk. */
  deleteForUser(userId: string, keep?: string): Promise<string[]>;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  read(day: string): Promise<AuditEntry[]>;
}

/**
 * Per office day report aggregates (server/domain/report.ts), kept once a day
 * has closed so a range report merges them instead of reading tickets. The
 * store keeps what it is given; whether one is current (format, standards) is
 * the report service's decision.
 */
export interface AggregateStore {
  get(officeId: string, officeDay: string): Promise<DayAggregate | null>;
  /** The kept aggregates of from..to (inclusive), any order; days without one are absent. */
  range(officeId: string, from: string, to: string): Promise<DayAggregate[]>;
  /** Keeps (replaces) a day's aggregate durably. */
  put(aggregate: DayAggregate): Promise<void>;
  /** Forgets a day's aggregate (a writer added commits to a past day: it is computed again). */
  drop(officeId: string, officeDay: string): Promise<void>;
}

/**
 * Complaints (pengaduan), which span days: one record each, changed whole.
 * Writes are durable before they resolve; `update` runs one change at a time
 * per office, on the record as stored, and stores nothing when `change`
 * returns null.
 */
export interface ComplaintStore {
  create(c: Complaint): Promise<void>;
  get(officeId: string, id: string): Promise<Complaint | undefined>;
  byCode(officeId: string, code: string): Promise<Complaint | undefined>;
  /** Every complaint of an office, newest first. */
  list(officeId: string): Promise<Complaint[]>;
  update(officeId: string, id: string, change: (c: Complaint) => Complaint | null): Promise<Complaint | undefined>;
}

/** What a box shipped last for one of its offices (the central's view, server/sync). */
export interface SyncStateRow {
  deviceId: string;
  officeId: string;
  officeDay: string;
  version: number;
  boxVersion: number | null;
  contactAt: string;
}

/**
 * A shipped commit differs from the one the central already holds for its
 * (office, day, version): nothing of the batch was stored.
 */
export class SyncConflictError extends Error {
  constructor(officeId: string, officeDay: string, version: number) {
    super(`office day ${officeId}/${officeDay}: the shipped version ${version} differs from the stored one`);
    this.name = 'SyncConflictError';
  }
}

/**
 * The central's side of office-box sync (server/sync): only stores several
 * processes share (PostgreSQL) have it. Every import is idempotent: a batch
 * sent twice stores nothing the second time.
 */
export interface SyncStore {
  /**
   * Stores the commits of a box's office day that follow `after` (each
   * commit's version is after + i + 1), skipping those already held (which
   * must be equal, else SyncConflictError and nothing stored). When `after`
   * is past what the central holds, nothing is stored (no gap is ever made).
   * Resolves with the last contiguous version held, once durable.
   */
  importCommits(deviceId: string, officeId: string, officeDay: string, after: number, commits: Commit[], boxVersion: number | null): Promise<number>;
  /** The last contiguous version of an office day held (0: none). */
  heldVersion(officeId: string, officeDay: string): Promise<number>;
  /** Stores a box's audit entries of one day by their line `seq`, once each; resolves with the box's audit mark of the day. */
  importAudit(deviceId: string, officeId: string, day: string, upTo: number, entries: Array<{ seq: number; entry: AuditEntry }>): Promise<number>;
  /** The newest state row of each box for an office. */
  syncState(officeId: string): Promise<SyncStateRow[]>;
}

export interface Store {
  queue: QueueStore;
  aggregates: AggregateStore;
  complaints: ComplaintStore;
  config: ConfigStore;
  sessions: SessionStore;
  audit: AuditLog;
  /** Receiving office boxes' journals (central deployments on PostgreSQL only). */
  sync?: SyncStore;
  close(): Promise<void>;
}
