// Shared steps of the notify tests: issue a ticket as staff, compute its holder
// key as the kiosk's QR would carry it, subscribe, and work a counter.
import { holderKey } from '../../server/auth/holder-key.ts';
import { login, request, type TestServer } from './server.ts';

export interface IssuedTicket {
  id: string;
  number: string;
  day: string;
  k: string;
}

export async function staff(s: { url: string }, user = 'petugas1', counter = '1'): Promise<string> {
  const cookie = await login(s.url, user);
  const res = await request(s.url, 'POST', `/api/v1/offices/kupang/counters/${counter}/sign-in`, { body: {}, cookie });
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${JSON.stringify(res.body)}`);
  return cookie;
}

export async function issue(s: TestServer, cookie: string, service = 'ktp-el'): Promise<IssuedTicket> {
  const res = await request(s.url, 'POST', '/api/v1/offices/kupang/tickets', { body: { service }, cookie });
  if (res.status !== 201) throw new Error(`issue: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.ticket.id as string;
  const [day = '', number = ''] = id.split('/');
  return { id, number, day, k: holderKey(s.giliran.secrets.holderKey, 'kupang', id) };
}

export function notifyPath(t: IssuedTicket): string {
  return `/api/v1/track/kupang/${t.day}/${t.number}/notify`;
}

export async function subscribe(s: { url: string }, t: IssuedTicket, body: Record<string, unknown> = {}) {
  return request(s.url, 'PUT', notifyPath(t), { body: { k: t.k, threshold: 3, ...body } });
}

export async function callNext(s: { url: string }, cookie: string, counter = '1') {
  const res = await request(s.url, 'POST', `/api/v1/offices/kupang/counters/${counter}/call-next`, { body: {}, cookie });
  if (res.status !== 200) throw new Error(`call-next: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.ticket as { id: string; number: string };
}

export async function finish(s: { url: string }, cookie: string, counter = '1') {
  const res = await request(s.url, 'POST', `/api/v1/offices/kupang/counters/${counter}/finish`, { body: {}, cookie });
  if (res.status !== 200) throw new Error(`finish: ${res.status} ${JSON.stringify(res.body)}`);
}

/**
 * What the outbox keeps, as text: the files under <data>/notify/<office> on the embedded store,
 * the rows of the notify tables (migration 60) on PostgreSQL.
 */
export async function storedNotifyText(s: TestServer, office = 'kupang'): Promise<Array<{ where: string; text: string }>> {
  const pool = (s.giliran.store as { pool?: import('pg').Pool }).pool;
  if (pool) {
    const out: Array<{ where: string; text: string }> = [];
    for (const table of ['notify_subs', 'notify_messages', 'notify_contacts', 'notify_booking_contacts']) {
      const r = await pool.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t WHERE office_id = $1`, [office]);
      out.push({ where: table, text: r.rows.map((x) => x.row).join('\n') });
    }
    return out;
  }
  const { readdir, readFile, stat } = await import('node:fs/promises');
  const dir = `${s.dataDir}/notify/${office}`;
  const out: Array<{ where: string; text: string }> = [];
  for (const f of await readdir(dir, { recursive: true })) {
    const file = `${dir}/${f}`;
    if ((await stat(file)).isFile()) out.push({ where: file, text: await readFile(file, 'utf8') });
  }
  return out;
}
