// Complaints on both stores (embedded files and PostgreSQL): what is filed
// survives a restart, offices are kept apart, racing changes of one complaint
// all land (none lost), a refused change stores nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeComplaint, codeFrom, newComplaint } from '../../server/domain/complaints.ts';
import { openLowdbStore } from '../../server/store/lowdb-store.ts';
import { openPgStore } from '../../server/store/pg-store.ts';
import type { ConfigData, Store } from '../../server/store/types.ts';
import { demoSeed } from '../../server/seed/index.ts';
import { kupang } from '../helpers/domain.ts';
import { freshDatabase, postgresAvailable } from '../helpers/pg-database.ts';

const seed = async (): Promise<ConfigData> => (await demoSeed('rahasia-demo-123', async () => 'scrypt$test')).data;

interface Backend {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}
async function embedded(): Promise<Backend> {
  const dir = await mkdtemp(path.join(tmpdir(), 'giliran-complaints-'));
  return { open: async () => (await openLowdbStore({ dataDir: dir, seed })).store, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
async function postgres(): Promise<Backend> {
  const db = await freshDatabase('complaints');
  return { open: async () => (await openPgStore({ databaseUrl: db.url, seed })).store, cleanup: () => db.drop() };
}
const makers: [string, () => Promise<Backend>][] = [['embedded', embedded]];
if (postgresAvailable()) makers.push(['postgres', postgres]);
else if (process.env.CI) throw new Error('CI must run the PostgreSQL store tests: no PostgreSQL server was started');

const office = kupang();
const lead = { id: 'supervisor', name: 'Kepala Seksi' };
const t0 = Date.parse('2026-11-23T02:00:00.000Z');
const make = (i: number, officeId = office.id) =>
  newComplaint({ ...office, id: officeId }, { channel: 'kiosk', category: 'waktu', text: `Pengaduan ${i}`, ticketId: null, contact: i % 2 ? { phone: '+6281234567890' } : null, recordedBy: null }, { id: `c${i}`, code: codeFrom(new Uint8Array([0, 0, 0, 0, 0, 0, i % 31, Math.floor(i / 31)])) }, new Date(t0 + i * 1000));

describe.each(makers)('complaint store: %s', (_name, maker) => {
  let backend: Backend;
  const opened: Store[] = [];
  const open = async () => {
    const s = await backend.open();
    opened.push(s);
    return s;
  };
  beforeAll(async () => {
    backend = await maker();
  });
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    await backend.cleanup();
  });

  it('keeps 300 complaints across a restart, newest first, by id and by code, offices apart', async () => {
    const a = await open();
    for (let i = 0; i < 300; i++) await a.complaints.create(make(i));
    await a.complaints.create(make(999, 'padang-panjang'));
    await a.close();
    const b = await open();
    const list = await b.complaints.list(office.id);
    expect(list).toHaveLength(300);
    expect(list[0]!.id).toBe('c299');
    expect(list.at(-1)!.id).toBe('c0');
    expect((await b.complaints.get(office.id, 'c7'))?.text).toBe('Pengaduan 7');
    expect((await b.complaints.byCode(office.id, make(7).code))?.id).toBe('c7');
    expect(await b.complaints.get(office.id, 'c999')).toBeUndefined();
    expect(await b.complaints.list('padang-panjang')).toHaveLength(1);
  });

  it('applies 40 racing answers to one complaint one after the other (none lost), and stores nothing for a refused change', async () => {
    const s = await open();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        s.complaints.update(office.id, 'c1', (c) => {
          const next = changeComplaint(c, { response: `Jawaban ${i}` }, lead, new Date(t0 + 10_000 + i));
          return typeof next === 'string' ? null : next;
        }),
      ),
    );
    const c = await s.complaints.get(office.id, 'c1');
    expect(c?.responses).toHaveLength(40);
    expect(c?.status).toBe('diproses');
    const same = await s.complaints.update(office.id, 'c1', () => null);
    expect(same?.responses).toHaveLength(40);
    expect(await s.complaints.update(office.id, 'nope', (x) => x)).toBeUndefined();
  });
});
