// Numbering restarts at local midnight in the office's own time zone, and the
// screens get the new day's snapshot.
import { afterAll, describe, expect, it } from 'vitest';
import type { QueueSnapshot } from '../../protocol/model.ts';
import { connect, request, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const servers: TestServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe.each([
  { office: 'kupang', zone: 'Asia/Makassar', before: '2026-11-23T15:59:00Z', after: '2026-11-23T16:01:00Z' },
  { office: 'padang-panjang', zone: 'Asia/Jakarta', before: '2026-11-23T16:59:00Z', after: '2026-11-23T17:01:00Z' },
])('daily reset in $zone', ({ office, before, after }) => {
  it('puts 23:59 and 00:01 local on different office days and restarts at 001', async () => {
    let now = new Date(before);
    const srv = await startServer({ now: () => now });
    servers.push(srv);
    const issue = () => request(srv.url, 'POST', `/api/v1/offices/${office}/tickets`, { body: { service: 'ktp-el' } });
    const a = await issue();
    const b = await issue();
    expect([a.body.ticket.number, b.body.ticket.number]).toEqual(['A001', 'A002']);
    expect(a.body.ticket.officeDay).toBe('2026-11-23');

    const display = connect(srv.url, 'display', office);
    await waitFor(display, 'snapshot');
    now = new Date(after);
    const nextDay = waitFor<QueueSnapshot>(display, 'snapshot');
    const c = await issue();
    expect(c.body.ticket.number).toBe('A001');
    expect(c.body.ticket.officeDay).toBe('2026-11-24');
    const snap = await nextDay;
    expect(snap.officeDay).toBe('2026-11-24');
    expect(snap.tickets.map((t) => t.number)).toEqual([]); // the reset snapshot precedes the new ticket's delta
    display.close();

    // Yesterday is kept on disk, untouched by today's writes.
    const audit = await request(srv.url, 'GET', `/api/v1/offices/${office}/audit?day=2026-11-23`, {
      cookie: await (await import('../helpers/server.ts')).login(srv.url, 'admin'),
    });
    expect(audit.body.entries.filter((e: { action: string }) => e.action === 'ticket_issued')).toHaveLength(2);
  });
});
