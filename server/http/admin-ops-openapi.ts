// The OpenAPI operations of server/http/admin-ops.ts and the password change
// (server/http/session.ts); server/http/openapi.ts adds them to the document.
import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import {
  LOGO_MAX_BYTES,
  adminDeviceListSchema,
  deviceApproveSchema,
  devicePrinterResponseSchema,
  devicePrinterSetSchema,
  logoResponseSchema,
  pairedDeviceResponseSchema,
  passwordChangeSchema,
  passwordResetSchema,
  restoreResultSchema,
  staffCreateSchema,
  staffCreatedSchema,
  staffListSchema,
  staffPatchSchema,
  staffResponseSchema,
  testPrintResponseSchema,
} from '../../protocol/admin-ops.ts';
import type { ErrorCode } from '../../protocol/errors.ts';

type Security = Array<Record<string, string[]>>;
const STAFF: Security = [{ staffSession: [] }];
const NONE: Security = [];

export interface AdminOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  operationId: string;
  tag: 'admin' | 'session';
  summary: string;
  description: string;
  security: Security;
  body?: [string, z.ZodType];
  /** A body that is not JSON: its media types (a binary string each). */
  rawBody?: { types: string[]; description: string };
  query?: z.ZodObject;
  responses: Record<string, ZodOpenApiResponseObject>;
  errors: ErrorCode[];
}

const json = (schema: z.ZodType, description: string): ZodOpenApiResponseObject => ({ description, content: { 'application/json': { schema } } });
const none = (description: string): ZodOpenApiResponseObject => ({ description });

const OFFICE_ADMIN: ErrorCode[] = ['unauthenticated', 'forbidden', 'office_not_found', 'password_change_required'];
const ADMIN_ONLY = '**Who may call it:** an admin working for this office (clerks and supervisors: 403; an admin of another office: 404 `office_not_found`, as for an office that does not exist).';

