// The admin console's operations: staff accounts, devices and their printers,
// backup and restore, and the office logo. Every route is office-scoped: an
// admin of office A asking about office B gets 404 office_not_found, as if B
// did not exist. Every change is audited (never with a password).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import {
  LOGO_MAX_BYTES,
  deviceApproveSchema,
  devicePrinterSetSchema,
  staffCreateSchema,
  staffPatchSchema,
  type AdminDeviceList,
  type DevicePrinterResponse,
  type LogoResponse,
  type LogoType,
  type PairedDevice,
  type PairedDeviceResponse,
  type PasswordReset,
  type RestoreResult,
  type StaffCreated,
  type StaffList,
  type StaffMember,
  type StaffResponse,
  type TestPrintResponse,
} from '../../protocol/admin-ops.ts';
import { pairingCodeSchema } from '../../protocol/commands.ts';
import { BackupError, createBackup, decodeBackup, encodeBackup, isFreshInstall, restoreBackup } from '../backup/backup.ts';
import { parsePrinterUrl } from '../devices/config.ts';
import type { DeviceHub } from '../devices/hub.ts';
import { actorOf, type UserPrincipal } from '../auth/permissions.ts';
import type { GiliranIo } from '../realtime/types.ts';
import { writeFileDurably } from '../store/durable-file.ts';
import type { DeviceRecord, UserRecord } from '../store/types.ts';
import { type HttpContext, principalOf, requireOfficeRole } from './context.ts';
import { officeRevision } from './admin-config.ts';
import { HttpError, validate } from './errors.ts';

type StaffPrincipal = UserPrincipal;

/** The office check of every admin endpoint (server/http/context.ts, shared with the configuration API). */
const requireOfficeStaff = requireOfficeRole;

/** Paths a session that must change its password may still use: who am I, sign out, change it, and public office data. */
function allowedBeforePasswordChange(req: Request): boolean {
  const p = req.path;
  if (p === '/api/v1/session' || p === '/api/v1/session/password') return true;
  return req.method === 'GET' && (p === '/api/v1/offices' || /^\/api\/v1\/offices\/[^/]+(\/logo)?$/.test(p) || p === '/api/v1/openapi.json');
}

/** Refuses every other /api request of a session whose password an admin set, until it is changed. */
export function passwordChangeGate(ctx: HttpContext): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/api/') || allowedBeforePasswordChange(req)) return next();
    const p = principalOf(ctx, req);
    if (p?.kind === 'user' && p.user.mustChangePassword) return next(HttpError.of('password_change_required'));
    next();
  };
}

/** When each paired device last connected or left, and how many sockets it holds now (from the namespaces' connections). */
export class DevicePresence {
  #online = new Map<string, number>();
  #lastSeen = new Map<string, string>();
  constructor(private readonly now: () => Date) {}

