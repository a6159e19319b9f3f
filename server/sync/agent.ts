// The office box's sync agent: ships each office day's commits (and the
// office's audit lines) to the central deployment in batches, off the queue's
// path. One loop per office; what the central acknowledged is kept durably
// per day (<data>/sync/marks.json), so a restart, a network cut or days
// offline resume where they stopped; every day since the mark is shipped. The
// central keys everything by (office, day, version), so a batch sent twice
// (its answer lost) stores nothing the second time.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { errorBodySchema } from '../../protocol/schemas-http.ts';
import { syncPaths } from '../../protocol/sync-paths.ts';
import { SYNC_AUDIT_BATCH_MAX, SYNC_BATCH_MAX, syncAuditMarkSchema, syncBoxSchema, syncMarkSchema, type BoxOfficeSync } from '../../protocol/sync.ts';
import { officeDayOf } from '../domain/index.ts';
import type { Logger } from '../log.ts';
import type { QueueService } from '../queue-service.ts';
import { DurableJSONFile } from '../store/durable-file.ts';
import { listDays } from '../store/lowdb-store.ts';
import type { Store } from '../store/types.ts';

export interface SyncAgentOptions {
  centralUrl: string;
  /** Device tokens of kind office_box, one per office this box ships (server/sync/tokens.ts). */
  tokens: string[];
  store: Store;
  queue: QueueService;
  dataDir: string;
  log: Logger;
  now?: () => Date;
  /** Commits per request (at most SYNC_BATCH_MAX). */
  batchSize?: number;
  /** First retry delay after a failure; doubles per failure up to retryMaxMs, each with ±25% jitter. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** After a commit, wait this long for more before shipping (one request carries them all). */
  lingerMs?: number;
  /** With nothing to ship, look again after this long (a new day, the audit log). */
  idleMs?: number;
  requestTimeoutMs?: number;
}

interface DayMark {
  /** The last version the central acknowledged. */
  v: number;
  /** Past day, all of it acknowledged: never read again. */
  sealed?: true;
}
interface AuditMark {
  upTo: number;
  /** The journal's size when last read: unchanged = nothing new. */
  size?: number;
  sealed?: true;
}
interface OfficeMarks {
  /** Every journal day up to this one is sealed (their marks are dropped, so the file stays small). */
  sealedThrough: string | null;
  days: Record<string, DayMark>;
  auditSealedThrough: string | null;
  audit: Record<string, AuditMark>;
}
interface MarksFile {
  version: 1;
  offices: Record<string, OfficeMarks>;
}

/** A refusal from the central, with its code (401, 403 …) or a network error (status 0). */
export class SyncError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

class OfficeRunner {
  /** The newest version known per day (from the queue's deltas, or the last read). */
  heads = new Map<string, number>();
  failures = 0;
  lastError: string | null = null;
  lastErrorAt: string | null = null;
  retryAt: string | null = null;
  lastContact: string | null = null;
  lastDay: string | null = null;
  lastVersion = 0;
  /** When the oldest commit not yet acknowledged was made (null: none waits). */
  pendingSince: number | null = null;
  #wake: (() => void) | null = null;
  #poked = false;
  loop: Promise<void> = Promise.resolve();
  constructor(
    readonly office: string,
    readonly token: string,
  ) {}

  poke(): void {
    this.#poked = true;
    this.#wake?.();
  }
  /** Resolves after `ms`, or at a poke when `wakeable` (a backoff is not cut short by new commits). */
  sleep(ms: number, wakeable: boolean, closed: AbortSignal): Promise<void> {
    if (wakeable && this.#poked) {
      this.#poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        closed.removeEventListener('abort', done);
        this.#wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      closed.addEventListener('abort', done);
      if (wakeable)
        this.#wake = () => {
          this.#poked = false;
          done();
        };
    });
  }
}

export class SyncAgent {
  readonly centralUrl: string;
  #o: Required<Omit<SyncAgentOptions, 'tokens' | 'store' | 'queue' | 'dataDir' | 'log' | 'centralUrl' | 'now'>>;
  #runners = new Map<string, OfficeRunner>();
  #marks: MarksFile = { version: 1, offices: {} };
  #marksFile: DurableJSONFile<MarksFile>;
  #closing = new AbortController();
  #resolving: Promise<void> = Promise.resolve();
  #tokenError: string | null = null;
  readonly #now: () => Date;