export function adminOpsOperations(): AdminOperation[] {
  const o = '/api/v1/admin/offices/{office}';
  return [
    {
      method: 'post', path: '/api/v1/session/password', operationId: 'changeOwnPassword', tag: 'session', summary: 'Change my password',
      description:
        'The signed-in user changes their own password: `current` is checked (and counted like a sign-in attempt), `next` needs at least 10 characters and must differ from the username and from `current`. Clears `mustChangePassword`; the user\'s other sessions end. While `mustChangePassword` is set this is the only staff request (besides `GET`/`DELETE /api/v1/session`) that is not refused with 403 `password_change_required`, and staff sockets are refused with the same code.',
      security: STAFF, body: ['PasswordChange', passwordChangeSchema], responses: { 204: none('Changed.') },
      errors: ['unauthenticated', 'wrong_password', 'weak_password', 'rate_limited'],
    },
    // staff
    {
      method: 'get', path: `${o}/staff`, operationId: 'listStaff', tag: 'admin', summary: 'Staff of an office',
      description: `${ADMIN_ONLY} Every account working for the office, admins of every office included. Never a password or hash.`,
      security: STAFF, responses: { 200: json(staffListSchema, 'The accounts.') }, errors: OFFICE_ADMIN,
    },
    {
      method: 'post', path: `${o}/staff`, operationId: 'createStaff', tag: 'admin', summary: 'Create a staff account',
      description: `${ADMIN_ONLY} The account works for this office. Its password is generated and returned once (stored only as a scrypt hash, never logged); it must be changed at the first sign-in. Audited.`,
      security: STAFF, body: ['StaffCreate', staffCreateSchema], responses: { 201: json(staffCreatedSchema, 'Created; the password is shown this once.') },
      errors: [...OFFICE_ADMIN, 'username_taken'],
    },
    {
      method: 'patch', path: `${o}/staff/{id}`, operationId: 'updateStaff', tag: 'admin', summary: 'Change a staff account',
      description: `${ADMIN_ONLY} Name, role, disabled. Disabling or changing the role ends the account's sessions and cuts its sockets at once. No change may leave an office without an enabled admin (409 \`last_admin\`). An account that also works for offices this admin does not: 403. Audited.`,
      security: STAFF, body: ['StaffPatch', staffPatchSchema], responses: { 200: json(staffResponseSchema, 'The account now.') },
      errors: [...OFFICE_ADMIN, 'not_found', 'last_admin'],
    },
    {
      method: 'post', path: `${o}/staff/{id}/reset-password`, operationId: 'resetStaffPassword', tag: 'admin', summary: 'Reset a password',
      description: `${ADMIN_ONLY} A new generated password, returned once; the old one stops working, the account's sessions end, and it must change the password at its next sign-in. Audited (without the password).`,
      security: STAFF, responses: { 200: json(passwordResetSchema, 'The new password, shown this once.') },
      errors: [...OFFICE_ADMIN, 'not_found'],
    },
    // devices
    {
      method: 'get', path: `${o}/devices`, operationId: 'listOfficeDevices', tag: 'admin', summary: 'Devices of an office',
      description:
        "**Who may call it:** an admin or supervisor working for this office (supervisors see `pending` empty: approving is for admins). Pending pairing requests (they name no office until approved) and the office's paired devices: online now, last seen, and a kiosk's printer: its target, where it is set (`config` from this console, `env` from GILIRAN_PRINTERS/GILIRAN_PRINTER, which win) and its last known state.",
      security: STAFF, responses: { 200: json(adminDeviceListSchema, 'The devices.') }, errors: OFFICE_ADMIN,
    },
    {
      method: 'post', path: `${o}/devices/pairings/{code}/approve`, operationId: 'approveOfficePairing', tag: 'admin', summary: 'Approve a pairing into this office',
      description: `${ADMIN_ONLY} The screen showing the code collects its device token at its next poll. Audited.`,
      security: STAFF, body: ['DeviceApprove', deviceApproveSchema], responses: { 201: json(pairedDeviceResponseSchema, 'Paired.') },
      errors: [...OFFICE_ADMIN, 'pairing_not_found'],
    },
    {
      method: 'post', path: `${o}/devices/pairings/{code}/reject`, operationId: 'rejectOfficePairing', tag: 'admin', summary: 'Reject a pairing request',
      description: `${ADMIN_ONLY} The request is dropped; the screen's next poll gets 404 \`pairing_not_found\`. Audited.`,
      security: STAFF, responses: { 204: none('Rejected.') }, errors: [...OFFICE_ADMIN, 'pairing_not_found'],
    },
    {
      method: 'delete', path: `${o}/devices/{id}`, operationId: 'revokeOfficeDevice', tag: 'admin', summary: 'Revoke a device',
      description: `${ADMIN_ONLY} Its token stops working and its open sockets are cut at once. Audited.`,
      security: STAFF, responses: { 204: none('Revoked.') }, errors: [...OFFICE_ADMIN, 'not_found'],
    },
    {
      method: 'put', path: `${o}/devices/{id}/printer`, operationId: 'setDevicePrinter', tag: 'admin', summary: "Set a kiosk's printer",
      description: `${ADMIN_ONLY} \`tcp://HOST[:PORT][?width=58|80&status=off]\`, \`usb://VID:PID\` or \`agent://AGENT_DEVICE_ID\`; null = none of its own. Applied live: the kiosk's next ticket prints there. GILIRAN_PRINTERS, when it names this kiosk, still wins (the answer's \`source\` says \`env\`). Audited.`,
      security: STAFF, body: ['DevicePrinterSet', devicePrinterSetSchema], responses: { 200: json(devicePrinterResponseSchema, "The kiosk's printer now.") },
      errors: [...OFFICE_ADMIN, 'not_found'],
    },
    {
      method: 'post', path: `${o}/devices/{id}/test-print`, operationId: 'testPrintDevice', tag: 'admin', summary: 'Print a test receipt',
      description: `${ADMIN_ONLY} Prints a short test receipt where the kiosk's tickets go and answers with the outcome (\`printed\`, \`failed\` with the printer state, or \`no_printer\`).`,
      security: STAFF, responses: { 200: json(testPrintResponseSchema, 'What became of the test receipt.') }, errors: [...OFFICE_ADMIN, 'not_found'],
    },
    // backup and restore
    {
      method: 'get', path: '/api/v1/admin/backup', operationId: 'getBackup', tag: 'admin', summary: 'Download a backup',
      description:
        "**Who may call it:** without `office`, an admin of every office (offices [\"*\"]); with `office`, an admin working for that office (its configuration, accounts and devices, its journals, its audit lines; admins of every office left out). The file is a gzip-compressed JSON document (BackupDocument): configuration with password and device-token hashes (keep it as safe as the server), every office-day journal and audit day, logos; no sessions. Consistent: each journal is read after its office's pending commits are on disk, up to its last complete line.",
      security: STAFF,
      query: z.object({ office: z.string().optional().describe('One office only.') }),
      responses: { 200: { description: 'The backup file (giliran-backup-….json.gz).', content: { 'application/gzip': { schema: { type: 'string', contentMediaType: 'application/gzip' } } } } },
      errors: OFFICE_ADMIN,
    },
    {
      method: 'post', path: '/api/v1/admin/restore', operationId: 'restoreBackup', tag: 'admin', summary: 'Restore a backup onto a fresh install',
      description:
        '**Who may call it:** an admin of every office. Only onto a fresh install: no ticket recorded yet and the configuration as seeded (else 409 `restore_not_fresh`). The whole file is checked first (gzip, document, configuration schema, every office day replayed through the queue rules: 400 `invalid_backup` and nothing written); then each file is replaced atomically, the configuration last, and the offices reload at once (no restart; screens get a fresh snapshot).',
      security: STAFF, rawBody: { types: ['application/gzip'], description: 'A file from GET /api/v1/admin/backup or `npm run backup`.' },
      responses: { 200: json(restoreResultSchema, 'Restored.') }, errors: ['unauthenticated', 'forbidden', 'password_change_required', 'invalid_backup', 'restore_not_fresh'],
    },
    // logo
    {
      method: 'post', path: `${o}/logo`, operationId: 'setOfficeLogo', tag: 'admin', summary: 'Upload the office logo',
      description: `${ADMIN_ONLY} The image itself as the body, PNG, JPEG or WebP, at most ${LOGO_MAX_BYTES / 1024} KB; its first bytes must match its Content-Type. SVG is refused (it can carry script). Stored in the data folder; the office's \`logo\` becomes \`/api/v1/offices/{office}/logo?v=<hash>\` (displays and kiosks show it). A PNG also prints on receipts unless GILIRAN_RECEIPT_LOGO is set. Audited.`,
      security: STAFF, rawBody: { types: ['image/png', 'image/jpeg', 'image/webp'], description: 'The image.' },
      responses: { 200: json(logoResponseSchema, 'Stored.') }, errors: [...OFFICE_ADMIN, 'unsupported_media_type'],
    },
    {
      method: 'delete', path: `${o}/logo`, operationId: 'deleteOfficeLogo', tag: 'admin', summary: 'Remove the office logo',
      description: `${ADMIN_ONLY} The office's \`logo\` becomes null. Audited.`,
      security: STAFF, responses: { 204: none('Removed.') }, errors: OFFICE_ADMIN,
    },
    {
      method: 'get', path: '/api/v1/offices/{office}/logo', operationId: 'getOfficeLogo', tag: 'admin', summary: 'The office logo',
      description: 'Public (screens show it). Cached for a year when asked with `?v=<hash>` (a new logo is a new URL), sent with `X-Content-Type-Options: nosniff`.',
      security: NONE,
      responses: {
        200: { description: 'The image.', content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } }, 'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } }, 'image/webp': { schema: { type: 'string', contentMediaType: 'image/webp' } } } },
        304: none('Not modified (If-None-Match).'),
      },
      errors: ['office_not_found', 'not_found'],
    },
  ];
}
