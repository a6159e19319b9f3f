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
import { AuthService } from './auth/auth-service.ts';
import { hashPassword } from './auth/passwords.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import type { HttpContext } from './http/context.ts';
import { createDevices } from './devices/index.ts';
import { devicesRouter } from './http/devices.ts';
import { errorHandler, sendError } from './http/errors.ts';
import { openApiDocument } from './http/openapi.ts';
import { kioskRouter } from './http/kiosk.ts';
import { metricsRouter } from './http/metrics.ts';
import { queueRouter } from './http/queue.ts';
import { sessionRouter } from './http/session.ts';
import type { Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { QueueService } from './queue-service.ts';
import { attachRealtime } from './realtime/index.ts';
import { sameOrigin } from './realtime/handshake.ts';
import type { GiliranIo, SocketData } from './realtime/types.ts';
import { demoSeed } from './seed/index.ts';
import type { Settings } from './settings.ts';
import { openLowdbStore } from './store/lowdb-store.ts';
import { openPgStore } from './store/pg-store.ts';
import type { Store } from './store/types.ts';
import { VERSION } from './version.ts';

export { VERSION };

export interface Giliran {
  settings: Settings;
  store: Store;
  queue: QueueService;
  auth: AuthService;
  http: HttpServer;
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
}

export async function createGiliran({ settings, log, now = () => new Date() }: CreateOptions): Promise<Giliran> {
  let seededPassword: Giliran['seededPassword'] = null;
  const seed = async () => {
    const made = await demoSeed(settings.demoPassword, (p) => hashPassword(p, settings.passwordCost));
    seededPassword = { password: made.password, generated: made.generated };
    return made.data;
  };
  const opened = settings.databaseUrl ? await openPgStore({ databaseUrl: settings.databaseUrl, seed }) : await openLowdbStore({ dataDir: settings.dataDir, seed });
  // No audit line may hold a whole NIK (one typed into the username, say).
  const store: Store = { ...opened.store, audit: nikMaskingAudit(opened.store.audit) };
  const queue = new QueueService(store, log, now);
  const metrics = new Metrics(queue);
  const auth = new AuthService(
    store,
    { trustLoopbackDevices: settings.trustLoopbackDevices, sessionHours: settings.sessionHours, loginAttempts: settings.loginAttempts, passwordCost: settings.passwordCost, allowedHosts: settings.allowedHosts, publicUrl: settings.publicUrl },
    now,
  );
  const issueLimiter = new RateLimiter(settings.ticketsPerDevicePerMinute, 60_000);
  const ctx: HttpContext = { settings, store, queue, auth, issueLimiter, log };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'blob:', 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'self'"],
        },
      },
      // Offices run on plain HTTP inside their LAN: never force HTTPS on them.
      strictTransportSecurity: false,
    }),
  );
  // A state-changing request from another site's page is refused (with SameSite=Strict cookies, two locks).
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (!sameOrigin(req.headers.origin, req.headers.host, auth.hosts)) return sendError(res, apiError('bad_origin'));
    next();
  });
  // API answers may carry a session's data (queue, audit, metrics): never kept by a browser or proxy.
  // A route that may be cached (the QR images) sets its own header over this one.
  app.use('/api', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(express.json({ limit: settings.bodyLimit, strict: true }));

  const started = Date.now();
  app.get('/healthz', (_req, res) => {
    // The process is live even when one office's journal is damaged; that office is named (the others keep working).
    const unavailable = queue.unavailableOffices();
    res.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000), version: VERSION, ...(unavailable.length > 0 ? { unavailableOffices: unavailable } : {}) });
  });
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use(sessionRouter(ctx));
  app.use(queueRouter(ctx));
  app.use(devicesRouter(ctx));
  app.use(kioskRouter(ctx));
  app.use(metricsRouter(ctx, metrics));
  app.use('/api', (_req: Request, res: Response) => sendError(res, apiError('not_found')));

  if (existsSync(settings.distDir)) {
    app.use(express.static(settings.distDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheHtml }));
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('Giliran: the pages are not built yet. Run `npm run build` (or `npm start`).\n');
    });
  }
  app.use((_req: Request, res: Response) => sendError(res, apiError('not_found')));
  app.use(errorHandler(log));

  const http = createServer(app);
  const io: GiliranIo = new Server<AllClientToServer, AllServerToClient, InterServerEvents, SocketData>(http, { serveClient: false, cors: { origin: false }, pingInterval: 10_000, pingTimeout: 8_000 });
  const devices = createDevices({ settings, store, queue, log, listenAddress: () => http.address() }, io);
  const realtime = attachRealtime(io, { queue, auth, issueLimiter, devices: devices.hub, log, limits: settings });
  metrics.attach(io);
  devices.start();

  return {
    settings,
    store,
    queue,
    auth,
    http,
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
          const a = http.address() as AddressInfo;
          const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
          resolve(`http://${h === '0.0.0.0' ? '127.0.0.1' : h}:${a.port}`);
        });
      });
    },
    async close() {
      queue.stopTimers();
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
      await store.close();
    },
  };
}

function noCacheHtml(res: Response, file: string): void {
  // Pages must pick up a new build at once; hashed assets may be cached.
  if (path.extname(file) === '.html') res.setHeader('Cache-Control', 'no-cache');
}
