// Crash-safe file writes: a whole-file replace (temp file, fsync, rename, fsync
// of the folder) used as lowdb's adapter, and an append-only journal with group
// commit (many appends, one fsync) for the office day.
import { constants as fsc } from 'node:fs';
import { mkdir, open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

let tmpCounter = 0;

/** Replaces `file` with `data` so that a crash leaves either the old or the new content. */
export async function writeFileDurably(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${tmpCounter++}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await fsyncDir(dir);
}

/** lowdb adapter over a JSON file written with writeFileDurably; writes are serialised. */
export class DurableJSONFile<T> implements Adapter<T> {
  #chain: Promise<void> = Promise.resolve();
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`Cannot read ${this.file}: ${(err as Error).message}`);
    }
  }

  write(data: T): Promise<void> {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const next = this.#chain.then(() => writeFileDurably(this.file, text));
    this.#chain = next.catch(() => undefined);
    return next;
  }
}

interface Pending {
  line: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * An append-only JSON-lines file. `append` resolves once the line is on disk:
 * the file is opened with O_DSYNC, so a write returns only when its data (and
 * the file's new length) are stable — one system call per batch where a write
 * and an fdatasync took two trips to the thread pool. Appends made while a
 * write is in flight are written together, so throughput grows with
 * concurrency and the cost of a write does not depend on the size of the file.
 */
export class Journal {
  #fh: FileHandle | null = null;
  #pending: Pending[] = [];
  #flushing = false;
  #failed: Error | null = null;

  private constructor(readonly file: string) {}

  /** Opens (creating) the journal and returns the records already in it. A torn last line is cut off. */
  static async open<R>(file: string): Promise<{ journal: Journal; records: R[] }> {
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true });
    let buf: Buffer = Buffer.alloc(0);
    let existed = true;
    try {
      buf = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      existed = false;
    }
    // Every acknowledged record ends with a newline and was synced; a crash can
    // only leave an unacknowledged tail, which is cut off. Garbage followed by
    // good records is real corruption and stops the start.
    const records: R[] = [];
    let good = 0;
    for (let start = 0; ; ) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      try {
        records.push(JSON.parse(buf.toString('utf8', start, nl)) as R);
        good = nl + 1;
        start = nl + 1;
      } catch {
        if (hasValidLineAfter(buf, nl + 1)) {
          throw new Error(`${file}: a record at byte ${start} is corrupt; refusing to guess. Move the file aside to start the day afresh.`);
        }
        break;
      }
    }
    if (existed && good < buf.length) await truncate(file, good);
    const journal = new Journal(file);
    journal.#fh = await open(file, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT | fsc.O_DSYNC, 0o644);
    if (!existed) {
      await journal.#fh.sync();
      await fsyncDir(dir);
    }
    return { journal, records };
  }

  append(record: unknown): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (!this.#fh) return Promise.reject(new Error(`journal ${this.file} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  get failed(): Error | null {
    return this.#failed;
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length > 0 && this.#fh) {
        const batch = this.#pending.splice(0);
        try {
          const data = Buffer.from(batch.map((p) => p.line).join(''));
          // A regular file takes the whole buffer in one write; loop in case it ever does not.
          for (let off = 0; off < data.length; ) {
            const { bytesWritten } = await this.#fh.write(data, off);
            if (bytesWritten <= 0) throw new Error(`journal ${this.file}: the disk took no bytes`);
            off += bytesWritten;
          }
        } catch (err) {
          // The file may now end in a partial batch; nothing more may be written
          // after it. The owner reopens the journal (which cuts the torn tail).
          this.#failed = err as Error;
          for (const p of [...batch, ...this.#pending.splice(0)]) p.reject(this.#failed);
          return;
        }
        for (const p of batch) p.resolve();
      }
    } finally {
      this.#flushing = false;
    }
  }

  async close(): Promise<void> {
    while (this.#flushing || this.#pending.length > 0) await new Promise((r) => setImmediate(r));
    const fh = this.#fh;
    this.#fh = null;
    await fh?.close();
  }
}

function hasValidLineAfter(buf: Buffer, from: number): boolean {
  for (let start = from; ; ) {
    const nl = buf.indexOf(0x0a, start);
    if (nl < 0) return false;
    try {
      JSON.parse(buf.toString('utf8', start, nl));
      return true;
    } catch {
      start = nl + 1;
    }
  }
}
