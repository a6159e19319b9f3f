// GET /api/v1/offices/{office}/eta-accuracy?day=YYYY-MM-DD: public figures of
// how good the estimated wait was on one office day (docs/eta.md). Read from
// the day's journal (the same commits for a closed day and for today).
import type { Router } from 'express';
import type { EtaAccuracyResponse } from '../../protocol/eta-accuracy.ts';
import { etaAccuracy } from '../domain/eta-accuracy.ts';
import { officeDayOf } from '../domain/time.ts';
import type { HttpContext } from './context.ts';
import { HttpError } from './errors.ts';

/** A real calendar date written YYYY-MM-DD. */
export function isCalendarDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** Adds the route to the kiosk's router (server/http/kiosk.ts): public, like availability. */
export function etaAccuracyRoute(r: Router, ctx: HttpContext): void {
  r.get('/api/v1/offices/:office/eta-accuracy', async (req, res) => {
    const office = ctx.queue.office(String(req.params.office));
    if (!office) throw HttpError.of('office_not_found');
    const today = officeDayOf(ctx.queue.now(), office.timeZone);
    const asked = req.query.day;
    if (asked !== undefined && (typeof asked !== 'string' || !isCalendarDay(asked))) throw HttpError.of('day_invalid');
    const day = (asked as string | undefined) ?? today;
    if (day > today) throw HttpError.of('day_in_future');
    const commits = await ctx.store.queue.readCommits(office.id, day);
    const acc = etaAccuracy(commits, office.services.map((s) => s.id));
    const names = new Map(office.services.map((s) => [s.id, s.name]));
    const body: EtaAccuracyResponse = {
      officeId: office.id,
      officeDay: day,
      live: day === today,
      office: acc.office,
      // A service removed since keeps its figures under its id.
      services: acc.services.map((s) => ({ ...s, name: names.get(s.serviceId) ?? { id: s.serviceId, en: s.serviceId } })),
    };
    res.setHeader('Cache-Control', day === today ? 'no-store' : 'public, max-age=300');
    res.json(body);
  });
}