  constructor(private readonly opts: SyncAgentOptions) {
    this.centralUrl = opts.centralUrl.replace(/\/+$/, '');
    this.#now = opts.now ?? (() => new Date());
    this.#o = {
      batchSize: Math.min(SYNC_BATCH_MAX, opts.batchSize ?? SYNC_BATCH_MAX),
      retryBaseMs: opts.retryBaseMs ?? 1_000,
      retryMaxMs: opts.retryMaxMs ?? 300_000,
      lingerMs: opts.lingerMs ?? 1_000,
      idleMs: opts.idleMs ?? 30_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    };
    this.#marksFile = new DurableJSONFile<MarksFile>(path.join(opts.dataDir, 'sync', 'marks.json'));
  }

  /** Reads the marks and starts shipping in the background: never waits for the network. */
  async start(): Promise<void> {
    const saved = await this.#marksFile.read();
    if (saved?.version === 1 && typeof saved.offices === 'object') this.#marks = saved;
    this.opts.queue.listen({
      delta: (officeId, delta) => {
        const r = this.#runners.get(officeId);
        if (!r) return;
        r.heads.set(delta.officeDay, Math.max(delta.version, r.heads.get(delta.officeDay) ?? 0));
        r.pendingSince ??= Date.now();
        r.poke();
      },
      reset: () => undefined,
    });
    this.#resolving = this.#resolveTokens();
  }

  /** Learns each token's office from the central (retried with backoff until it answers). */
  async #resolveTokens(): Promise<void> {
    const left = new Set(this.opts.tokens);
    for (let failures = 0; left.size > 0 && !this.#closing.signal.aborted; ) {
      for (const token of [...left]) {
        try {
          const box = syncBoxSchema.parse(await this.#call(token, 'GET', syncPaths.box));
          left.delete(token);
          for (const office of box.offices) {
            if (!this.opts.queue.office(office)) {
              this.opts.log.warn({ office }, 'sync: the central paired this box for an office it does not have');
              continue;
            }
            if (this.#runners.has(office)) continue;
            const r = new OfficeRunner(office, token);
            this.#initFromMarks(r);
            this.#runners.set(office, r);
            r.loop = this.#run(r);
          }
        } catch (err) {
          this.#tokenError = (err as Error).message;
          this.opts.log.warn({ err: (err as Error).message }, 'sync: the central did not answer who this box is');
        }
      }
      if (left.size > 0) await sleep(this.#backoff(++failures), this.#closing.signal);
    }
    if (left.size === 0) this.#tokenError = null;
  }

  #initFromMarks(r: OfficeRunner): void {
    const m = this.#officeMarks(r.office);
    const last = Object.keys(m.days).sort().at(-1);
    if (last) {
      r.lastDay = last;
      r.lastVersion = m.days[last]!.v;
    } else if (m.sealedThrough) r.lastDay = m.sealedThrough;
    r.pendingSince = Date.now(); // unknown until the first round has looked
  }

  #officeMarks(office: string): OfficeMarks {
    return (this.#marks.offices[office] ??= { sealedThrough: null, days: {}, auditSealedThrough: null, audit: {} });
  }

  #backoff(failures: number): number {
    const base = Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** Math.min(30, failures - 1));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  async #run(r: OfficeRunner): Promise<void> {
    const closed = this.#closing.signal;
    while (!closed.aborted) {
      try {
        const more = await this.#shipOffice(r);
        r.failures = 0;
        r.retryAt = null;
        if (!more) {
          await r.sleep(this.#o.idleMs, true, closed);
          if (this.#o.lingerMs > 0 && !closed.aborted) await sleep(this.#o.lingerMs, closed);
        }
      } catch (err) {
        if (closed.aborted) break;
        r.failures++;
        r.lastError = (err as Error).message;
        r.lastErrorAt = this.#now().toISOString();
        const wait = this.#backoff(r.failures);
        r.retryAt = new Date(Date.now() + wait).toISOString();
        if (r.failures === 1 || r.failures % 10 === 0) this.opts.log.warn({ office: r.office, failures: r.failures, err: (err as Error).message }, 'sync: shipping failed; retrying');
        await r.sleep(wait, false, closed);
      }
    }
  }

  /** One round for an office: every day not sealed, from its mark; then the audit. True when more waits at once. */
  async #shipOffice(r: OfficeRunner): Promise<boolean> {
    const office = this.opts.queue.office(r.office);
    if (!office) return false;
    const today = officeDayOf(this.#now(), office.timeZone);
    const m = this.#officeMarks(r.office);
    const days = (await listDays(this.opts.dataDir, r.office)).filter((d) => (m.sealedThrough === null || d > m.sealedThrough) && !m.days[d]?.sealed).sort();
    for (const day of days) {
      let mark = m.days[day]?.v;
      if (mark === undefined) {
        // Never shipped from here (or the marks were lost): the central says where it stands.
        mark = syncMarkSchema.parse(await this.#call(r.token, 'GET', syncPaths.day(r.office, day))).version;
        r.lastContact = this.#now().toISOString();
        m.days[day] = { v: mark };
      }
      const head = r.heads.get(day);
      if (day === today && head !== undefined && head <= mark) continue;
      const commits = await this.opts.store.queue.readCommits(r.office, day, mark);
      // Never lowered by a read: a delta may have raised the head while the journal was being read
      // (a commit appended after the read began). Set to the read's end, the newest commit would be
      // taken as shipped and wait for the day's next commit (seen with 20 busy offices: test/server/sync.test.ts).
      r.heads.set(day, Math.max(commits.at(-1)?.version ?? 0, mark, r.heads.get(day) ?? 0));
      for (let i = 0; i < commits.length; i += this.#o.batchSize) {
        const batch = commits.slice(i, i + this.#o.batchSize);
        const after = batch[0]!.version - 1;
        const body = { after, head: r.heads.get(day) ?? after + batch.length, commits: batch };
        const ack = syncMarkSchema.parse(await this.#call(r.token, 'POST', syncPaths.commits(r.office, day), body));
        r.lastContact = this.#now().toISOString();
        r.lastError = null;
        this.opts.log.debug({ office: r.office, day, after, count: batch.length, version: ack.version }, 'sync: batch acknowledged');
        m.days[day] = { v: ack.version };
        r.lastDay = day;
        r.lastVersion = ack.version;
        await this.#saveMarks();
        // The central holds less than we thought (its database was restored): ship again from what it holds.
        if (ack.version < after + batch.length) return true;
      }
      if (day < today && (m.days[day]?.v ?? 0) >= (r.heads.get(day) ?? 0)) {
        m.days[day] = { v: m.days[day]?.v ?? 0, sealed: true };
        this.#advanceSealed(m, days);
        await this.#saveMarks();
      }
    }
    if (this.#lag(r) === 0) r.pendingSince = null;
    await this.#shipAudit(r, m);
    return false;
  }

  /** Sealed days at the start of the list collapse into sealedThrough. */
  #advanceSealed(m: OfficeMarks, days: string[]): void {
    for (const d of days) {
      if (!m.days[d]?.sealed) break;
      m.sealedThrough = d;
      delete m.days[d];
    }
  }

  async #shipAudit(r: OfficeRunner, m: OfficeMarks): Promise<void> {
    const dir = path.join(this.opts.dataDir, 'audit');
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      return;
    }
    const yesterday = new Date(this.#now().getTime() - 86_400_000).toISOString().slice(0, 10);
    const days = files
      .filter((f) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))
      .map((f) => f.slice(0, 10))
      .filter((d) => (m.auditSealedThrough === null || d > m.auditSealedThrough) && !m.audit[d]?.sealed)
      .sort();
    for (const day of days) {
      const size = (await stat(path.join(dir, `${day}.jsonl`))).size;
      const mark = (m.audit[day] ??= { upTo: 0 });
      const changed = mark.size !== size || day < yesterday;
      if (mark.size !== size) {
        const all = await this.opts.store.audit.read(day);
        const mine = all.map((entry, i) => ({ seq: i + 1, entry })).filter((e) => e.seq > mark.upTo && e.entry.officeId === r.office);
        for (let i = 0; i < mine.length; i += SYNC_AUDIT_BATCH_MAX) {
          const entries = mine.slice(i, i + SYNC_AUDIT_BATCH_MAX);
          // The last batch covers every line read (the other offices' lines are not this office's to ship).
          const upTo = i + SYNC_AUDIT_BATCH_MAX >= mine.length ? all.length : entries[entries.length - 1]!.seq;
          const ack = syncAuditMarkSchema.parse(await this.#call(r.token, 'POST', syncPaths.audit(r.office, day), { upTo, entries }));
          r.lastContact = this.#now().toISOString();
          m.audit[day] = { upTo: ack.upTo };
        }
        m.audit[day] = { upTo: Math.max(m.audit[day]!.upTo, all.length), size };
      }
      // A UTC day older than yesterday gets no more lines (the audit journal is per UTC day).
      if (day < yesterday) m.audit[day] = { ...m.audit[day]!, sealed: true };
      if (changed) await this.#saveMarks();
    }
    for (const d of days) {
      if (!m.audit[d]?.sealed) break;
      m.auditSealedThrough = d;
      delete m.audit[d];
    }
  }

  #lag(r: OfficeRunner): number {
    const m = this.#officeMarks(r.office);
    let lag = 0;
    for (const [day, head] of r.heads) {
      if ((m.sealedThrough !== null && day <= m.sealedThrough) || m.days[day]?.sealed) continue;
      lag += Math.max(0, head - (m.days[day]?.v ?? 0));
    }
    return lag;
  }

  #saving: Promise<void> | null = null;
  #saveAgain = false;
  /** Writes the marks durably; concurrent calls from several offices share writes (each resolves after a write that began after it was called). */
  async #saveMarks(): Promise<void> {
    if (this.#saving) {
      this.#saveAgain = true;
      while (this.#saving) await this.#saving;
      return;
    }
    this.#saving = (async () => {
      do {
        this.#saveAgain = false;
        await this.#marksFile.write(structuredClone(this.#marks));
      } while (this.#saveAgain);
    })().finally(() => (this.#saving = null));
    await this.#saving;
  }

  async #call(token: string, method: 'GET' | 'POST', p: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.centralUrl + p, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.any([AbortSignal.timeout(this.#o.requestTimeoutMs), this.#closing.signal]),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new SyncError(0, 'network', `central unreachable: ${cause ?? (err as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      let parsed: z.infer<typeof errorBodySchema> | null = null;
      try {
        const r = errorBodySchema.safeParse(JSON.parse(text));
        parsed = r.success ? r.data : null;
      } catch {
        parsed = null;
      }
      throw new SyncError(res.status, parsed?.error.code ?? 'http', `central answered ${res.status}${parsed ? ` ${parsed.error.code}: ${parsed.error.message.en}` : ''}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SyncError(res.status, 'invalid_json', 'central answered with something that is not JSON');
    }
  }

  /** One office's shipping state (the admin console), or null when this box does not ship it. */
  status(office: string): BoxOfficeSync | null {
    const r = this.#runners.get(office);
    if (!r) {
      if (!this.opts.queue.office(office)) return null;
      return { office, lastDay: null, lastVersion: 0, lagCommits: 0, lagSeconds: 0, lastContact: null, lastError: this.#tokenError ?? 'no box token for this office', lastErrorAt: null, retryAt: null };
    }
    const lag = this.#lag(r);
    return {
      office,
      lastDay: r.lastDay,
      lastVersion: r.lastVersion,
      lagCommits: lag,
      lagSeconds: lag > 0 && r.pendingSince !== null ? Math.max(0, Math.round((Date.now() - r.pendingSince) / 1000)) : 0,
      lastContact: r.lastContact,
      lastError: r.lastError,
      lastErrorAt: r.lastErrorAt,
      retryAt: r.retryAt,
    };
  }

  /** Offices being shipped (their token resolved). */
  offices(): string[] {
    return [...this.#runners.keys()];
  }

  /** Ships now rather than after the linger or the idle wait (tests, the admin console's "sync now"). */
  poke(): void {
    for (const r of this.#runners.values()) r.poke();
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#resolving.catch(() => undefined);
    await Promise.all([...this.#runners.values()].map((r) => r.loop.catch(() => undefined)));
    await this.#saving?.catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
