// The admin console's operations API: staff accounts, devices and their
// printers, backup and restore, the office logo, and the signed-in user's own
// password change. Request bodies are validated with these schemas on the
// server; pages import the inferred types only (no zod in a page bundle).
import { z } from 'zod';
import { printResultSchema, printerStatusSchema } from './device-schemas.ts';
import { DEVICE_KINDS, ROLES } from './model.ts';

const instant = z.string().meta({ format: 'date-time' });

// ------------------------------------------------------------------ passwords

/** The rules every password chosen by a person follows (generated ones are longer). */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** POST /api/v1/session/password: the signed-in user changes their own password. */
export const passwordChangeSchema = z
  .strictObject({
    current: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    next: z.string().min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH),
  })
  .meta({ id: 'PasswordChange' });

// ------------------------------------------------------------------ staff

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, '3 to 32 letters, digits, dots, dashes or underscores');

const personName = z.string().trim().min(1).max(80);

/** One staff account as the admin console lists it (never its password or hash). */
export const staffMemberSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    disabled: z.boolean(),
    mustChangePassword: z.boolean().describe('Signed-in sessions of this account may only change the password until it is changed.'),
    offices: z.array(z.string()).describe('Office ids this user works for; ["*"] for every office.'),
  })
  .meta({ id: 'StaffMember' });

/** GET /api/v1/admin/offices/{office}/staff */
export const staffListSchema = z.object({ staff: z.array(staffMemberSchema) }).meta({ id: 'StaffList' });

/** POST /api/v1/admin/offices/{office}/staff: the account works for that office. */
export const staffCreateSchema = z
  .strictObject({ username: usernameSchema, name: personName, role: z.enum(ROLES) })
  .meta({ id: 'StaffCreate' });

/** A generated password, shown this once (stored only as a hash, never logged). */
const oneTimePassword = z.string().describe('Generated password, shown once: the account must change it at its first sign-in.');

export const staffCreatedSchema = z.object({ user: staffMemberSchema, password: oneTimePassword }).meta({ id: 'StaffCreated' });

