// The admin console's configuration API: an office's configuration read and
// saved section by section (protocol/admin.ts), each save checked against the
// section's revision (a stale edit is refused with what is saved now),
// validated with the one office schema and its cross-field rules
// (store/config-schema.ts), written atomically with its new revision,
// audited with before/after (secrets masked), and applied live.
import { Router, type Request, type Response } from 'express';
import {
  ADMIN_ROLES,
  AUDIT_ROLES,
  PERMISSIONS,
  SECTIONS,
  SECTION_KEYS,
  adminAuditQuerySchema,
  sectionPutSchema,
  type AdminAuditEntry,
  type AdminAuditPage,
  type AdminOffice,
  type AdminOfficeList,
  type AdminOfficeView,
  type RevisionInfo,
  type Section,
  type StaleRevision,
} from '../../protocol/admin.ts';
import { apiError, invalidBody, type ApiError } from '../../protocol/errors.ts';
import type { NotifySettings, OfficeConfig, QueueSnapshot } from '../../protocol/model.ts';
import { actorOf, worksFor } from '../auth/permissions.ts';
import { officeSchema } from '../store/config-schema.ts';
import type { AuditEntry, ConfigData } from '../store/types.ts';
import { fieldErrors } from '../validation.ts';
import { type HttpContext, requireOfficeRole, requirePrincipal } from './context.ts';
import { HttpError, validate } from './errors.ts';

const EMPTY_NOTIFY: NotifySettings = { webhook: { url: null, secret: null }, whatsapp: { apiUrl: null, token: null, sender: null } };

/** The office as the admin API shows it: every optional field filled in, every secret masked. */
export function adminView(o: OfficeConfig): AdminOffice {
  const n = o.notify ?? EMPTY_NOTIFY;
  return {
    ...o,
    whatsapp: o.whatsapp ?? null,
    closedDays: o.closedDays ?? [],
    notify: {
      webhook: { url: n.webhook.url, secret: { set: n.webhook.secret !== null } },
      whatsapp: { apiUrl: n.whatsapp.apiUrl, token: { set: n.whatsapp.token !== null }, sender: n.whatsapp.sender, ...(n.whatsapp.phoneId ? { phoneId: n.whatsapp.phoneId } : {}) },
    },
  };
}

/** One section's value as shown (masked): exactly the section's keys. */
export function sectionView(o: OfficeConfig, section: Section): Record<string, unknown> {
  const v = adminView(o) as unknown as Record<string, unknown>;
  return Object.fromEntries(SECTION_KEYS[section].map((k) => [k, v[k]]));
}

function revisionOf(data: ConfigData, officeId: string, section: Section): RevisionInfo {
  const r = data.revisions?.[officeId]?.[section];
  return r ? { revision: r.revision, at: r.at, by: r.by } : { revision: 0, at: null, by: null };
}

function revisionsOf(data: ConfigData, officeId: string): AdminOfficeView['revisions'] {
  return Object.fromEntries(SECTIONS.map((s) => [s, revisionOf(data, officeId, s)])) as AdminOfficeView['revisions'];
}

/** The office's overall revision (the `office` event's): grows by one with each save of any section. */
export function officeRevision(data: ConfigData, officeId: string): number {
  return SECTIONS.reduce((n, s) => n + revisionOf(data, officeId, s).revision, 0);
}

/** A secret from a PUT: a string replaces it, null removes it, `{ set }` or absent keeps it. */
function secretFrom(input: unknown, stored: string | null): string | null {
  if (typeof input === 'string') return input;
  if (input === null) return null;
  return stored;
}

/** The office with one section replaced by a PUT's value (secrets merged with the stored ones). */
function withSection(o: OfficeConfig, section: Section, value: Record<string, unknown>): OfficeConfig {
  const next = structuredClone(o) as unknown as Record<string, unknown>;
  if (section === 'notify') {
    const v = value.notify as { webhook: { url: string | null; secret?: unknown }; whatsapp: { apiUrl: string | null; token?: unknown; sender: string | null; phoneId?: string | null } };
    const old = o.notify ?? EMPTY_NOTIFY;
    next.notify = {
      webhook: { url: v.webhook.url, secret: secretFrom(v.webhook.secret, old.webhook.secret) },
      whatsapp: { apiUrl: v.whatsapp.apiUrl, token: secretFrom(v.whatsapp.token, old.whatsapp.token), sender: v.whatsapp.sender, ...(v.whatsapp.phoneId ? { phoneId: v.whatsapp.phoneId } : {}) },
    } satisfies NotifySettings;
  } else {
    for (const k of SECTION_KEYS[section]) next[k] = structuredClone(value[k]);
  }
  return next as unknown as OfficeConfig;
}

class StaleRevisionError extends Error {
  constructor(readonly body: StaleRevision) {
    super('stale_revision');
  }
}

const withMessage = (e: ApiError, id: string, en: string): ApiError => ({ ...e, message: { id, en } });

