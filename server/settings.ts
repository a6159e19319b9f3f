// Process settings: environment variables for what differs per machine, an
// optional JSON file for the rest. Office data (services, counters, users)
// lives in the data folder and is changed through the API.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const fileSchema = z.strictObject({
  /** The address citizens' phones use to reach this server (QR codes on tickets). */
  publicUrl: z.url().optional(),
  /** Screens opened on this machine itself count as paired demo devices. */
  trustLoopbackDevices: z.boolean().default(true),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  sessionHours: z.number().positive().max(24 * 30).default(12),
  loginAttempts: z.number().int().min(1).max(1000).default(5),
  /** log2 of scrypt's N for password hashes: 17 is OWASP's minimum; stored hashes below it are upgraded at sign-in. */
  passwordCost: z.number().int().min(10).max(20).default(17),
  /**
   * Host names (or addresses) this server is reached by, besides localhost, the machine's own
   * addresses and host name, and publicUrl's host: only these get loopback trust and pass the
   * Origin check (DNS rebinding). "*" accepts any.
   */
  allowedHosts: z.array(z.string().trim().min(1).max(253).regex(/^(\*|[A-Za-z0-9.\-:[\]]+)$/, 'a host name, an address or "*"')).max(100).default([]),
  /** Open `/track` (phone) sockets one address may hold; more are refused (rate_limited). Phones behind one NAT share an address. */
  publicSocketsPerAddress: z.number().int().min(1).max(100_000).default(200),
  /** New `/track` connections one address may open a minute (each is sent the day's snapshot). */
  publicConnectsPerAddressPerMinute: z.number().int().min(1).max(1_000_000).default(600),
  /** Snapshots one socket may ask for with `resync`: a burst of this many, then one per `resyncEveryMs`. */
  resyncBurst: z.number().int().min(1).max(1000).default(3),
  resyncEveryMs: z.number().int().min(0).max(600_000).default(2_000),
  /** Tickets one kiosk may issue per minute (flood protection). */
  ticketsPerDevicePerMinute: z.number().int().min(1).max(10_000_000).default(30),
  /** Size limit of a JSON request body. */
  bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/).default('16kb'),
});

export type FileSettings = z.infer<typeof fileSchema>;

export interface Settings extends FileSettings {
  port: number;
  host: string;
  dataDir: string;
  /** GILIRAN_DATABASE_URL: postgres://… switches the store from the files in dataDir to PostgreSQL (central deployments). */
  databaseUrl: string | null;
  configFile: string | null;
  demoPassword: string | null;
  /** Folder of the built pages (vite build output). */
  distDir: string;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const configFile = env.GILIRAN_CONFIG ?? null;
  let raw: unknown = {};
  if (configFile) {
    try {
      raw = JSON.parse(readFileSync(configFile, 'utf8'));
    } catch (err) {
      throw new Error(`Cannot read GILIRAN_CONFIG=${configFile}: ${(err as Error).message}`);
    }
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid settings in ${configFile}:\n${lines.join('\n')}`);
  }
  const databaseUrl = env.GILIRAN_DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('GILIRAN_DATABASE_URL must be a postgres:// URL');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const fromEnv: Partial<FileSettings> = {};
  if (env.GILIRAN_LOG_LEVEL) fromEnv.logLevel = fileSchema.shape.logLevel.parse(env.GILIRAN_LOG_LEVEL);
  if (env.GILIRAN_PUBLIC_URL) fromEnv.publicUrl = env.GILIRAN_PUBLIC_URL;
  if (env.GILIRAN_TRUST_LOOPBACK) fromEnv.trustLoopbackDevices = env.GILIRAN_TRUST_LOOPBACK !== 'false';
  if (env.GILIRAN_ALLOWED_HOSTS !== undefined) {
    const hosts = fileSchema.shape.allowedHosts.safeParse(env.GILIRAN_ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean));
    if (!hosts.success) throw new Error(`GILIRAN_ALLOWED_HOSTS: ${hosts.error.issues.map((i) => i.message).join('; ')}`);
    fromEnv.allowedHosts = hosts.data;
  }
  return {
    ...parsed.data,
    ...fromEnv,
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(cwd, env.GILIRAN_DATA ?? 'data'),
    databaseUrl,
    configFile,
    demoPassword: env.GILIRAN_DEMO_PASSWORD ?? null,
    distDir: path.resolve(env.GILIRAN_DIST ?? path.join(import.meta.dirname, '..', 'dist')),
  };
}
