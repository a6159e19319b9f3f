// One office's day file damaged in the middle (issue 15, finding 5): that
// office is reported unavailable to its screens and in /healthz, while the
// process keeps serving every other office. Runs the real server process, so
// an unhandled rejection would end it as it would in production.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../protocol/errors.ts';
import { startChild, type ChildServer } from '../helpers/child-server.ts';
import { connectPhone } from '../helpers/phone.ts';
import { connect, DEMO_PASSWORD, emitAck, request, waitFor } from '../helpers/server.ts';

let dir: string;
let child: ChildServer | null = null;
const env = () => ({ GILIRAN_DATA: dir, GILIRAN_DEMO_PASSWORD: DEMO_PASSWORD });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'giliran-damaged-'));
  // A day with a few tickets in kupang, written by a real server.
  const first = await startChild(env());
  const kiosk = connect(first.url, 'kiosk');
  await waitFor(kiosk, 'snapshot');
  for (let i = 0; i < 4; i++) expect((await emitAck(kiosk, 'issue', { service: 'kk' })).ok).toBe(true);
  kiosk.close();
  await first.kill('SIGTERM');
  // Damage a line in the middle of the day file: not a torn tail a crash leaves, so the server must not guess.
  const days = path.join(dir, 'offices', 'kupang', 'days');
  const [file] = (await readdir(days)).filter((f) => f.endsWith('.jsonl'));
  const lines = (await readFile(path.join(days, file!), 'utf8')).split('\n');
  expect(lines.filter(Boolean).length).toBe(4);
  lines[1] = '{"version":2,"this line is damaged';
  await writeFile(path.join(days, file!), lines.join('\n'));
  child = await startChild(env());
});

afterAll(async () => {
  await child?.kill();
  await rm(dir, { recursive: true, force: true });
});

const bilingual = (e: ApiError) => e.message.id.length > 0 && e.message.en.length > 0 && e.message.id !== e.message.en;

describe('a damaged journal of one office', () => {
  it('tells that office\'s anonymous screens it is unavailable, answers their resyncs, and keeps the process and the other offices serving', async () => {
    const srv = child!;
    // A phone following a ticket of that office is refused at the handshake: its ticket cannot be looked up.
    const phone = connectPhone(srv.url, '2026-01-01/A001');
    const tv = connect(srv.url, 'display');
    const [phoneSaid, tvSaid] = await Promise.all([new Promise<ApiError>((resolve) => phone.once('connect_error', (err) => resolve((err as Error & { data: ApiError }).data))), waitFor<ApiError>(tv, 'unavailable')]);
    for (const e of [phoneSaid, tvSaid]) {
      expect(e.code).toBe('unavailable');
      expect(bilingual(e)).toBe(true);
    }
    const resyncs = await Promise.all([emitAck(tv, 'resync'), emitAck(tv, 'resync')]);
    for (const r of resyncs) expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });

    // Still the same process, still serving.
    expect(srv.proc.exitCode).toBeNull();
    const health = await request(srv.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body.unavailableOffices).toEqual(['kupang']);
    expect((await request(srv.url, 'GET', '/api/v1/offices/kupang/queue')).status).toBeGreaterThanOrEqual(500);

    // Another office issues tickets as ever.
    const other = connect(srv.url, 'kiosk', 'padang-panjang');
    await waitFor(other, 'snapshot');
    const issued = await emitAck(other, 'issue', { service: 'informasi' });
    expect(issued.ok).toBe(true);
    expect(srv.proc.exitCode).toBeNull();
    for (const s of [phone, tv, other]) s.close();
  });
});
