// Builds the whole server (store, queue, HTTP, Socket.IO) without listening,
// so tests can start it on an ephemeral port and main.ts can start it for real.
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Server } from 'socket.io';
import { apiError } from '../protocol/errors.ts';
import type { AllClientToServer, AllServerToClient, InterServerEvents } from '../protocol/events.ts';
import { nikMaskingAudit } from './auth/audit.ts';
import { AuthService, SESSION_COOKIE } from './auth/auth-service.ts';
import { hashPassword } from './auth/passwords.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import type { HttpContext } from './http/context.ts';
import { createDevices } from './devices/index.ts';
import { ADMIN_BODY_LIMIT, adminConfigRouter } from './http/admin-config.ts';
import { DevicePresence, adminOpsRouter, passwordChangeGate } from './http/admin-ops.ts';
import { devicesRouter } from './http/devices.ts';
import { citizenLane, type LaneMiddleware } from './http/citizen-lane.ts';
import { errorHandler, sendError, sendErrorOf } from './http/errors.ts';
import { jsonBody } from './http/json-body.ts';
import { openApiDocument } from './http/openapi.ts';
import { kioskRouter } from './http/kiosk.ts';
import { metricsRouter } from './http/metrics.ts';
import { notifyRouter } from './http/notify.ts';
import { queueRouter } from './http/queue.ts';
import { reportsRouter } from './http/reports.ts';
import { sessionRouter } from './http/session.ts';
import { trackRouter } from './http/track.ts';
import { surveyRouter } from './http/survey.ts';
import { complaintsRouter } from './http/complaints.ts';
import { ComplaintService } from './complaint-service.ts';
import type { Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { createNotify, type NotifyService } from './notify/index.ts';
import { QueueService } from './queue-service.ts';
import { ReportService } from './report-service.ts';
import { attachRealtime } from './realtime/index.ts';
import { sameOrigin } from './realtime/handshake.ts';
import { trackRoom } from './realtime/track.ts';
import type { GiliranIo, SocketData } from './realtime/types.ts';
import { demoSeed } from './seed/index.ts';
import type { Settings } from './settings.ts';
import { openLowdbStore } from './store/lowdb-store.ts';
import { TrackService } from './track-service.ts';
import { BookingService, DEFAULT_BOOKING_OPTIONS, type BookingOptions } from './booking-service.ts';
import { bookingRouter, citizenLaneRoutes } from './http/booking.ts';
import { loadPgSecrets, loadSecrets, type Secrets } from './store/secrets.ts';
import { SYNC_BODY_LIMIT } from '../protocol/sync.ts';
import { SyncAgent } from './sync/agent.ts';
import { syncRouter } from './sync/central.ts';
import { readBoxTokens } from './sync/tokens.ts';
import { openPgStore } from './store/pg-store.ts';
import type { Store } from './store/types.ts';
import { VERSION } from './version.ts';

export { VERSION };

export interface Giliran {
  settings: Settings;
  store: Store;
  queue: QueueService;
  auth: AuthService;
  /** The server's secrets (holder keys). */
  secrets: Secrets;
  /** Alerts to citizens (server/notify). */
  notify: NotifyService;
  /** Online booking (server/booking-service.ts, docs/booking.md). */
  booking: BookingService;
  /** Complaints (pengaduan): filing, answers, the contact sweep. */
  complaints: ComplaintService;
  /** The office box's shipping to the central (server/sync): set when GILIRAN_CENTRAL_URL and a box token are. */
  sync: SyncAgent | null;
  http: HttpServer;
  /** Requests the citizens' lane answered (server/http/citizen-lane.ts). */
  readonly citizenLaneAnswered: number;
  io: GiliranIo;
  /** Set when this start created the data folder: the demo password, to print once. */
  seededPassword: { password: string; generated: boolean } | null;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface CreateOptions {
  settings: Settings;
  log: Logger;
  /** Injected clock (tests of the daily reset). */
  now?: () => Date;
  /** Booking's proof-of-work cost and rate limits (tests make the work small). */
  booking?: Partial<BookingOptions>;
  /** false: the booking rush's requests go through Express too (test/citizen-lane.test.ts compares both ways). */
  citizenLane?: boolean;
}

export async function createGiliran({ settings, log, now = () => new Date(), booking: bookingOptions, citizenLane: citizenLaneOn = true }: CreateOptions): Promise<Giliran> {
  let seededPassword: Giliran['seededPassword'] = null;
  const seed = async () => {
    const made = await demoSeed(settings.demoPassword, (p) => hashPassword(p, settings.passwordCost));
    seededPassword = { password: made.password, generated: made.generated };
    return made.data;
  };
  const pgOpened = settings.databaseUrl ? await openPgStore({ databaseUrl: settings.databaseUrl, seed, writerLease: settings.pgWriter === 'lease', now }) : null;
  const opened = pgOpened ?? (await openLowdbStore({ dataDir: settings.dataDir, seed }));
  // A central deployment's processes share one set of secrets (a holder key made by one verifies on another).
  const secrets = pgOpened ? await loadPgSecrets(pgOpened.store.pool) : await loadSecrets(settings.dataDir);
  // No audit line may hold a whole NIK (one typed into the username, say).
  const store: Store = { ...opened.store, audit: nikMaskingAudit(opened.store.audit) };
  const queue = new QueueService(store, log, now);
  const metrics = new Metrics(queue);
  const reports = new ReportService(store, now, log);
  reports.listen(queue);
  const notify = await createNotify({ settings, queue, store, ...(pgOpened ? { pgPool: pgOpened.store.pool } : {}), secrets, log, now });
  const auth = new AuthService(
    store,
    { trustLoopbackDevices: settings.trustLoopbackDevices, sessionHours: settings.sessionHours, loginAttempts: settings.loginAttempts, passwordCost: settings.passwordCost, allowedHosts: settings.allowedHosts, publicUrl: settings.publicUrl },
    now,
  );
  const issueLimiter = new RateLimiter(settings.ticketsPerDevicePerMinute, 60_000);
  // Phones' views, with the holder's alert status (C3/C4).
  const track = new TrackService(queue, secrets, { notifyStatusOf: notify.statusOf });
  const ctx: HttpContext = { settings, store, queue, auth, issueLimiter, log, secrets, track };
  const booking = new BookingService(queue, secrets, log, { ...DEFAULT_BOOKING_OPTIONS, ...bookingOptions });
  // Reminders and block notices through the notify outbox (docs/booking.md "Reminders").
  booking.onPhone = (officeId, b, number) => notify.bookingPhone(officeId, b, number);
  booking.onChanged = (officeId, old, now) => notify.bookingChanged(officeId, old, now);
  booking.onBlocked = (office, bookings) => {
    notify.bookingsBlocked(office, bookings).catch((err: unknown) => log.error({ err, office: office.id }, 'notify: telling the holders of a blocked slot failed'));
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Every answer's security headers, the origin check, no-store on the API and (below) the JSON body parser:
  // named, because the citizens' lane (server/http/citizen-lane.ts) runs these same functions.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'data:'],
        connectSrc: ["'self'"],
        // Workers from this origin only: the tracking page's service worker, /t/sw.js.
        workerSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
      },
    },
    // Offices run on plain HTTP inside their LAN: never force HTTPS on them.
    strictTransportSecurity: false,
  }) as LaneMiddleware;
  // A state-changing request from another site's page is refused (with SameSite=Strict cookies, two locks).
  const sameOriginOnly: LaneMiddleware = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (!sameOrigin(req.headers.origin, req.headers.host, auth.hosts)) return sendError(res, apiError('bad_origin'));
    next();
  };
  // API answers may carry a session's data (queue, audit, metrics): never kept by a browser or proxy.
  // A route that may be cached (the QR images) sets its own header over this one.
  const noStore: LaneMiddleware = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  const jsonBodyOf = jsonBody(settings.bodyLimit);
  app.use(securityHeaders);
  app.use(sameOriginOnly);
  app.use('/api', noStore);
  // Before the JSON parser: provider callbacks are verified over their raw bytes.
  app.use(notifyRouter(ctx, notify));
  // An admin section (all services with their requirement lists) outgrows the queue's small body limit.
  app.use('/api/v1/admin', express.json({ limit: ADMIN_BODY_LIMIT, strict: true }));
  // An office box's batch of commits (server/sync) outgrows it too.
  app.use('/api/v1/sync', express.json({ limit: SYNC_BODY_LIMIT, strict: true }));
  app.use(jsonBodyOf);

  const started = Date.now();
  app.get('/healthz', (_req, res) => {
    // The process is live even when one office's journal is damaged; that office is named (the others keep working).
    const unavailable = queue.unavailableOffices();
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000), version: VERSION, ...(unavailable.length > 0 ? { unavailableOffices: unavailable } : {}) });
  });
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  // A session whose password an admin set may only change it (and sign out) until it does.
  app.use(passwordChangeGate(ctx));
  app.use(sessionRouter(ctx));
  // Before the other routers: a rush of holds when a booking day opens does not walk every other route first.
  app.use(bookingRouter(ctx, booking));
  app.use(queueRouter(ctx));
  app.use(devicesRouter(ctx));
  app.use(kioskRouter(ctx));
  app.use(trackRouter(ctx));
  const complaints = new ComplaintService(store, log, now);
  complaints.onChanged = (office, before, after) => {
    notify.complaintChanged(office, before, after).catch((err: unknown) => log.error({ err, office: office.id }, 'notify: telling a complaint\'s citizen failed'));
  };
  app.use(surveyRouter(ctx));
  app.use(complaintsRouter(ctx, complaints));
  app.use(metricsRouter(ctx, metrics));
  app.use(adminConfigRouter(ctx));
  app.use(reportsRouter(ctx, reports));
  let sync: SyncAgent | null = null;
  app.use(syncRouter(ctx, () => sync));
  const presence = new DevicePresence(now);
  let hub: ReturnType<typeof createDevices>['hub'] | null = null;
  app.use(
    adminOpsRouter(ctx, {
      presence,
      get devices() {
        if (!hub) throw new Error('devices not started');
        return hub;
      },
    }),
  );
  app.use('/api', (_req: Request, res: Response) => sendError(res, apiError('not_found')));

  if (existsSync(settings.distDir)) {
    // A receipt's QR: /t/<office>/<day>/<number>[?k=KEY] is the tracking page (the page reads the address).
    const trackDir = path.join(settings.distDir, 'track');
    app.get('/t/sw.js', (_req, res) => {
      // Checked for a new version on every visit; its scope is the tracking pages only.
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Service-Worker-Allowed', '/t/');
      res.sendFile('sw.js', { root: trackDir, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
    });
    app.get(/^\/t\/[^/]+\/\d{4}-\d{2}-\d{2}\/[A-Za-z0-9]{1,12}\/?$/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile('index.html', { root: trackDir });
    });
    app.use('/assets', precompressed(path.join(settings.distDir, 'assets')));
    app.use(express.static(settings.distDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheHtml }));
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('Giliran: the pages are not built yet. Run `npm run build` (or `npm start`).\n');
    });
  }
  app.use((_req: Request, res: Response) => sendError(res, apiError('not_found')));
  app.use(errorHandler(log));

  // The booking rush's requests skip Express's router, through the same middleware and handlers (server/http/citizen-lane.ts).
  const lane = citizenLane({
    prelude: [securityHeaders, sameOriginOnly, noStore, jsonBodyOf],
    routes: citizenLaneRoutes(ctx, booking),
    onError: (err, res) => sendErrorOf(log, err, res),
    // A request with a session runs the whole chain (the password-change gate is the session's).
    skip: (req) => !citizenLaneOn || (req.headers.cookie?.includes(`${SESSION_COOKIE}=`) ?? false),
  });
  const http = createServer((req, res) => {
    if (!lane(req, res)) app(req, res);
  });
  const io: GiliranIo = new Server<AllClientToServer, AllServerToClient, InterServerEvents, SocketData>(http, { serveClient: false, cors: { origin: false }, pingInterval: 10_000, pingTimeout: 8_000 });
  const devices = createDevices({ settings, store, queue, log, listenAddress: () => http.address(), holderKeyOf: (officeId, ticketId) => track.keyOf(officeId, ticketId) }, io);
  hub = devices.hub;
  const realtime = attachRealtime(io, { queue, auth, issueLimiter, devices: devices.hub, log, limits: settings, secrets, track });
  presence.attach(io);
  metrics.attach(io);
  devices.start();
  // The open page as a channel: a phone of the ticket has its /track socket connected now.
  const trackRooms = io.of('/track').adapter.rooms;
  notify.setPageProbe((o, t) => (trackRooms.get(trackRoom(o, t, true))?.size ?? 0) + (trackRooms.get(trackRoom(o, t, false))?.size ?? 0) > 0);
  notify.setStatusListener((o, t) => realtime.track.notifyChanged(o, t));
  await notify.start();
  if (settings.centralUrl) {
    const tokens = [...settings.boxTokens, ...(await readBoxTokens(settings.dataDir)).tokens.map((t) => t.token)];
    if (tokens.length > 0) {
      sync = new SyncAgent({ centralUrl: settings.centralUrl, tokens: [...new Set(tokens)], store, queue, dataDir: settings.dataDir, log, now, ...settings.sync });
      await sync.start();
    } else log.warn('GILIRAN_CENTRAL_URL is set but this box has no token: pair it first (docs/sync.md)');
  }

  return {
    settings,
    store,
    queue,
    auth,
    secrets,
    notify,
    booking,
    complaints,
    get sync() {
      return sync;
    },
    http,
    get citizenLaneAnswered() {
      return lane.answered;
    },
    io,
    get seededPassword() {
      return seededPassword;
    },
    listen(port = settings.port, host = settings.host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          queue.startTimers();
          booking.startTimers();
          complaints.startTimers(() => queue.offices());
          const a = http.address() as AddressInfo;
          const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          resolve(`http://${h === '0.0.0.0' ? '127.0.0.1' : h}:${a.port}`);
        });
      });
    },
    async close() {
      await sync?.close();
      queue.stopTimers();
      booking.stopTimers();
      complaints.stopTimers();
      metrics.close();
      await devices.close();
      realtime.close();
      io.disconnectSockets(true);
      // io.close() closes the HTTP server, whose callback waits for every connection to end: a
      // browser still open keeps one, so cut them all at once rather than after.
      const closed = new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      http.closeAllConnections();
      await closed;
      await auth.close();
      await notify.close();
      await store.close();
    },
  };
}

/**
 * Serves an asset's .gz twin (written by scripts/build.mjs) to a browser that
 * accepts gzip: a phone's first load of the tracking page is ~30 KB instead
 * of ~75 KB. Hashed names: cached like the plain files.
 */
function precompressed(dir: string) {
  const known = new Map<string, boolean>();
  return (req: Request, res: Response, next: NextFunction) => {
    const ext = path.extname(req.path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (ext !== '.js' && ext !== '.css') || !/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return next();
    const name = path.basename(req.path);
    let has = known.get(name);
    if (has === undefined) known.set(name, (has = existsSync(path.join(dir, `${name}.gz`))));
    if (!has) return next();
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Content-Encoding', 'gzip');
    res.type(ext);
    res.sendFile(`${name}.gz`, { root: dir, maxAge: '1h' });
  };
}

function noCacheHtml(res: Response, file: string): void {
  // Pages must pick up a new build at once; hashed assets may be cached.
  if (path.extname(file) === '.html') res.setHeader('Cache-Control', 'no-cache');
}