/** What a save would remove that today's queue still uses: the first such service or counter, as an error. */
function inUse(before: OfficeConfig, after: OfficeConfig, snap: QueueSnapshot | null): ApiError | null {
  const removedServices = before.services.filter((s) => !after.services.some((x) => x.id === s.id));
  const removedCounters = before.counters.filter((c) => !after.counters.some((x) => x.id === c.id));
  if ((removedServices.length > 0 || removedCounters.length > 0) && !snap) return apiError('unavailable');
  if (!snap) return null;
  for (const s of removedServices) {
    const n = snap.tickets.filter((t) => t.serviceId === s.id && (t.state === 'waiting' || t.state === 'called' || t.state === 'serving' || t.state === 'parked')).length;
    if (n > 0) {
      return withMessage(
        apiError('service_in_use', [{ path: 'services', message: s.id }]),
        `Layanan ${s.name.id} (${s.prefix}) masih punya ${n} nomor antrean hari ini: nonaktifkan saja, jangan dihapus.`,
        `Service ${s.name.en} (${s.prefix}) still has ${n} ticket(s) today: make it inactive instead of deleting it.`,
      );
    }
  }
  for (const c of removedCounters) {
    const live = snap.counters.find((x) => x.id === c.id);
    if (live?.ticketId) {
      return withMessage(apiError('counter_in_use', [{ path: 'counters', message: c.id }]), `${c.name} sedang memegang nomor antrean: selesaikan dulu sebelum menghapusnya.`, `${c.name} holds a ticket: finish it before deleting the counter.`);
    }
  }
  return null;
}

/** One line for the audit browser. */
function summaryOf(e: AuditEntry): string {
  const who = e.actor.name ?? e.actor.id;
  if (e.action.startsWith('config.')) {
    const rev = (e.detail as { revision?: unknown } | undefined)?.revision;
    return `${who} saved ${e.action.slice(7)}${typeof rev === 'number' ? ` (revision ${rev})` : ''}`;
  }
  return `${who}: ${e.action}`;
}

/** A CSV field: quoted, quotes doubled, and a leading = + - @ (or tab / CR) defused with ' so a spreadsheet shows it as text. */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

const MAX_AUDIT_DAYS = 92;