/** PATCH /api/v1/admin/offices/{office}/staff/{id} */
export const staffPatchSchema = z
  .strictObject({ name: personName.optional(), role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
  .refine((p) => p.name !== undefined || p.role !== undefined || p.disabled !== undefined, 'name, role or disabled')
  .meta({ id: 'StaffPatch' });

export const staffResponseSchema = z.object({ user: staffMemberSchema }).meta({ id: 'StaffResponse' });

/** POST /api/v1/admin/offices/{office}/staff/{id}/reset-password */
export const passwordResetSchema = z.object({ password: oneTimePassword }).meta({ id: 'PasswordReset' });

// ------------------------------------------------------------------ devices

/** Printer target forms (server/devices/config.ts parses them): tcp://HOST[:PORT][?width=58|80&status=off], usb://VID:PID, agent://DEVICE_ID. */
export const printerTargetSchema = z
  .string()
  .trim()
  .max(300)
  .regex(/^(tcp|usb|agent):\/\/\S+$/, 'tcp://HOST:PORT, usb://VID:PID or agent://DEVICE_ID')
  .describe('tcp://HOST[:PORT][?width=58|80&status=off], usb://VID:PID (hex) or agent://AGENT_DEVICE_ID.');

export const pendingDeviceSchema = z
  .object({
    code: z.string().regex(/^\d{6}$/).describe('The 6-digit code the screen shows.'),
    kind: z.enum(DEVICE_KINDS),
    name: z.string(),
    requestedAt: instant,
    address: z.string().describe('The network address the request came from.'),
  })
  .meta({ id: 'PendingDevice' });

export const devicePrinterSchema = z
  .object({
    target: z.string().nullable().describe('The printer this device prints on now (an env override shows here), or null for none.'),
    source: z
      .enum(['config', 'env'])
      .nullable()
      .describe('"config": set from the admin console; "env": from GILIRAN_PRINTERS or GILIRAN_PRINTER (which win over the configuration); null: none.'),
    status: printerStatusSchema.nullable().describe('The printer state last seen; null when not known.'),
  })
  .meta({ id: 'DevicePrinter' });

export const pairedDeviceSchema = z
  .object({
    id: z.string(),
    kind: z.enum(DEVICE_KINDS),
    name: z.string(),
    createdAt: instant,
    approvedBy: z.string().describe('Username of the approving admin.'),
    lastSeen: instant.nullable().describe('When a socket of this device last connected or left; null = not since the server started.'),
    online: z.boolean().describe('A socket of this device is connected now.'),
    printer: devicePrinterSchema.nullable().describe('Kiosks and agents: the printer; displays: null.'),
  })
  .meta({ id: 'PairedDevice' });

/** GET /api/v1/admin/offices/{office}/devices */
export const adminDeviceListSchema = z
  .object({
    pending: z.array(pendingDeviceSchema).describe('Pairing requests waiting for approval (a request names no office until approved: every office admin sees them).'),
    paired: z.array(pairedDeviceSchema),
  })
  .meta({ id: 'AdminDeviceList' });

/** POST /api/v1/admin/offices/{office}/devices/pairings/{code}/approve */
export const deviceApproveSchema = z.strictObject({ name: z.string().trim().min(1).max(80) }).meta({ id: 'DeviceApprove' });

export const pairedDeviceResponseSchema = z.object({ device: pairedDeviceSchema }).meta({ id: 'PairedDeviceResponse' });

/** PUT /api/v1/admin/offices/{office}/devices/{id}/printer */
export const devicePrinterSetSchema = z.strictObject({ target: printerTargetSchema.nullable() }).meta({ id: 'DevicePrinterSet' });

export const devicePrinterResponseSchema = z.object({ printer: devicePrinterSchema }).meta({ id: 'DevicePrinterResponse' });

/** POST /api/v1/admin/offices/{office}/devices/{id}/test-print */
export const testPrintResponseSchema = z.object({ result: printResultSchema }).meta({ id: 'TestPrintResult' });

// ------------------------------------------------------------------ backup and restore

export const BACKUP_FORMAT = 'giliran-backup';
export const BACKUP_VERSION = 1;

/** One text file of the data folder (journals are JSONL, one commit or audit entry a line). */
const textFile = z.strictObject({
  path: z
    .string()
    .max(300)
    .regex(/^(offices\/[A-Za-z0-9._-]+\/days\/[A-Za-z0-9._-]+\.jsonl|audit\/[A-Za-z0-9._-]+\.jsonl)$/, 'offices/<office>/days/<day>.jsonl or audit/<day>.jsonl'),
  text: z.string(),
});

/** One binary file (the logos), base64. */
const binaryFile = z.strictObject({
  path: z
    .string()
    .max(300)
    .regex(/^offices\/[A-Za-z0-9._-]+\/logo\.(png|jpg|webp)$/, 'offices/<office>/logo.(png|jpg|webp)'),
  base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
});

/**
 * The backup file (GET /api/v1/admin/backup, `npm run backup`): this document
 * as JSON, gzip-compressed. `config` is the data folder's config.json (users
 * with their password hashes, devices with their token hashes: keep the file
 * as safe as the server); sessions are left out (everyone signs in again).
 */
export const backupDocumentSchema = z
  .strictObject({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(BACKUP_VERSION),
    createdAt: instant,
    appVersion: z.string(),
    /** The offices it holds: ['*'] = the whole data folder. */
    offices: z.array(z.string()).min(1),
    config: z.unknown().describe('config.json; validated with the server configuration schema on restore.'),
    journals: z.array(textFile),
    files: z.array(binaryFile),
  })
  .meta({ id: 'BackupDocument' });

export const restoreResultSchema = z
  .object({
    offices: z.array(z.string()).describe('Office ids restored.'),
    journals: z.number().int().min(0).describe('Journal files written (office days and audit days).'),
    tickets: z.number().int().min(0).describe('Tickets in the restored office-day journals.'),
    restart: z.literal(false).describe('The running server reloaded what was restored: no restart needed.'),
  })
  .meta({ id: 'RestoreResult' });

// ------------------------------------------------------------------ logo

export const LOGO_MAX_BYTES = 200 * 1024;
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** POST /api/v1/admin/offices/{office}/logo (raw image body) */
export const logoResponseSchema = z
  .object({ logo: z.string().describe('The office\'s new `logo`: /api/v1/offices/{office}/logo?v=<hash>.') })
  .meta({ id: 'LogoResponse' });

// ------------------------------------------------------------------ types

export type PasswordChange = z.infer<typeof passwordChangeSchema>;
export type StaffMember = z.infer<typeof staffMemberSchema>;
export type StaffList = z.infer<typeof staffListSchema>;
export type StaffCreate = z.infer<typeof staffCreateSchema>;
export type StaffCreated = z.infer<typeof staffCreatedSchema>;
export type StaffPatch = z.infer<typeof staffPatchSchema>;
export type StaffResponse = z.infer<typeof staffResponseSchema>;
export type PasswordReset = z.infer<typeof passwordResetSchema>;
export type PendingDevice = z.infer<typeof pendingDeviceSchema>;
export type DevicePrinter = z.infer<typeof devicePrinterSchema>;
export type PairedDevice = z.infer<typeof pairedDeviceSchema>;
export type AdminDeviceList = z.infer<typeof adminDeviceListSchema>;
export type DeviceApprove = z.infer<typeof deviceApproveSchema>;
export type PairedDeviceResponse = z.infer<typeof pairedDeviceResponseSchema>;
export type DevicePrinterSet = z.infer<typeof devicePrinterSetSchema>;
export type DevicePrinterResponse = z.infer<typeof devicePrinterResponseSchema>;
export type TestPrintResponse = z.infer<typeof testPrintResponseSchema>;
export type BackupDocument = z.infer<typeof backupDocumentSchema>;
export type RestoreResult = z.infer<typeof restoreResultSchema>;
export type LogoResponse = z.infer<typeof logoResponseSchema>;
export type LogoType = (typeof LOGO_TYPES)[number];
