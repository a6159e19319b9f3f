// Complaints (pengaduan) over REST: filed from the phone (holder key, tied to
// the ticket), a kiosk ("Informasi & Pengaduan") or staff (a visit or a
// call); followed by the citizen by its code; listed, answered, moved
// baru → diproses → selesai and exported (CSV for SP4N-LAPOR!) by
// supervisors and admins of the office. No text or contact is ever logged.
import { Router, type Request } from 'express';
import type { z } from 'zod';
import {
  complaintCodeSchema,
  complaintCreateSchema,
  complaintListQuerySchema,
  complaintPatchSchema,
  complaintSettingsSchema,
  trackComplaintBodySchema,
  type complaintCreatedSchema,
  type complaintListSchema,
} from '../../protocol/complaints.ts';
import type { ComplaintChannel } from '../../protocol/complaints-data.ts';
import type { OfficeConfig } from '../../protocol/model.ts';
import { trackParamsSchema } from '../../protocol/track-schemas.ts';
import { worksFor } from '../auth/permissions.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import type { ComplaintService } from '../complaint-service.ts';
import { complaintSettingsOf, complaintsCsv, isOverdue, publicView, staffView, type NewComplaint } from '../domain/complaints.ts';
import { requireOfficeRole, requirePrincipal, type HttpContext } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';
import { validateFields } from './survey.ts';

/** Look-ups by code one address may make a minute (codes are not to be guessed). */
export const COMPLAINT_LOOKUPS_PER_ADDRESS_PER_MINUTE = 30;
const LEADS = ['admin', 'supervisor'] as const;

type Created = z.infer<typeof complaintCreatedSchema>;

