// The office day's journal: what is acknowledged is in the file, concurrent
// appends share writes, a torn tail from a crash is cut and real corruption
// stops the start. Real files in a temp folder.
import { constants as fsc } from 'node:fs';
import { mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../../server/store/durable-file.ts';

const dir = await mkdtemp(path.join(tmpdir(), 'giliran-journal-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(dir, `day-${n++}.jsonl`);

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('journal', () => {
  it('has each record in the file when its append resolves, in the order appended', async () => {
    const file = fresh();
    const { journal, records } = await Journal.open<{ v: number }>(file);
    expect(records).toEqual([]);
    for (let v = 1; v <= 3; v++) {
      await journal.append({ v });
      expect((await lines(file)).map((r) => r.v)).toEqual(Array.from({ length: v }, (_, i) => i + 1));
    }
    // Many at once: all resolve, none lost or reordered.
    await Promise.all(Array.from({ length: 200 }, (_, i) => journal.append({ v: 4 + i })));
    expect((await lines(file)).map((r) => r.v)).toEqual(Array.from({ length: 203 }, (_, i) => i + 1));
    await journal.close();
    const again = await Journal.open<{ v: number }>(file);
    expect(again.records.map((r) => r.v)).toEqual(Array.from({ length: 203 }, (_, i) => i + 1));
    await again.journal.close();
  });

  it('writes synchronously to the disk: the file is open with O_DSYNC', async () => {
    const file = fresh();
    const { journal } = await Journal.open(file);
    // Linux shows an open file's flags (octal) in /proc; the journal's is the one open on this path.
    let flags: number | null = null;
    for (const fd of await readdir('/proc/self/fd')) {
      const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
      if (target === file) flags = Number.parseInt(/flags:\s+(\d+)/.exec(await readFile(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '', 8);
    }
    expect(flags).not.toBeNull();
    expect((flags ?? 0) & fsc.O_DSYNC).toBe(fsc.O_DSYNC);
    expect((flags ?? 0) & fsc.O_APPEND).toBe(fsc.O_APPEND);
    await journal.close();
  });

  it('cuts off a torn last line (a crash mid-write) and appends after the good records', async () => {
    const file = fresh();
    await writeFile(file, `${JSON.stringify({ v: 1 })}\n${JSON.stringify({ v: 2 })}\n{"v":3,"ti`);
    const { journal, records } = await Journal.open<{ v: number }>(file);
    expect(records.map((r) => r.v)).toEqual([1, 2]);
    await journal.append({ v: 3 });
    await journal.close();
    expect((await lines(file)).map((r) => r.v)).toEqual([1, 2, 3]);
  });

  it('refuses to start on a corrupt record followed by good ones, and leaves the file as it was', async () => {
    const file = fresh();
    const text = `${JSON.stringify({ v: 1 })}\n{garbage}\n${JSON.stringify({ v: 3 })}\n`;
    await writeFile(file, text);
    await expect(Journal.open(file)).rejects.toThrow(/corrupt/);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('rejects appends after close', async () => {
    const file = fresh();
    const { journal } = await Journal.open(file);
    await journal.close();
    await expect(journal.append({ v: 1 })).rejects.toThrow(/closed/);
    expect(await readFile(file, 'utf8')).toBe('');
  });
});
