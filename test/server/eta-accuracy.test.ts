// GET /api/v1/offices/{office}/eta-accuracy against a real server on 127.0.0.1
// with a real data folder: a busy past day (400 tickets issued and called
// through the real domain, written as its journal) and today live (tickets
// issued and called over REST with the test's clock). The expected figures are
// computed here from the journal's own events, not with the server's code.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../protocol/errors.ts';
import type { EtaAccuracyResponse } from '../../protocol/eta-accuracy.ts';
import type { QueueEvent } from '../../protocol/model.ts';
import type { Commit } from '../../server/domain/state.ts';
import { kupang } from '../helpers/domain.ts';
import { busyReportDay, journalText } from '../helpers/report-day.ts';
import { login, request, startServer, type TestServer } from '../helpers/server.ts';

const PAST = '2027-01-04';
const TODAY = '2027-01-05';
const E = '/api/v1/offices/kupang/eta-accuracy';
const OFFICE = '/api/v1/offices/kupang';
let clock = new Date(`${TODAY}T02:00:00.000Z`); // 10:00 in Kupang
let srv: TestServer;
let dataDir: string;
const sim = busyReportDay(kupang(), PAST, 400);

interface Expect {
  calls: number;
  ranged: number;
  wait: number;
  rangeErr: number;
  pointErr: number;
  inside: number;
}

/** The figures straight from the events: first call − issue, against the range and the point estimate of the issue event. */
function expected(commits: readonly Commit[]): Map<string, Expect> {
  const issued = new Map<string, { at: number; service: string; eta: number; low: number | null; high: number | null }>();
  const out = new Map<string, Expect>();
  const seen = new Set<string>();
  for (const c of commits) {
    for (const e of c.events as QueueEvent[]) {
      if (e.type === 'ticket_issued') {
        const w = e.ticket.waitAtIssue;
        issued.set(e.ticket.id, { at: Date.parse(e.ticket.issuedAt), service: e.ticket.serviceId, eta: e.ticket.etaMinutesAtIssue, low: w?.low ?? null, high: w?.high ?? null });
      } else if (e.type === 'ticket_called' && !seen.has(e.ticketId)) {
        seen.add(e.ticketId);
        const t = issued.get(e.ticketId)!;
        const wait = (Date.parse(e.at) - t.at) / 60_000;
        for (const k of ['*', t.service]) {
          const x = out.get(k) ?? { calls: 0, ranged: 0, wait: 0, rangeErr: 0, pointErr: 0, inside: 0 };
          x.calls++;
          x.wait += wait;
          x.pointErr += Math.abs(wait - t.eta);
          if (t.low !== null && t.high !== null) {
            x.ranged++;
            x.rangeErr += Math.abs(wait - (t.low + t.high) / 2);
            if (Math.round(wait) >= t.low && Math.round(wait) <= t.high) x.inside++;
          }
          out.set(k, x);
        }
      }
    }
  }
  return out;
}

function check(fig: EtaAccuracyResponse['office'], x: Expect): void {
  expect(fig.calls).toBe(x.calls);
  expect(fig.ranged).toBe(x.ranged);
  expect(fig.meanWaitMinutes).toBeCloseTo(x.wait / x.calls, 1);
  expect(fig.maeMinutes).toBeCloseTo(x.rangeErr / x.ranged, 1);
  expect(fig.maePercent).toBeCloseTo((100 * (x.rangeErr / x.ranged)) / (x.wait / x.calls), 0);
  expect(fig.insideShare).toBeCloseTo(x.inside / x.ranged, 3);
  expect(fig.naiveMaeMinutes).toBeCloseTo(x.pointErr / x.calls, 1);
}

