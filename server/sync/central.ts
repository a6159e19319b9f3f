// The central's side of office-box sync: a box (device kind "office_box")
// ships each office day's commits and its audit lines here; only the office
// its token was paired for, each batch stored once by (office, day, version)
// and acknowledged with the last contiguous version held, once durable. The
// admin console's sync state (either side) is served here too.
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { syncAuditBodySchema, syncDaySchema, type officeSyncStatusSchema, type syncAuditMarkSchema, type syncBoxSchema, syncCommitsBodySchema, type syncMarkSchema } from '../../protocol/sync.ts';
import type { Commit } from '../domain/state.ts';
import { type HttpContext, principalOf, requireOfficeRole } from '../http/context.ts';
import { HttpError, validate } from '../http/errors.ts';
import { SyncConflictError, type DeviceRecord, type SyncStore } from '../store/types.ts';
import type { SyncAgent } from './agent.ts';

type BoxDevice = Pick<DeviceRecord, 'id' | 'kind' | 'officeId' | 'name'>;

/** The office box a request's token belongs to: a forged token is 401, any other device or a person 403. */
function requireBox(ctx: HttpContext, req: Request): BoxDevice {
  const p = principalOf(ctx, req);
  // A box always shows its token: the loopback trust of the demo screens counts for nothing here.
  if (!p || (p.kind === 'device' && p.loopback)) throw HttpError.of('unauthenticated');
  if (p.kind !== 'device' || p.device.kind !== 'office_box') throw HttpError.of('forbidden');
  return p.device;
}

/** The box's office from the path: one it was not paired for is 403 whether it exists here or not (nothing of it shows). */
function boxOffice(ctx: HttpContext, req: Request): { box: BoxDevice; office: string; sync: SyncStore } {
  const box = requireBox(ctx, req);
  const office = String(req.params.office);
  if (box.officeId !== office) throw HttpError.of('forbidden');
  if (!ctx.queue.office(office)) throw HttpError.of('office_not_found');
  const sync = ctx.store.sync;
  if (!sync) throw HttpError.of('sync_unsupported');
  return { box, office, sync };
}

export function syncRouter(ctx: HttpContext, agent: () => SyncAgent | null): Router {
  const r = Router();

  r.get('/api/v1/sync/box', (req, res) => {
    const box = requireBox(ctx, req);
    res.json({ device: { id: box.id, name: box.name }, offices: [box.officeId] } satisfies z.infer<typeof syncBoxSchema>);
  });

  r.get('/api/v1/sync/:office/days/:day', async (req, res) => {
    const { office, sync } = boxOffice(ctx, req);
    const day = validate(syncDaySchema, req.params.day);
    res.json({ office, day, version: await sync.heldVersion(office, day) } satisfies z.infer<typeof syncMarkSchema>);
  });

  r.post('/api/v1/sync/:office/days/:day/commits', async (req, res) => {
    const { box, office, sync } = boxOffice(ctx, req);
    const day = validate(syncDaySchema, req.params.day);
    const body = validate(syncCommitsBodySchema, req.body);
    let version: number;
    try {
      version = await sync.importCommits(box.id, office, day, body.after, body.commits as unknown as Commit[], body.head ?? null);
    } catch (err) {
      if (err instanceof SyncConflictError) {
        ctx.log.error({ err, office, day, device: box.id }, 'an office box shipped a commit that differs from the stored one');
        throw HttpError.of('sync_conflict');
      }
      throw err;
    }
    res.json({ office, day, version } satisfies z.infer<typeof syncMarkSchema>);
  });

  r.post('/api/v1/sync/:office/audit/:day', async (req, res) => {
    const { box, office, sync } = boxOffice(ctx, req);
    const day = validate(syncDaySchema, req.params.day);
    const body = validate(syncAuditBodySchema, req.body);
    if (body.entries.some((e) => e.seq > body.upTo)) throw HttpError.of('bad_request');
    const upTo = await sync.importAudit(box.id, office, day, body.upTo, body.entries);
    res.json({ office, day, upTo } satisfies z.infer<typeof syncAuditMarkSchema>);
  });

  /** The sync state of one office as this server sees it: what it ships (a box), or what its boxes shipped (the central). */
  r.get('/api/v1/admin/offices/:office/sync', async (req, res) => {
    const office = String(req.params.office);
    requireOfficeRole(ctx, req, office, ['admin', 'supervisor']);
    const a = agent();
    const boxes = ctx.store.config.get().devices.filter((d) => d.kind === 'office_box' && d.officeId === office);
    const rows = boxes.length > 0 && ctx.store.sync ? await ctx.store.sync.syncState(office) : [];
    const held = new Map<string, number>();
    for (const row of rows) if (!held.has(row.officeDay)) held.set(row.officeDay, await ctx.store.sync!.heldVersion(office, row.officeDay));
    const body: z.infer<typeof officeSyncStatusSchema> = {
      role: a ? 'box' : boxes.length > 0 ? 'central' : 'none',
      centralUrl: a?.centralUrl ?? null,
      box: a?.status(office) ?? null,
      boxes: boxes.map((d) => {
        const row = rows.find((x) => x.deviceId === d.id);
        const version = row ? (held.get(row.officeDay) ?? row.version) : 0;
        return {
          deviceId: d.id,
          name: d.name,
          office,
          lastDay: row?.officeDay ?? null,
          lastVersion: version,
          boxVersion: row?.boxVersion ?? null,
          lagCommits: row?.boxVersion != null ? Math.max(0, row.boxVersion - version) : 0,
          lastContact: row?.contactAt ?? null,
        };
      }),
    };
    res.json(body);
  });

  return r;
}

