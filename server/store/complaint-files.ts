// Complaints in the embedded store: one JSON file per office
// (data/offices/<office>/complaints.json), replaced whole and atomically
// (durable-file.ts) on every change; changes of one office run one at a time.
import path from 'node:path';
import type { Complaint } from '../../protocol/complaints.ts';
import { DurableJSONFile } from './durable-file.ts';
import type { ComplaintStore } from './types.ts';

const SAFE = /^[A-Za-z0-9._-]+$/;

interface OfficeFile {
  file: DurableJSONFile<{ complaints: Complaint[] }>;
  /** Oldest first, as filed. */
  list: Complaint[];
}

export class FileComplaintStore implements ComplaintStore {
  #offices = new Map<string, Promise<OfficeFile>>();
  #chains = new Map<string, Promise<unknown>>();
  constructor(private readonly dir: string) {}

  #open(officeId: string): Promise<OfficeFile> {
    if (!SAFE.test(officeId)) return Promise.reject(new Error(`unsafe office id ${JSON.stringify(officeId)}`));
    let p = this.#offices.get(officeId);
    if (!p) {
      const file = new DurableJSONFile<{ complaints: Complaint[] }>(path.join(this.dir, 'offices', officeId, 'complaints.json'));
      p = file.read().then((data) => ({ file, list: Array.isArray(data?.complaints) ? data.complaints : [] }));
      this.#offices.set(officeId, p);
      p.catch(() => this.#offices.delete(officeId));
    }
    return p;
  }

  /** Runs `fn` after every earlier change of the office (one writer per file). */
  #serial<T>(officeId: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#chains.get(officeId) ?? Promise.resolve()).then(fn);
    this.#chains.set(officeId, run.catch(() => undefined));
    return run;
  }

  create(c: Complaint): Promise<void> {
    return this.#serial(c.officeId, async () => {
      const o = await this.#open(c.officeId);
      const next = [...o.list, structuredClone(c)];
      await o.file.write({ complaints: next });
      o.list = next;
    });
  }

  async get(officeId: string, id: string): Promise<Complaint | undefined> {
    const c = (await this.#open(officeId)).list.find((x) => x.id === id);
    return c ? structuredClone(c) : undefined;
  }

  async byCode(officeId: string, code: string): Promise<Complaint | undefined> {
    const c = (await this.#open(officeId)).list.find((x) => x.code === code);
    return c ? structuredClone(c) : undefined;
  }

  async list(officeId: string): Promise<Complaint[]> {
    return structuredClone((await this.#open(officeId)).list).reverse();
  }

  update(officeId: string, id: string, change: (c: Complaint) => Complaint | null): Promise<Complaint | undefined> {
    return this.#serial(officeId, async () => {
      const o = await this.#open(officeId);
      const i = o.list.findIndex((x) => x.id === id);
      if (i < 0) return undefined;
      const changed = change(structuredClone(o.list[i]!));
      if (!changed) return structuredClone(o.list[i]!);
      const next = o.list.slice();
      next[i] = structuredClone(changed);
      await o.file.write({ complaints: next });
      o.list = next;
      return structuredClone(changed);
    });
  }
}
