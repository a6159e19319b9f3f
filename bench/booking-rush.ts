// The rush at the moment a day opens: N citizens (default 1,000) hold at once
// for one slot of 200 places, then the winners confirm. Prints hold and
// confirm p50/p99, exactly how many won, and a bare HTTP echo baseline
// answering the same N requests at once in the same process.
//   tsx bench/booking-rush.ts [--quick] [--citizens 1000] [--places 200] [--rounds 3]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fmt, median, numFlag, p99, parseArgs, printSummary, quantile, request, round } from './support/lib.ts';
import { ANSWERS, TUE_8, nikOf, setPlaces, solvedPow, startBookingServer } from './support/booking-server.ts';

const args = parseArgs();
const citizens = numFlag(args, 'citizens', args.quick ? 300 : 1000);
const places = numFlag(args, 'places', args.quick ? 60 : 200);
const rounds = args.rounds ?? (args.quick ? 1 : 3);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function echoRound(body: string): Promise<number[]> {
  const http = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' }).end(data);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const times = await Promise.all(Array.from({ length: citizens }, () => timed(() => fetch(`${url}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then((r) => r.text()))));
  await new Promise<void>((r) => http.close(() => r()));
  return times.map((t) => t.ms);
}

async function giliranRound(): Promise<{ hold: number[]; confirm: number[]; won: number; full: number; other: number }> {
  const srv = await startBookingServer();
  try {
    await setPlaces(srv.giliran, places);
    const pows: string[] = [];
    for (let i = 0; i < citizens; i += 100) pows.push(...(await Promise.all(Array.from({ length: Math.min(100, citizens - i) }, () => solvedPow(srv.url)))));
    const holds = await Promise.all(
      pows.map((altcha, i) => timed(() => request(srv.url, 'POST', '/api/v1/offices/kupang/bookings', { body: { service: 'ktp-el', subcase: 'baru', slot: TUE_8, answers: ANSWERS, nik: nikOf(i), name: `Warga ${i}`, altcha } }))),
    );
    const winners = holds.filter((h) => h.value.status === 201);
    const full = holds.filter((h) => h.value.body?.error?.code === 'booking_slot_full').length;
    const confirms = await Promise.all(winners.map((h) => timed(() => request(srv.url, 'POST', `/api/v1/offices/kupang/bookings/${h.value.body.booking.code}/confirm`, { body: { k: h.value.body.manageKey } }))));
    const confirmed = confirms.filter((c) => c.value.status === 200 && c.value.body.booking.state === 'confirmed').length;
    return { hold: holds.map((h) => h.ms), confirm: confirms.map((c) => c.ms), won: confirmed, full, other: citizens - winners.length - full };
  } finally {
    await srv.close();
  }
}

const results: Array<{ holdP50: number; holdP99: number; confirmP50: number; confirmP99: number; echoP50: number; echoP99: number; won: number; full: number; other: number }> = [];
for (let r = 0; r < rounds; r++) {
  const g = await giliranRound();
  const echo = await echoRound(JSON.stringify({ service: 'ktp-el', subcase: 'baru', slot: TUE_8, answers: ANSWERS, nik: nikOf(0), name: 'Warga', altcha: 'x'.repeat(200) }));
  const row = { holdP50: quantile(g.hold, 0.5), holdP99: p99(g.hold), confirmP50: quantile(g.confirm, 0.5), confirmP99: p99(g.confirm), echoP50: quantile(echo, 0.5), echoP99: p99(echo), won: g.won, full: g.full, other: g.other };
  results.push(row);
  console.log(`round ${r + 1}: ${g.won}/${places} confirmed, ${g.full} full, ${g.other} other; hold p50 ${fmt(row.holdP50)} ms p99 ${fmt(row.holdP99)} ms; confirm p50 ${fmt(row.confirmP50)} ms p99 ${fmt(row.confirmP99)} ms; echo p50 ${fmt(row.echoP50)} ms p99 ${fmt(row.echoP99)} ms`);
}
const m = (k: keyof (typeof results)[number]) => round(median(results.map((x) => x[k] as number)));
const summary = {
  config: { citizens, places, rounds },
  hold: { p50Ms: m('holdP50'), p99Ms: m('holdP99') },
  confirm: { p50Ms: m('confirmP50'), p99Ms: m('confirmP99') },
  echo: { p50Ms: m('echoP50'), p99Ms: m('echoP99') },
  ratios: { holdP99VsEcho: round(median(results.map((x) => x.holdP99 / x.echoP99))), confirmP99VsEcho: round(median(results.map((x) => x.confirmP99 / x.echoP99))) },
  won: results.map((x) => x.won),
  goals: { exactlyAllPlaces: results.every((x) => x.won === places && x.other === 0), holdP99AtMost50ms: m('holdP99') <= 50, confirmP99AtMost50ms: m('confirmP99') <= 50 },
};
printSummary(summary);
process.exit(summary.goals.exactlyAllPlaces ? 0 : 1);