async function get(q = '') {
  return request<EtaAccuracyResponse>(srv.url, 'GET', `${E}${q}`);
}
async function getError(q: string) {
  return request<{ error: ApiError }>(srv.url, 'GET', `${E}${q}`);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'giliran-eta-'));
  const days = path.join(dataDir, 'offices', 'kupang', 'days');
  await mkdir(days, { recursive: true });
  await writeFile(path.join(days, `${PAST}.jsonl`), journalText(sim.commits));
  srv = await startServer({ dataDir, now: () => clock, settings: { ticketsPerDevicePerMinute: 100_000 } });
});
afterAll(async () => {
  await srv.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('eta-accuracy API', () => {
  it("gives a busy past day's figures, per service and for the office, as its events have them (public, no sign-in)", async () => {
    const x = expected(sim.commits);
    expect(x.get('*')!.calls).toBeGreaterThan(300);
    const r = await get(`?day=${PAST}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ officeId: 'kupang', officeDay: PAST, live: false });
    check(r.body.office, x.get('*')!);
    const office = kupang();
    expect(r.body.services.map((s) => s.serviceId)).toEqual(office.services.map((s) => s.id));
    for (const s of r.body.services) {
      expect(s.name).toEqual(office.services.find((o) => o.id === s.serviceId)!.name);
      const xs = x.get(s.serviceId);
      if (xs) check(s, xs);
      else expect(s).toMatchObject({ calls: 0, meanWaitMinutes: null, maeMinutes: null, insideShare: null });
    }
    // Figures only: no ticket, number or personal data.
    const text = JSON.stringify(r.body);
    expect(text).not.toMatch(/ticketId|number|nik|phone|"[A-Z]-?\d{3}"/i);
  });

  it('computes today live by default (the day in the office zone), from tickets issued and called over REST', async () => {
    const empty = await get();
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ officeDay: TODAY, live: true, office: { calls: 0, meanWaitMinutes: null } });
    const clerk = await login(srv.url, 'petugas1');
    expect((await request(srv.url, 'POST', `${OFFICE}/counters/1/sign-in`, { body: {}, cookie: clerk })).status).toBe(200);
    const ranges: Array<{ low: number; high: number; at: number }> = [];
    for (let i = 0; i < 6; i++) {
      const t = await request(srv.url, 'POST', `${OFFICE}/tickets`, { body: { service: 'ktp-el' }, cookie: clerk });
      expect(t.status, JSON.stringify(t.body)).toBe(201);
      ranges.push({ ...t.body.ticket.waitAtIssue, at: clock.getTime() });
      clock = new Date(clock.getTime() + 60_000);
    }
    let calls = 0;
    let wait = 0;
    let inside = 0;
    for (let i = 0; i < 4; i++) {
      clock = new Date(clock.getTime() + 3 * 60_000);
      const c = await request(srv.url, 'POST', `${OFFICE}/counters/1/call-next`, { body: {}, cookie: clerk });
      expect(c.status, JSON.stringify(c.body)).toBe(200);
      const p = ranges[i]!; // one service, one counter: called in issue order
      const w = (clock.getTime() - p.at) / 60_000;
      calls++;
      wait += w;
      if (Math.round(w) >= p.low && Math.round(w) <= p.high) inside++;
      expect((await request(srv.url, 'POST', `${OFFICE}/counters/1/finish`, { body: {}, cookie: clerk })).status).toBe(200);
    }
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.body.office.calls).toBe(calls);
    expect(r.body.office.meanWaitMinutes).toBeCloseTo(wait / calls, 1);
    expect(r.body.office.insideShare).toBeCloseTo(inside / calls, 3);
    expect(r.body.services.find((s) => s.serviceId === 'ktp-el')!.calls).toBe(calls);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a malformed or future day with a bilingual error, and an unknown office with 404', async () => {
    for (const bad of ['2027-1-4', '2027-02-30', 'kemarin', '2027-01-04T00:00']) {
      const r = await getError(`?day=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe('day_invalid');
      expect(r.body.error.message.id.length).toBeGreaterThan(0);
      expect(r.body.error.message.en.length).toBeGreaterThan(0);
    }
    const twice = await get(`?day=${PAST}&day=${PAST}`);
    expect(twice.status).toBe(400);
    const future = await getError('?day=2027-01-06');
    expect(future.status).toBe(400);
    expect(future.body.error).toMatchObject({ code: 'day_in_future', message: { id: expect.any(String), en: expect.any(String) } });
    const none = await request(srv.url, 'GET', '/api/v1/offices/atlantis/eta-accuracy');
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('office_not_found');
    // A past day with no journal: zero calls, null figures.
    const quiet = await get('?day=2026-12-01');
    expect(quiet.status).toBe(200);
    expect(quiet.body.office).toMatchObject({ calls: 0, ranged: 0, maeMinutes: null, insideShare: null });
  });
});