export function complaintsRouter(ctx: HttpContext, complaints: ComplaintService): Router {
  const r = Router();
  const filings = new RateLimiter(ctx.settings?.complaintsPerAddressPerMinute ?? 30, 60_000);
  const lookups = new RateLimiter(COMPLAINT_LOOKUPS_PER_ADDRESS_PER_MINUTE, 60_000);
  const address = (req: Request) => req.socket.remoteAddress ?? '?';
  const officeOf = (id: unknown): OfficeConfig => {
    const o = ctx.queue.office(String(id));
    if (!o) throw HttpError.of('office_not_found');
    return o;
  };
  const created = (c: { code: string; id: string; dueAt: string }): Created => ({ code: c.code, id: c.id, dueAt: c.dueAt });
  const contactOf = (c: { name?: string | undefined; phone: string } | undefined): NewComplaint['contact'] => (c ? { ...(c.name ? { name: c.name } : {}), phone: c.phone } : null);

  r.post('/api/v1/track/:office/:day/:number/complaints', async (req, res) => {
    if (!filings.hit(address(req))) throw HttpError.of('rate_limited');
    const params = validate(trackParamsSchema, { office: req.params.office, day: req.params.day, number: req.params.number });
    const office = officeOf(params.office);
    const body = validateFields(trackComplaintBodySchema, req.body);
    const ticketId = `${params.day}/${params.number}`;
    if (!ctx.track.keyValid(office.id, ticketId, body.k)) throw HttpError.of('holder_key_invalid');
    const c = await complaints.file(office, { channel: 'phone', category: body.category, text: body.text, ticketId, contact: contactOf(body.contact), recordedBy: null });
    res.status(201).json(created(c));
  });

  r.post('/api/v1/offices/:office/complaints', async (req, res) => {
    const p = requirePrincipal(ctx, req);
    const office = officeOf(req.params.office);
    if (!worksFor(p, office.id)) throw HttpError.of('forbidden');
    // A kiosk files for a citizen; staff record one from a visit or a call; other devices may not.
    if (p.kind === 'device' && p.device.kind !== 'kiosk' && !p.loopback) throw HttpError.of('forbidden');
    if (p.kind === 'device' && !filings.hit(address(req))) throw HttpError.of('rate_limited');
    const body = validateFields(complaintCreateSchema, req.body);
    const channel: ComplaintChannel = p.kind === 'device' ? 'kiosk' : (body.channel ?? 'visit');
    const recordedBy = p.kind === 'user' ? { id: p.user.id, name: p.user.name } : null;
    const c = await complaints.file(office, { channel, category: body.category, text: body.text, ticketId: null, contact: contactOf(body.contact), recordedBy });
    res.status(201).json(created(c));
  });

  r.get('/api/v1/complaints/:office/:complaintCode', async (req, res) => {
    if (!lookups.hit(address(req))) throw HttpError.of('rate_limited');
    const office = officeOf(req.params.office);
    const code = validate(complaintCodeSchema, String(req.params.complaintCode).toUpperCase());
    const c = await ctx.store.complaints.byCode(office.id, code);
    if (!c) throw HttpError.of('complaint_not_found');
    res.json(publicView(c));
  });

  r.get('/api/v1/offices/:office/complaints', async (req, res) => {
    requireOfficeRole(ctx, req, String(req.params.office), LEADS);
    const office = officeOf(req.params.office);
    const q = validateFields(complaintListQuerySchema, req.query);
    const now = complaints.now();
    const all = await ctx.store.complaints.list(office.id);
    const shown = all.filter((c) => (!q.status || c.status === q.status) && (!q.category || c.category === q.category) && (!q.overdue || isOverdue(c, now)));
    res.json({
      complaints: shown.map((c) => staffView(c, now)),
      overdue: all.filter((c) => isOverdue(c, now)).length,
      settings: complaintSettingsOf(office),
    } satisfies z.infer<typeof complaintListSchema>);
  });

  r.get('/api/v1/offices/:office/complaints.csv', async (req, res) => {
    requireOfficeRole(ctx, req, String(req.params.office), LEADS);
    const office = officeOf(req.params.office);
    const list = await ctx.store.complaints.list(office.id);
    res.setHeader('Content-Disposition', `attachment; filename="pengaduan-${office.id}.csv"`);
    res.type('text/csv; charset=utf-8').send(`\uFEFF${complaintsCsv(list)}`);
  });

  r.patch('/api/v1/offices/:office/complaints/:complaint', async (req, res) => {
    const p = requireOfficeRole(ctx, req, String(req.params.office), LEADS);
    const office = officeOf(req.params.office);
    const body = validateFields(complaintPatchSchema, req.body);
    const change = { ...(body.status !== undefined ? { status: body.status } : {}), ...(body.response !== undefined ? { response: body.response } : {}), ...(body.laporRef !== undefined ? { laporRef: body.laporRef } : {}) };
    const out = await complaints.change(office, String(req.params.complaint), change, { id: p.user.id, name: p.user.name });
    if (!out.ok) return sendError(res, out.error);
    await ctx.store.audit.append({ at: complaints.now().toISOString(), actor: { kind: 'user', id: p.user.id, name: p.user.name, role: p.user.role }, action: 'complaint_changed', officeId: office.id, detail: { complaint: out.data.id, status: out.data.status, responded: body.response !== undefined, laporRef: out.data.laporRef } });
    res.json(staffView(out.data, complaints.now()));
  });

  r.put('/api/v1/offices/:office/complaints-settings', async (req, res) => {
    const p = requireOfficeRole(ctx, req, String(req.params.office), LEADS);
    const office = officeOf(req.params.office);
    const settings = validateFields(complaintSettingsSchema, req.body);
    await ctx.store.config.update((draft) => {
      const o = draft.offices.find((x) => x.id === office.id);
      if (o) o.complaints = settings;
    });
    await ctx.store.audit.append({ at: complaints.now().toISOString(), actor: { kind: 'user', id: p.user.id, name: p.user.name, role: p.user.role }, action: 'complaint_settings_changed', officeId: office.id, detail: { ...settings } });
    res.json(settings);
  });

  return r;
}