  attach(io: GiliranIo): void {
    for (const name of ['/kiosk', '/display', '/agent'] as const) {
      io.of(name).on('connection', (socket) => {
        const p = socket.data.principal;
        if (p?.kind !== 'device' || p.loopback) return;
        const id = p.device.id;
        this.#online.set(id, (this.#online.get(id) ?? 0) + 1);
        this.#lastSeen.set(id, this.now().toISOString());
        socket.on('disconnect', () => {
          const n = (this.#online.get(id) ?? 1) - 1;
          if (n <= 0) this.#online.delete(id);
          else this.#online.set(id, n);
          this.#lastSeen.set(id, this.now().toISOString());
        });
      });
    }
  }

  online(id: string): boolean {
    return (this.#online.get(id) ?? 0) > 0;
  }

  lastSeen(id: string): string | null {
    return this.#lastSeen.get(id) ?? null;
  }
}

export interface AdminOpsDeps {
  devices: DeviceHub;
  presence: DevicePresence;
}

function staffMember(u: UserRecord): StaffMember {
  return { id: u.id, username: u.username, name: u.name, role: u.role, disabled: u.disabled === true, mustChangePassword: u.mustChangePassword === true, offices: u.offices };
}

/** Users who work for an office (those of every office included). */
function staffOf(users: UserRecord[], officeId: string): UserRecord[] {
  return users.filter((u) => u.offices.includes('*') || u.offices.includes(officeId));
}

/** An admin may change an account only within the offices the admin works for. */
function reaches(actor: UserRecord, target: UserRecord): boolean {
  if (actor.offices.includes('*')) return true;
  return !target.offices.includes('*') && target.offices.every((o) => actor.offices.includes(o));
}

/** Offices left without an enabled admin if `users` became `after`. */
function officesLosingLastAdmin(officeIds: string[], before: UserRecord[], after: UserRecord[]): string[] {
  const admins = (users: UserRecord[], o: string) => users.filter((u) => u.role === 'admin' && !u.disabled && (u.offices.includes('*') || u.offices.includes(o))).length;
  return officeIds.filter((o) => admins(before, o) > 0 && admins(after, o) === 0);
}

const LOGO_EXT: Record<LogoType, 'png' | 'jpg' | 'webp'> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };
const EXT_TYPE: Record<string, LogoType> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

/** The image type its first bytes say, or null (SVG, or anything else, is never accepted). */
export function sniffImage(b: Buffer): LogoType | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** Where an office's uploaded logo is kept in the data folder. */
export function logoFile(dataDir: string, officeId: string, ext: string): string {
  return path.join(dataDir, 'offices', officeId, `logo.${ext}`);
}

export function adminOpsRouter(ctx: HttpContext, deps: AdminOpsDeps): Router {
  const r = Router();
  const at = () => ctx.queue.now().toISOString();
  const officeOf = (req: Request) => String(req.params.office);

  // ------------------------------------------------------------ staff

  r.get('/api/v1/admin/offices/:office/staff', (req, res) => {
    const office = officeOf(req);
    requireOfficeStaff(ctx, req, office, ['admin']);
    res.json({ staff: staffOf(ctx.store.config.get().users, office).map(staffMember) } satisfies StaffList);
  });

  r.post('/api/v1/admin/offices/:office/staff', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const body = validate(staffCreateSchema, req.body);
    const created = await ctx.auth.createUser({ username: body.username, name: body.name, role: body.role, offices: [office] });
    if (created === 'username_taken') throw HttpError.of('username_taken');
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'staff_created', officeId: office, detail: { userId: created.user.id, username: created.user.username, role: created.user.role } });
    res.status(201).json({ user: staffMember(created.user), password: created.password } satisfies StaffCreated);
  });

  /** The account `id` of this office that the signed-in admin may change, or 404/403. */
  const target = (req: Request, p: StaffPrincipal, office: string): UserRecord => {
    const u = staffOf(ctx.store.config.get().users, office).find((x) => x.id === String(req.params.id));
    if (!u) throw HttpError.of('not_found');
    if (!reaches(p.user, u)) throw HttpError.of('forbidden');
    return u;
  };

  r.patch('/api/v1/admin/offices/:office/staff/:id', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const body = validate(staffPatchSchema, req.body);
    const u = target(req, p, office);
    const changes: Partial<Pick<UserRecord, 'name' | 'role' | 'disabled'>> = {};
    if (body.name !== undefined && body.name !== u.name) changes.name = body.name;
    if (body.role !== undefined && body.role !== u.role) changes.role = body.role;
    if (body.disabled !== undefined && body.disabled !== (u.disabled === true)) changes.disabled = body.disabled;
    let losing: string[] = [];
    await ctx.store.config.update((d) => {
      const before = structuredClone(d.users);
      const x = d.users.find((v) => v.id === u.id);
      if (!x) return;
      if (changes.name !== undefined) x.name = changes.name;
      if (changes.role !== undefined) x.role = changes.role;
      if (changes.disabled === true) x.disabled = true;
      if (changes.disabled === false) delete x.disabled;
      const offices = x.offices.includes('*') ? d.offices.map((o) => o.id) : x.offices;
      losing = officesLosingLastAdmin(offices, before, d.users);
      if (losing.length > 0) d.users = before; // nothing changes
    });
    if (losing.length > 0) throw HttpError.of('last_admin');
    // A disabled or re-roled account signs in again: its sessions (and their sockets) end now.
    if (changes.disabled === true || changes.role !== undefined) await ctx.auth.endSessionsOf(u.id);
    // A disabled clerk is signed out of the counters they hold, so another clerk may sign in there.
    if (changes.disabled === true) await signOutEverywhere(u, p);
    if (Object.keys(changes).length > 0) {
      await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'staff_updated', officeId: office, detail: { userId: u.id, username: u.username, changes } });
    }
    const now = ctx.store.config.get().users.find((x) => x.id === u.id) ?? u;
    res.json({ user: staffMember(now) } satisfies StaffResponse);
  });

  const signOutEverywhere = async (u: UserRecord, by: StaffPrincipal): Promise<void> => {
    const offices = u.offices.includes('*') ? ctx.queue.offices().map((o) => o.id) : u.offices;
    for (const officeId of offices) {
      const snap = await ctx.queue.snapshot(officeId);
      if (!snap.ok) continue;
      for (const c of snap.data.counters) {
        if (c.staff?.id !== u.id) continue;
        const r = await ctx.queue.execute(officeId, { type: 'sign_out', counterId: c.id }, actorOf(by));
        if (!r.ok) ctx.log.warn({ office: officeId, counter: c.id, code: r.error.code }, 'disabled user left signed in at a counter');
      }
    }
  };

  r.post('/api/v1/admin/offices/:office/staff/:id/reset-password', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const u = target(req, p, office);
    const password = await ctx.auth.resetPassword(u.id);
    if (password === null) throw HttpError.of('not_found');
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'staff_password_reset', officeId: office, detail: { userId: u.id, username: u.username } });
    res.json({ password } satisfies PasswordReset);
  });

  // ------------------------------------------------------------ devices

  const paired = (d: DeviceRecord): PairedDevice => ({
    id: d.id,
    kind: d.kind,
    name: d.name,
    createdAt: d.createdAt,
    approvedBy: d.approvedBy,
    lastSeen: deps.presence.lastSeen(d.id),
    online: deps.presence.online(d.id),
    printer: d.kind === 'kiosk' ? deps.devices.printerOf(d.id, d.officeId) : d.kind === 'agent' ? deps.devices.agentPrinterOf(d.id) : null,
  });

  /** A paired device of this office, or 404 (another office's device is not found either). */
  const deviceOf = (req: Request, office: string): DeviceRecord => {
    const d = ctx.store.config.get().devices.find((x) => x.id === String(req.params.id) && x.officeId === office);
    if (!d) throw HttpError.of('not_found');
    return d;
  };

  r.get('/api/v1/admin/offices/:office/devices', (req, res) => {
    const office = officeOf(req);
    // Supervisors may look (is the kiosk's printer out of paper?); pairing codes are for admins.
    const p = requireOfficeStaff(ctx, req, office, ['admin', 'supervisor']);
    const devices = ctx.store.config.get().devices.filter((d) => d.officeId === office);
    res.json({ pending: p.user.role === 'admin' ? ctx.auth.pendingRequests() : [], paired: devices.map(paired) } satisfies AdminDeviceList);
  });

  r.post('/api/v1/admin/offices/:office/devices/pairings/:code/approve', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const code = validate(pairingCodeSchema, req.params.code);
    const body = validate(deviceApproveSchema, req.body);
    const device = await ctx.auth.approvePairing(code, office, body.name, p.user.username);
    if (!device) throw HttpError.of('pairing_not_found');
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'device_paired', officeId: office, detail: { deviceId: device.id, kind: device.kind, name: device.name } });
    res.status(201).json({ device: paired(device) } satisfies PairedDeviceResponse);
  });

  r.post('/api/v1/admin/offices/:office/devices/pairings/:code/reject', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const code = validate(pairingCodeSchema, req.params.code);
    if (!ctx.auth.rejectPairing(code)) throw HttpError.of('pairing_not_found');
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'device_pairing_rejected', officeId: office, detail: { code } });
    res.status(204).end();
  });

  r.delete('/api/v1/admin/offices/:office/devices/:id', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const d = deviceOf(req, office);
    if (!(await ctx.auth.revokeDevice(d.id))) throw HttpError.of('not_found');
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'device_revoked', officeId: office, detail: { deviceId: d.id, kind: d.kind, name: d.name } });
    res.status(204).end();
  });

  r.put('/api/v1/admin/offices/:office/devices/:id/printer', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const body = validate(devicePrinterSetSchema, req.body);
    const d = deviceOf(req, office);
    if (d.kind !== 'kiosk') throw HttpError.of('bad_request', [{ path: 'id', message: 'only a kiosk has a printer of its own' }]);
    if (body.target !== null) {
      try {
        parsePrinterUrl(body.target, 'target');
      } catch (err) {
        throw HttpError.of('bad_request', [{ path: 'target', message: (err as Error).message }]);
      }
    }
    await ctx.store.config.update((c) => {
      const x = c.devices.find((v) => v.id === d.id);
      if (!x) return;
      if (body.target === null) delete x.printer;
      else x.printer = body.target;
    });
    deps.devices.printerChanged(d.id);
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'device_printer_set', officeId: office, detail: { deviceId: d.id, from: d.printer ?? null, to: body.target } });
    res.json({ printer: deps.devices.printerOf(d.id, office) } satisfies DevicePrinterResponse);
  });

  r.post('/api/v1/admin/offices/:office/devices/:id/test-print', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const d = deviceOf(req, office);
    if (d.kind !== 'kiosk') throw HttpError.of('bad_request', [{ path: 'id', message: 'only a kiosk has a printer of its own' }]);
    const result = await deps.devices.testPrint(d.id, office, p.user.name);
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'device_test_print', officeId: office, detail: { deviceId: d.id, state: result.state } });
    res.json({ result } satisfies TestPrintResponse);
  });

  // ------------------------------------------------------------ backup and restore

  r.get('/api/v1/admin/backup', async (req, res) => {
    const office = typeof req.query.office === 'string' ? req.query.office : null;
    const p = office ? requireOfficeStaff(ctx, req, office, ['admin']) : requireEveryOfficeAdmin(ctx, req);
    const doc = await createBackup({
      config: structuredClone(ctx.store.config.get()),
      dataDir: ctx.settings.dataDir,
      offices: office ? [office] : ['*'],
      settled: (o) => ctx.queue.settled(o),
    });
    const file = await encodeBackup(doc);
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'backup_taken', ...(office ? { officeId: office } : {}), detail: { offices: doc.offices, journals: doc.journals.length, bytes: file.length } });
    const stamp = doc.createdAt.replace(/[:.]/g, '-');
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Disposition', `attachment; filename="giliran-backup-${office ?? 'all'}-${stamp}.json.gz"`);
    res.send(file);
  });

  r.post('/api/v1/admin/restore', express.raw({ type: () => true, limit: '512mb' }), async (req, res) => {
    const p = requireEveryOfficeAdmin(ctx, req);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let decoded;
    try {
      decoded = await decodeBackup(body);
    } catch (err) {
      if (err instanceof BackupError) throw HttpError.of('invalid_backup', [{ path: err.where, message: err.message }]);
      throw err;
    }
    if (!(await isFreshInstall(ctx.store, ctx.settings.dataDir))) throw HttpError.of('restore_not_fresh');
    const result: RestoreResult = await restoreBackup(decoded, { store: ctx.store, queue: ctx.queue, dataDir: ctx.settings.dataDir });
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'backup_restored', detail: { offices: result.offices, journals: result.journals, tickets: result.tickets } });
    res.json(result);
  });

  // ------------------------------------------------------------ logo

  /** Sets office.logo through the configuration, then every screen of the office gets the office again (the live `office` event). */
  const setLogo = async (office: string, logo: string | null): Promise<void> => {
    const before = ctx.queue.office(office);
    if (!before) return;
    await ctx.store.config.update((c) => {
      const o = c.offices.find((x) => x.id === office);
      if (o) o.logo = logo;
    });
    await ctx.queue.configChanged(office, before, officeRevision(ctx.store.config.get(), office));
  };

  r.post('/api/v1/admin/offices/:office/logo', express.raw({ type: () => true, limit: LOGO_MAX_BYTES + 1024 }), async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    const declared = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(declared in LOGO_EXT)) throw HttpError.of('unsupported_media_type');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length > LOGO_MAX_BYTES) throw HttpError.of('payload_too_large');
    const sniffed = sniffImage(body);
    if (sniffed === null || sniffed !== declared) throw HttpError.of('unsupported_media_type');
    const ext = LOGO_EXT[sniffed];
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const dir = path.join(ctx.settings.dataDir, 'offices', office);
    await mkdir(dir, { recursive: true });
    await writeFileDurably(logoFile(ctx.settings.dataDir, office, ext), body);
    for (const other of Object.values(LOGO_EXT)) if (other !== ext) await rm(logoFile(ctx.settings.dataDir, office, other), { force: true });
    const logo = `/api/v1/offices/${office}/logo?v=${hash}`;
    await setLogo(office, logo);
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'office_logo_set', officeId: office, detail: { type: sniffed, bytes: body.length, hash } });
    res.json({ logo } satisfies LogoResponse);
  });

  r.delete('/api/v1/admin/offices/:office/logo', async (req, res) => {
    const office = officeOf(req);
    const p = requireOfficeStaff(ctx, req, office, ['admin']);
    for (const ext of Object.values(LOGO_EXT)) await rm(logoFile(ctx.settings.dataDir, office, ext), { force: true });
    await setLogo(office, null);
    await ctx.store.audit.append({ at: at(), actor: actorOf(p), action: 'office_logo_removed', officeId: office });
    res.status(204).end();
  });

  /** Public, like the office's other screen data: the logo the display and kiosk show. */
  r.get('/api/v1/offices/:office/logo', async (req, res) => {
    const office = officeOf(req);
    if (!ctx.queue.office(office)) throw HttpError.of('office_not_found');
    for (const [ext, type] of Object.entries(EXT_TYPE)) {
      let data: Buffer;
      try {
        data = await readFile(logoFile(ctx.settings.dataDir, office, ext));
      } catch {
        continue;
      }
      const etag = `"${createHash('sha256').update(data).digest('hex').slice(0, 16)}"`;
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('ETag', etag);
      // The URL carries ?v=<hash>: a new logo is a new URL, so this one may be kept long.
      res.setHeader('Cache-Control', typeof req.query.v === 'string' ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
      res.setHeader('Content-Security-Policy', "default-src 'none'");
      if (req.headers['if-none-match'] === etag) return void res.status(304).end();
      res.type(type).send(data);
      return;
    }
    throw HttpError.of('not_found');
  });

  return r;
}

/** An admin of every office (offices ['*']): the whole-install backup and the restore. */
function requireEveryOfficeAdmin(ctx: HttpContext, req: Request): StaffPrincipal {
  const p = principalOf(ctx, req);
  if (!p) throw HttpError.of('unauthenticated');
  if (p.kind !== 'user' || p.user.role !== 'admin' || !p.user.offices.includes('*')) throw HttpError.of('forbidden');
  return p;
}
