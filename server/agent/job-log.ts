// The agent's record of the print jobs it has received and what became of
// them, kept in a small JSON file (written to a temporary file, synced, then
// renamed over the old one) so that a job id is printed at most once even
// across agent restarts, and outcomes the server has not acknowledged are sent
// again. Without a file (tests, --state none) it lives in memory only.
import { open, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { PrintResult } from '../../protocol/devices.ts';

export interface AgentJobEntry {
  jobId: string;
  receivedAt: string;
  /** 'received': handed to the printer queue, no outcome yet. */
  state: 'received' | 'printed' | 'failed';
  /** The last outcome to report, and whether the server has acknowledged it. */
  result: PrintResult | null;
  resultAcked: boolean;
}

interface FileShape {
  version: 1;
  jobs: AgentJobEntry[];
}

const KEEP = 2000;
const KEEP_MS = 2 * 86_400_000;

export class AgentJobLog {
  private readonly jobs = new Map<string, AgentJobEntry>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | null) {}

  static async open(file: string | null): Promise<AgentJobLog> {
    const log = new AgentJobLog(file);
    if (file) {
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as FileShape;
        for (const j of data.jobs ?? []) log.jobs.set(j.jobId, j);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read agent state ${file}: ${(err as Error).message}`);
      }
    }
    return log;
  }

  get(jobId: string): AgentJobEntry | undefined {
    return this.jobs.get(jobId);
  }

  all(): AgentJobEntry[] {
    return [...this.jobs.values()];
  }

  /** Stores a change; resolves once it is on disk. */
  async put(entry: AgentJobEntry): Promise<void> {
    this.jobs.set(entry.jobId, entry);
    this.prune();
    await this.save();
  }

  private prune(): void {
    const limit = Date.now() - KEEP_MS;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= KEEP && Date.parse(j.receivedAt) >= limit) break;
      if (j.state !== 'received' && j.resultAcked) this.jobs.delete(id);
    }
  }

  private save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const snapshot: FileShape = { version: 1, jobs: [...this.jobs.values()] };
    const run = this.writing.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp`;
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify(snapshot));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    });
    this.writing = run.catch(() => {});
    return run;
  }
}