/** The body limit of /api/v1/admin (a whole services section with its requirement lists). */
export const ADMIN_BODY_LIMIT = '1mb';

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function adminConfigRouter(ctx: HttpContext): Router {
  const r = Router();

  r.get('/api/v1/admin/offices', (req, res) => {
    const p = requirePrincipal(ctx, req);
    if (p.kind !== 'user' || !ADMIN_ROLES.includes(p.user.role)) throw HttpError.of('forbidden');
    const offices = ctx.store.config
      .get()
      .offices.filter((o) => worksFor(p, o.id))
      .map((o) => ({ id: o.id, name: o.name, shortName: o.shortName, role: p.user.role }));
    res.json({ offices } satisfies AdminOfficeList);
  });

  const viewFor = (officeId: string, role: keyof typeof PERMISSIONS): AdminOfficeView => {
    const data = ctx.store.config.get();
    const office = data.offices.find((o) => o.id === officeId);
    if (!office) throw HttpError.of('office_not_found');
    return {
      office: adminView(office),
      revisions: revisionsOf(data, officeId),
      permissions: SECTIONS.map((section) => {
        const perm = PERMISSIONS[role][section];
        return { section, read: perm.read, write: perm.write, ...(perm.fields ? { fields: [...perm.fields] } : {}) };
      }),
    };
  };

  r.get('/api/v1/admin/offices/:office', (req: Request<{ office: string }>, res) => {
    const p = requireOfficeRole(ctx, req, req.params.office, ADMIN_ROLES);
    res.json(viewFor(req.params.office, p.user.role) satisfies AdminOfficeView);
  });

  r.put('/api/v1/admin/offices/:office/sections/:section', async (req: Request<{ office: string; section: string }>, res: Response) => {
    const officeId = req.params.office;
    const p = requireOfficeRole(ctx, req, officeId, ADMIN_ROLES);
    const section = SECTIONS.find((s) => s === req.params.section);
    if (!section) throw HttpError.of('not_found');
    const perm = PERMISSIONS[p.user.role][section];
    if (!perm.write) throw HttpError.of('forbidden');
    const parsed = sectionPutSchema(section).safeParse(req.body ?? {});
    if (!parsed.success) throw new HttpError(invalidBody(fieldErrors(parsed.error)));
    const body = parsed.data as { revision: number; value: Record<string, unknown> };

    // Today's queue, to refuse removing a service or counter it still uses.
    const snap = await ctx.queue.snapshot(officeId);
    const at = ctx.queue.now().toISOString();
    let saved: { before: OfficeConfig; after: OfficeConfig; revision: number } | null = null;
    try {
      await ctx.store.config.update((draft) => {
        const office = draft.offices.find((o) => o.id === officeId);
        if (!office) throw HttpError.of('office_not_found');
        const current = revisionOf(draft, officeId, section);
        if (body.revision !== current.revision) {
          throw new StaleRevisionError({ error: { ...apiError('stale_revision'), code: 'stale_revision' }, current: { value: sectionView(office, section), ...current } });
        }
        const next = withSection(office, section, body.value);
        if (perm.fields) {
          const was = sectionView(office, section);
          const now = sectionView(next, section);
          const locked = Object.keys(was).filter((k) => !perm.fields?.includes(k) && JSON.stringify(was[k]) !== JSON.stringify(now[k]));
          if (locked.length > 0) throw HttpError.of('forbidden', locked.map((k) => ({ path: `value.${k}`, message: 'not yours to change' })));
        }
        // The one office schema with its cross-field rules, as when the file is loaded.
        const checked = officeSchema.safeParse(next);
        if (!checked.success) throw new HttpError(invalidBody(fieldErrors(checked.error, ['value'])));
        const busy = inUse(office, checked.data, snap.ok ? snap.data : null);
        if (busy) throw new HttpError(busy);
        const index = draft.offices.indexOf(office);
        draft.offices[index] = checked.data;
        const revisions = (draft.revisions ??= {});
        const own = (revisions[officeId] ??= {});
        own[section] = { revision: current.revision + 1, at, by: p.user.username };
        saved = { before: office, after: checked.data, revision: current.revision + 1 };
      });
    } catch (err) {
      if (err instanceof StaleRevisionError) return void res.status(409).json(err.body);
      throw err;
    }
    const done = saved as { before: OfficeConfig; after: OfficeConfig; revision: number } | null;
    if (!done) throw HttpError.of('internal');
    // The configuration is on disk; the audit line follows (a failed audit write is logged, the save stands).
    try {
      await ctx.store.audit.append({ at, actor: actorOf(p), action: `config.${section}`, officeId, detail: { revision: done.revision, before: sectionView(done.before, section), after: sectionView(done.after, section) } });
    } catch (err) {
      ctx.log.error({ err, office: officeId, section }, 'configuration saved but its audit line was not written');
    }
    await ctx.queue.configChanged(officeId, done.before, officeRevision(ctx.store.config.get(), officeId));
    res.json(viewFor(officeId, p.user.role) satisfies AdminOfficeView);
  });

  r.get('/api/v1/admin/offices/:office/audit', async (req: Request<{ office: string }>, res) => {
    const officeId = req.params.office;
    requireOfficeRole(ctx, req, officeId, AUDIT_ROLES);
    const q = validate(adminAuditQuerySchema, req.query);
    const to = q.to ?? ctx.queue.now().toISOString().slice(0, 10);
    const from = q.from ?? addDays(to, -6);
    if (from > to) throw HttpError.of('bad_request', [{ path: 'from', message: 'from is after to' }]);
    if (addDays(from, MAX_AUDIT_DAYS) <= to) throw HttpError.of('bad_request', [{ path: 'from', message: `at most ${MAX_AUDIT_DAYS} days at once` }]);
    // The cursor is "<day>:<index>" of the last entry given: the page goes on with older ones.
    let start: { day: string; index: number } | null = null;
    if (q.cursor) {
      const m = /^(\d{4}-\d{2}-\d{2}):(\d{1,7})$/.exec(q.cursor);
      if (!m) throw HttpError.of('bad_request', [{ path: 'cursor', message: 'not a cursor from this API' }]);
      start = { day: m[1] as string, index: Number(m[2]) };
    }
    const entries: AdminAuditEntry[] = [];
    let next: string | null = null;
    outer: for (let day = start?.day && start.day < to ? start.day : to; day >= from; day = addDays(day, -1)) {
      const all = await ctx.store.audit.read(day);
      const last = start && day === start.day ? start.index - 1 : all.length - 1;
      for (let i = last; i >= 0; i--) {
        const e = all[i] as AuditEntry;
        if (e.officeId !== officeId) continue;
        if (q.actor && e.actor.id !== q.actor && e.actor.name !== q.actor) continue;
        if (q.kind && !e.action.startsWith(q.kind)) continue;
        if (entries.length === q.limit) {
          next = `${day}:${i + 1}`;
          break outer;
        }
        entries.push({ at: e.at, actor: e.actor, action: e.action, officeId: e.officeId ?? null, summary: summaryOf(e), detail: e.detail ?? null });
      }
    }
    if (q.format === 'csv') {
      const lines = [['at', 'actor', 'actor_name', 'action', 'office', 'summary', 'detail'].map(csvField).join(',')];
      for (const e of entries) lines.push([e.at, e.actor.id, e.actor.name ?? '', e.action, e.officeId, e.summary, e.detail].map(csvField).join(','));
      if (next) res.setHeader('X-Next-Cursor', next);
      res.setHeader('Content-Disposition', `attachment; filename="audit-${officeId}-${from}-${to}.csv"`);
      return void res.type('text/csv; charset=utf-8').send(`${lines.join('\r\n')}\r\n`);
    }
    res.json({ entries, next } satisfies AdminAuditPage);
  });

  return r;
}
