// Process settings: environment variables for what differs per machine, an
// optional JSON file for the rest. Office data (services, counters, users)
// lives in the data folder and is changed through the API.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Push services browsers use: only these may be a subscription's endpoint (no requests to arbitrary addresses). */
export const PUSH_SERVICE_HOSTS = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'push.services.mozilla.com', '.notify.windows.com', '.push.apple.com'];

const secretText = z.string().min(16, 'at least 16 characters').max(512);
const notifySchema = z.strictObject({
  /** Generic JSON webhook provider (WhatsApp and SMS gateways): POSTs each message signed with HMAC-SHA256. */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  webhookSecret: secretText.optional(),
  /** WhatsApp Cloud API: {apiUrl}/{phoneId}/messages with a Bearer token; webhooks signed with the app secret. */
  whatsappApiUrl: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com/v21.0'),
  whatsappPhoneId: z.string().regex(/^\d{1,32}$/).optional(),
  whatsappToken: z.string().min(1).max(2048).optional(),
  whatsappAppSecret: secretText.optional(),
  /** The hub.verify_token the Cloud API's webhook set-up sends. */
  whatsappVerifyToken: z.string().min(8).max(200).optional(),
  /** An approved template for alerts sent outside a chat the citizen started: "name:language", its body taking {{1}} number, {{2}} text. */
  whatsappTemplate: z.string().regex(/^[a-z0-9_]{1,512}:[A-Za-z_]{2,10}$/).optional(),
  /** VAPID subject (a mailto: or https: address the push services may contact); default from publicUrl. */
  pushSubject: z.string().regex(/^(mailto:|https:\/\/)/).optional(),
  /** Allowed push endpoint hosts; an entry starting with "." allows its subdomains. */
  pushEndpointHosts: z.array(z.string().min(1).max(253)).max(50).default(PUSH_SERVICE_HOSTS),
  /** Subscribe requests one address may make a minute (and one ticket, a tenth of it, at least 5). */
  subscribesPerAddressPerMinute: z.number().int().min(1).max(1_000_000).default(30),
  /** A provider request that takes longer is abandoned and retried. */
  providerTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** First retry delay; each next one doubles (capped at retryMaxMs). */
  retryBaseMs: z.number().int().min(1).max(600_000).default(2_000),
  retryMaxMs: z.number().int().min(1).max(3_600_000).default(300_000),
  /** Tries of one message before it is marked failed. */
  maxAttempts: z.number().int().min(1).max(100).default(8),
});
export type NotifySettings = z.infer<typeof notifySchema>;

/** Office-box sync (server/sync, docs/sync.md): how the box ships to the central. */
const syncSchema = z.strictObject({
  /** Commits per request. */
  batchSize: z.number().int().min(1).max(500).default(500),
  /** First retry delay after a failure; doubles per failure (with jitter) up to retryMaxMs. */
  retryBaseMs: z.number().int().min(1).max(600_000).default(1_000),
  retryMaxMs: z.number().int().min(1).max(3_600_000).default(300_000),
  /** After a commit, wait this long for more before shipping them in one request. */
  lingerMs: z.number().int().min(0).max(600_000).default(1_000),
  /** With nothing to ship, look again after this long. */
  idleMs: z.number().int().min(10).max(3_600_000).default(30_000),
  requestTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
});
export type SyncSettings = z.infer<typeof syncSchema>;

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
  /** IKM survey answers one address may send a minute (phones behind the office Wi-Fi share one). */
  surveysPerAddressPerMinute: z.number().int().min(1).max(1_000_000).default(120),
  /** Complaints one address may file a minute (phone and kiosk). */
  complaintsPerAddressPerMinute: z.number().int().min(1).max(1_000_000).default(30),
  /** Size limit of a JSON request body. */
  bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/).default('16kb'),
  /** Alerts to citizens (server/notify, docs/notify.md). Provider secrets usually come from the environment. */
  notify: notifySchema.prefault({}),
  /** The central deployment this office box ships its journals to (GILIRAN_CENTRAL_URL); none = not a box. */
  centralUrl: z.url({ protocol: /^https?$/ }).optional(),
  sync: syncSchema.prefault({}),
});

export type FileSettings = z.infer<typeof fileSchema>;

