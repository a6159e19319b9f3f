// Backup and restore, through the API and the CLI: a backup of a used install
// restored onto an empty folder (CLI) or a fresh install (API) brings back the
// tickets and the configuration, checked by a server started on it; a garbage
// file or a used install is refused with nothing written.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let tmp: string;
let used: TestServer;
let admin: string;
let tickets: string[] = [];
let staffPassword = '';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/backup/cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, GILIRAN_DATA: '' } });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

async function download(base: string, cookie: string, office?: string): Promise<{ status: number; file: Buffer; type: string | null }> {
  const res = await fetch(`${base}/api/v1/admin/backup${office ? `?office=${office}` : ''}`, { headers: { cookie } });
  return { status: res.status, file: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

async function upload(base: string, cookie: string, body: Buffer): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/v1/admin/restore`, { method: 'POST', headers: { cookie, 'content-type': 'application/gzip' }, body: new Uint8Array(body) });
  return { status: res.status, body: await res.json() };
}

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out.sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'giliran-backup-'));
  used = await startServer({ dataDir: path.join(tmp, 'used') });
  admin = await login(used.url, 'admin');
  for (const service of ['ktp-el', 'kk', 'ktp-el']) {
    const res = await request(used.url, 'POST', '/api/v1/offices/kupang/tickets', { cookie: admin, body: { service } });
    expect(res.status).toBe(201);
    tickets.push(res.body.ticket.number);
  }
  const made = await request(used.url, 'POST', '/api/v1/admin/offices/kupang/staff', { cookie: admin, body: { username: 'petugas-cadangan', name: 'Petugas Cadangan', role: 'clerk' } });
  staffPassword = made.body.password;
  const logo = await fetch(`${used.url}/api/v1/admin/offices/kupang/logo`, { method: 'POST', headers: { cookie: admin, 'content-type': 'image/png' }, body: PNG_1x1 });
  expect(logo.status).toBe(200);
});

afterAll(async () => {
  await used.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('backup', () => {
  it('downloads a gzip JSON document with the configuration, journals, audit and logo, no sessions', async () => {
    const { status, file, type } = await download(used.url, admin);
    expect(status).toBe(200);
    expect(type).toBe('application/gzip');
    const doc = JSON.parse(gunzipSync(file).toString('utf8'));
    expect(doc).toMatchObject({ format: 'giliran-backup', version: 1, offices: ['*'] });
    expect(doc.config.users.map((u: { username: string }) => u.username)).toContain('petugas-cadangan');
    const paths = doc.journals.map((j: { path: string }) => j.path);
    expect(paths.some((p: string) => /^offices\/kupang\/days\/\d{4}-\d{2}-\d{2}\.jsonl$/.test(p))).toBe(true);
    expect(paths.some((p: string) => p.startsWith('audit/'))).toBe(true);
    expect(doc.files.map((f: { path: string }) => f.path)).toEqual(['offices/kupang/logo.png']);
    expect(JSON.stringify(doc)).not.toContain('sessions');
    expect(JSON.stringify(doc)).not.toContain(staffPassword);
    const day = doc.journals.find((j: { path: string }) => j.path.startsWith('offices/kupang/days/'));
    expect(day.text.trim().split('\n')).toHaveLength(3);
  });

  it("gives an office's backup that office only, and keeps it from others", async () => {
    const { status, file } = await download(used.url, admin, 'kupang');
    expect(status).toBe(200);
    const doc = JSON.parse(gunzipSync(file).toString('utf8'));
    expect(doc.offices).toEqual(['kupang']);
    expect(doc.config.offices.map((o: { id: string }) => o.id)).toEqual(['kupang']);
    expect(doc.config.users.every((u: { offices: string[] }) => u.offices.join() === 'kupang')).toBe(true);
    expect(doc.config.users.map((u: { username: string }) => u.username)).not.toContain('admin');
    expect(doc.journals.every((j: { path: string }) => !j.path.includes('padang-panjang'))).toBe(true);
    const supervisor = await login(used.url, 'supervisor');
    const clerk = await login(used.url, 'petugas1');
    for (const cookie of [supervisor, clerk]) {
      expect((await download(used.url, cookie)).status).toBe(403);
      expect((await download(used.url, cookie, 'kupang')).status).toBe(403);
    }
    const made = await request(used.url, 'POST', '/api/v1/admin/offices/padang-panjang/staff', { cookie: admin, body: { username: 'admin-pp', name: 'Admin PP', role: 'admin' } });
    const first = await request(used.url, 'POST', '/api/v1/session', { body: { username: 'admin-pp', password: made.body.password } });
    const pp = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    await request(used.url, 'POST', '/api/v1/session/password', { cookie: pp, body: { current: made.body.password, next: 'admin-pp-sandi-baru' } });
    expect((await download(used.url, pp, 'padang-panjang')).status).toBe(200);
    expect((await download(used.url, pp, 'kupang')).status).toBe(404);
    // The whole install is for an admin of every office.
    expect((await download(used.url, pp)).status).toBe(403);
  });
});

describe('restore with the CLI', () => {
  it('backs up a folder and restores it onto an empty folder: a server on it has the tickets and the accounts', async () => {
    const file = path.join(tmp, 'cli.json.gz');
    const b = await cli(['backup', '--out', file, '--data', used.dataDir]);
    expect(b.code, b.err).toBe(0);
    const target = path.join(tmp, 'restored');
    await mkdir(target);
    const r = await cli(['restore', file, '--data', target]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('3 tickets');
    const restored = await startServer({ dataDir: target });
    try {
      const cookie = await login(restored.url, 'admin');
      const q = await request(restored.url, 'GET', '/api/v1/offices/kupang/queue', { cookie });
      expect(q.status).toBe(200);
      expect(q.body.tickets.map((t: { number: string }) => t.number).sort()).toEqual([...tickets].sort());
      const first = await request(restored.url, 'POST', '/api/v1/session', { body: { username: 'petugas-cadangan', password: staffPassword } });
      expect(first.status).toBe(200);
      expect(first.body.mustChangePassword).toBe(true);
      const office = await request(restored.url, 'GET', '/api/v1/offices/kupang');
      const logo = await fetch(restored.url + office.body.office.logo);
      expect(Buffer.from(await logo.arrayBuffer())).toEqual(PNG_1x1);
    } finally {
      await restored.close();
    }
  });

  it('refuses a folder in use unless --force, and then keeps the old folder beside it', async () => {
    const file = path.join(tmp, 'cli2.json.gz');
    expect((await cli(['backup', '--out', file, '--data', used.dataDir])).code).toBe(0);
    const target = path.join(tmp, 'busy');
    await mkdir(target);
    await writeFile(path.join(target, 'config.json'), '{"mine":true}');
    const refused = await cli(['restore', file, '--data', target]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('not empty');
    expect(await tree(target)).toEqual(['config.json']);
    const forced = await cli(['restore', file, '--data', target, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse(await readFile(path.join(target, 'config.json'), 'utf8')).offices).toHaveLength(2);
    const aside = (await readdir(tmp)).find((f) => f.startsWith('busy.before-restore-'));
    expect(aside).toBeDefined();
    expect(await readFile(path.join(tmp, aside!, 'config.json'), 'utf8')).toBe('{"mine":true}');
  });

  it('refuses a garbage or damaged file and writes nothing', async () => {
    const target = path.join(tmp, 'never');
    const garbage = path.join(tmp, 'garbage.gz');
    await writeFile(garbage, 'not a backup at all');
    const r = await cli(['restore', garbage, '--data', target]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not a valid backup');
    // A well-formed document whose journal skips a version.
    const doc = JSON.parse(gunzipSync((await download(used.url, admin)).file).toString('utf8'));
    const day = doc.journals.find((j: { path: string }) => j.path.startsWith('offices/kupang/days/'));
    day.text = day.text.split('\n').filter((_l: string, i: number) => i !== 1).join('\n');
    const damaged = path.join(tmp, 'damaged.json.gz');
    await writeFile(damaged, gzipSync(JSON.stringify(doc)));
    const r2 = await cli(['restore', damaged, '--data', target]);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('version');
    expect(existsSync(target)).toBe(false);
    expect((await readdir(tmp)).some((f) => f.startsWith('never.'))).toBe(false);
  });
});

describe('restore through the API', () => {
  it('restores onto a fresh install, live (no restart), then refuses a second restore', async () => {
    const { file } = await download(used.url, admin);
    const fresh = await startServer();
    try {
      const cookie = await login(fresh.url, 'admin');
      const before = await readFile(path.join(fresh.dataDir, 'config.json'), 'utf8');
      // Bad input first: nothing changes.
      const garbage = await upload(fresh.url, cookie, Buffer.from('garbage'));
      expect(garbage.status).toBe(400);
      expect(garbage.body.error.code).toBe('invalid_backup');
      expect(garbage.body.error.message.id).toBeTruthy();
      const supervisor = await login(fresh.url, 'supervisor');
      expect((await upload(fresh.url, supervisor, file)).status).toBe(403);
      expect(await readFile(path.join(fresh.dataDir, 'config.json'), 'utf8')).toBe(before);
      // Nothing was restored: no commit in any kupang journal (the running server may have opened today's, empty).
      const days = path.join(fresh.dataDir, 'offices', 'kupang', 'days');
      const journals = existsSync(days) ? await readdir(days) : [];
      for (const f of journals) expect(await readFile(path.join(days, f), 'utf8'), f).toBe('');

      const ok = await upload(fresh.url, cookie, file);
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body).toMatchObject({ offices: ['kupang', 'padang-panjang'], tickets: 3, restart: false });
      const q = await request(fresh.url, 'GET', '/api/v1/offices/kupang/queue', { cookie });
      expect(q.body.tickets.map((t: { number: string }) => t.number).sort()).toEqual([...tickets].sort());
      expect((await request(fresh.url, 'POST', '/api/v1/session', { body: { username: 'petugas-cadangan', password: staffPassword } })).status).toBe(200);

      const again = await upload(fresh.url, cookie, file);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('restore_not_fresh');
    } finally {
      await fresh.close();
    }
  });

  it('refuses a restore onto a used install, writing nothing', async () => {
    const { file } = await download(used.url, admin);
    const before = await tree(used.dataDir);
    const config = await readFile(path.join(used.dataDir, 'config.json'), 'utf8');
    const res = await upload(used.url, admin, file);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('restore_not_fresh');
    expect(await readFile(path.join(used.dataDir, 'config.json'), 'utf8')).toBe(config);
    expect(await tree(used.dataDir)).toEqual(before);
  });
});
