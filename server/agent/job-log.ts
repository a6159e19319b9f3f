// The agent's record of the print jobs it has received and what became of
// them, kept in a small JSON file (replaced durably, as the server's own files
// are: store/durable-file.ts) so that a job id is printed at most once even
// across agent restarts, and outcomes the server has not acknowledged are sent
// again. Without a file (tests, --state none) it lives in memory only.
import type { PrintResult } from '../../protocol/devices.ts';
import { DurableJSONFile } from '../store/durable-file.ts';

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

  private constructor(private readonly file: DurableJSONFile<FileShape> | null) {}

  static async open(file: string | null): Promise<AgentJobLog> {
    const log = new AgentJobLog(file ? new DurableJSONFile<FileShape>(file) : null);
    if (log.file) {
      let data: FileShape | null;
      try {
        data = await log.file.read();
      } catch (err) {
        throw new Error(`cannot read agent state: ${(err as Error).message}`);
      }
      for (const j of data?.jobs ?? []) log.jobs.set(j.jobId, j);
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

  /** Writes are serialised by the file, each with the state as it was when it was asked for. */
  private save(): Promise<void> {
    if (!this.file) return Promise.resolve();
    return this.file.write({ version: 1, jobs: [...this.jobs.values()] });
  }
}