export interface Settings extends FileSettings {
  port: number;
  host: string;
  dataDir: string;
  /** GILIRAN_DATABASE_URL: postgres://… switches the store from the files in dataDir to PostgreSQL (central deployments). */
  databaseUrl: string | null;
  /**
   * GILIRAN_PROCESS_ID: which process of a central deployment this is (`npm run central` sets it).
   * What a process still keeps in files of its own (the notification outbox) goes under a folder
   * of that name, so processes sharing one GILIRAN_DATA never write one file together.
   */
  processId: string | null;
  /**
   * GILIRAN_PG_WRITER: how processes sharing PostgreSQL take turns writing an office's day:
   * `lease` (default, an advisory lock per office) or `optimistic` (the version key and retry
   * alone; kept for the comparison in bench/central.ts, see docs/central.md).
   */
  pgWriter: 'lease' | 'optimistic';
  configFile: string | null;
  demoPassword: string | null;
  /** Folder of the built pages (vite build output). */
  distDir: string;
  /** GILIRAN_BOX_TOKEN (comma-separated): office-box tokens besides those in <data>/sync/box-tokens.json. */
  boxTokens: string[];
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
  const processId = env.GILIRAN_PROCESS_ID?.trim() || null;
  if (processId !== null && !/^[a-z0-9][a-z0-9-]{0,31}$/.test(processId)) throw new Error('GILIRAN_PROCESS_ID must be a short name of a-z, 0-9 and -');
  const pgWriter = env.GILIRAN_PG_WRITER?.trim() || 'lease';
  if (pgWriter !== 'lease' && pgWriter !== 'optimistic') throw new Error('GILIRAN_PG_WRITER must be lease or optimistic');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const fromEnv: Partial<FileSettings> = {};
  if (env.GILIRAN_LOG_LEVEL) fromEnv.logLevel = fileSchema.shape.logLevel.parse(env.GILIRAN_LOG_LEVEL);
  if (env.GILIRAN_PUBLIC_URL) fromEnv.publicUrl = env.GILIRAN_PUBLIC_URL;
  if (env.GILIRAN_CENTRAL_URL) {
    const url = fileSchema.shape.centralUrl.safeParse(env.GILIRAN_CENTRAL_URL.trim());
    if (!url.success) throw new Error('GILIRAN_CENTRAL_URL must be an http:// or https:// URL');
    fromEnv.centralUrl = url.data;
  }
  if (env.GILIRAN_TRUST_LOOPBACK) fromEnv.trustLoopbackDevices = env.GILIRAN_TRUST_LOOPBACK !== 'false';
  if (env.GILIRAN_ALLOWED_HOSTS !== undefined) {
    const hosts = fileSchema.shape.allowedHosts.safeParse(env.GILIRAN_ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean));
    if (!hosts.success) throw new Error(`GILIRAN_ALLOWED_HOSTS: ${hosts.error.issues.map((i) => i.message).join('; ')}`);
    fromEnv.allowedHosts = hosts.data;
  }
  if (databaseUrl !== null && (fromEnv.centralUrl ?? parsed.data.centralUrl)) throw new Error('GILIRAN_CENTRAL_URL is for an office box on the embedded store: a server on GILIRAN_DATABASE_URL is a central itself');
  const notify = notifyFromEnv(parsed.data.notify, env);
  return {
    ...parsed.data,
    ...fromEnv,
    notify,
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(cwd, env.GILIRAN_DATA ?? 'data'),
    databaseUrl,
    processId,
    pgWriter,
    configFile,
    demoPassword: env.GILIRAN_DEMO_PASSWORD ?? null,
    boxTokens: (env.GILIRAN_BOX_TOKEN ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    distDir: path.resolve(env.GILIRAN_DIST ?? path.join(import.meta.dirname, '..', 'dist')),
  };
}

const NOTIFY_ENV = {
  GILIRAN_NOTIFY_WEBHOOK_URL: 'webhookUrl',
  GILIRAN_NOTIFY_WEBHOOK_SECRET: 'webhookSecret',
  GILIRAN_WHATSAPP_API_URL: 'whatsappApiUrl',
  GILIRAN_WHATSAPP_PHONE_ID: 'whatsappPhoneId',
  GILIRAN_WHATSAPP_TOKEN: 'whatsappToken',
  GILIRAN_WHATSAPP_APP_SECRET: 'whatsappAppSecret',
  GILIRAN_WHATSAPP_VERIFY_TOKEN: 'whatsappVerifyToken',
  GILIRAN_WHATSAPP_TEMPLATE: 'whatsappTemplate',
  GILIRAN_PUSH_SUBJECT: 'pushSubject',
} as const satisfies Record<string, keyof NotifySettings>;

/** Provider settings from the environment override the file's; each is validated as the file's field is. */
function notifyFromEnv(fromFile: NotifySettings, env: NodeJS.ProcessEnv): NotifySettings {
  const out: NotifySettings = { ...fromFile };
  for (const [name, field] of Object.entries(NOTIFY_ENV)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const r = notifySchema.shape[field].safeParse(v);
    // The value itself is never echoed: it may be a token.
    if (!r.success) throw new Error(`${name}: ${r.error.issues.map((i) => i.message).join('; ')}`);
    (out as Record<string, unknown>)[field] = r.data;
  }
  if (!!out.webhookUrl !== !!out.webhookSecret) throw new Error('GILIRAN_NOTIFY_WEBHOOK_URL and GILIRAN_NOTIFY_WEBHOOK_SECRET go together (notify.webhookUrl and notify.webhookSecret)');
  return out;
}
