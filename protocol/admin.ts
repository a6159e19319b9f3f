// The admin console's configuration API (server/http/admin-config.ts): the
// sections an office's configuration is edited in, who may read and write
// each (PERMISSIONS, as data: the server enforces it, the console shows it),
// and every request and response as zod schemas with their inferred types.
// Every section schema is picked from the one office schema in schemas.ts.
import { z } from 'zod';
import type { Role } from './model.ts';
import { apiErrorSchema } from './schemas-http.ts';
import { actorSchema, bilingualSchema, notifySettingsSchema, officeConfigSchema, whatsappNumberSchema } from './schemas.ts';

export const SECTIONS = ['profile', 'hours', 'services', 'counters', 'displays', 'rules', 'notify'] as const;
export type Section = (typeof SECTIONS)[number];

type OfficeKey = keyof z.infer<typeof officeConfigSchema>;

/** Which fields of the office each section holds (its value is exactly these keys). The logo is edited by admin-ops. */
export const SECTION_KEYS = {
  profile: ['name', 'shortName', 'timeZone', 'complaintChannel', 'marquee', 'whatsapp'],
  hours: ['hours', 'closedDays'],
  services: ['services'],
  counters: ['counters'],
  displays: ['displays'],
  rules: ['rules', 'kiosk', 'waitTargetMinutes'],
  notify: ['notify'],
} as const satisfies Record<Section, readonly OfficeKey[]>;

export type SectionKey<S extends Section> = (typeof SECTION_KEYS)[S][number];

const o = officeConfigSchema;

/** A secret as the admin API shows it: whether one is set, never its value. */
export const maskedSecretSchema = z.object({ set: z.boolean() }).meta({ id: 'MaskedSecret', description: 'A write-only secret: whether one is set, never its value.' });

/**
 * A secret in a PUT: a string sets it, null removes it, `{ set: … }` (what
 * GET returned) or leaving it out keeps the one stored.
 */
export const secretInputSchema = z
  .union([notifySettingsSchema.shape.webhook.shape.secret.unwrap(), z.null(), maskedSecretSchema])
  .optional()
  .describe('A new secret (string), null to remove it, or { set } / absent to keep the stored one.');

export const notifyViewSchema = z
  .object({
    webhook: notifySettingsSchema.shape.webhook.extend({ secret: maskedSecretSchema }),
    whatsapp: notifySettingsSchema.shape.whatsapp.extend({ token: maskedSecretSchema }),
  })
  .meta({ id: 'NotifySettingsView', description: 'Notification settings with every secret masked.' });

export const notifyInputSchema = z
  .object({
    webhook: notifySettingsSchema.shape.webhook.extend({ secret: secretInputSchema }),
    whatsapp: notifySettingsSchema.shape.whatsapp.extend({ token: secretInputSchema }),
  })
  .meta({ id: 'NotifySettingsInput' });

/** What each section's value is in a PUT body (picked from the office schema; cross-field rules are checked with the whole office). */
export const SECTION_INPUT = {
  profile: o.pick({ name: true, shortName: true, timeZone: true, complaintChannel: true, marquee: true }).extend({ whatsapp: whatsappNumberSchema.nullable() }),
  hours: o.pick({ hours: true }).extend({ closedDays: o.shape.closedDays.unwrap() }),
  services: o.pick({ services: true }),
  counters: o.pick({ counters: true }),
  displays: o.pick({ displays: true }).extend({ displays: o.shape.displays.unwrap() }),
  rules: o.pick({ rules: true, kiosk: true, waitTargetMinutes: true }),
  notify: z.object({ notify: notifyInputSchema }),
} as const satisfies Record<Section, z.ZodObject>;

/** What each section's value is in an answer (the same, with secrets masked). */
export const SECTION_VIEW = {
  ...SECTION_INPUT,
  notify: z.object({ notify: notifyViewSchema }),
} as const satisfies Record<Section, z.ZodObject>;

export type SectionInput<S extends Section> = z.infer<(typeof SECTION_INPUT)[S]>;
export type SectionView<S extends Section> = z.infer<(typeof SECTION_VIEW)[S]>;

/** One office's configuration as the admin API shows it: everything, secrets masked. */
export const adminOfficeSchema = o
  .extend({ whatsapp: whatsappNumberSchema.nullable(), closedDays: o.shape.closedDays.unwrap(), notify: notifyViewSchema })
  .meta({ id: 'AdminOffice', description: 'An office configuration as the admin API shows it (secrets masked).' });
export type AdminOffice = z.infer<typeof adminOfficeSchema>;

export const revisionInfoSchema = z
  .object({
    revision: z.number().int().min(0).describe('Increases by one with each save of the section; 0 = never saved through the API.'),
    at: z.string().meta({ format: 'date-time' }).nullable().describe('When it was last saved; null = never.'),
    by: z.string().nullable().describe('Username of who saved it last; null = never.'),
  })
  .meta({ id: 'RevisionInfo' });
export type RevisionInfo = z.infer<typeof revisionInfoSchema>;

// ---- Who may do what (enforced by server/http/admin-config.ts; shown by the console) ----

export interface SectionPermission {
  read: boolean;
  write: boolean;
  /** When set, a write may change only these fields of the section (the rest must be sent unchanged). */
  fields?: readonly string[];
}

const NONE: SectionPermission = { read: false, write: false };
const READ: SectionPermission = { read: true, write: false };
const ALL: SectionPermission = { read: true, write: true };

/**
 * The admin matrix. An admin sets up the office; a supervisor runs the day:
 * opening hours and closed days, the running text on the TVs; reads the rest
 * (secrets masked); a clerk has no admin console at all.
 */
export const PERMISSIONS: Record<Role, Record<Section, SectionPermission>> = {
  admin: { profile: ALL, hours: ALL, services: ALL, counters: ALL, displays: ALL, rules: ALL, notify: ALL },
  supervisor: {
    profile: { read: true, write: true, fields: ['marquee'] },
    hours: ALL,
    services: READ,
    counters: READ,
    displays: READ,
    rules: READ,
    notify: READ,
  },
  clerk: { profile: NONE, hours: NONE, services: NONE, counters: NONE, displays: NONE, rules: NONE, notify: NONE },
};

/** Roles that may open an office in the admin console at all (list, view, audit). */
export const ADMIN_ROLES: readonly Role[] = ['admin', 'supervisor'];
/** Roles that may browse the office's audit log. */
export const AUDIT_ROLES: readonly Role[] = ['admin', 'supervisor'];

export const sectionPermissionSchema = z.object({
  section: z.enum(SECTIONS),
  read: z.boolean(),
  write: z.boolean(),
  fields: z.array(z.string()).optional().describe('When present, a write may change only these fields.'),
});

// ---- Requests and responses ----

export const adminOfficeListSchema = z
  .object({
    offices: z.array(z.object({ id: z.string(), name: bilingualSchema, shortName: z.string(), role: z.enum(['admin', 'supervisor', 'clerk']).describe('Your role in this office.') })),
  })
  .meta({ id: 'AdminOfficeList' });
export type AdminOfficeList = z.infer<typeof adminOfficeListSchema>;

export const adminOfficeViewSchema = z
  .object({
    office: adminOfficeSchema,
    revisions: z.object(Object.fromEntries(SECTIONS.map((s) => [s, revisionInfoSchema])) as Record<Section, typeof revisionInfoSchema>),
    permissions: z.array(sectionPermissionSchema),
  })
  .meta({ id: 'AdminOfficeView', description: 'An office for the admin console: its configuration, each section\'s revision, and what you may do.' });
export type AdminOfficeView = z.infer<typeof adminOfficeViewSchema>;

export function sectionPutSchema<S extends Section>(section: S) {
  return z.object({
    revision: z.number().int().min(0).describe('The revision the edit started from (from GET); a newer one on the server is a 409.'),
    value: SECTION_INPUT[section] as (typeof SECTION_INPUT)[S],
  });
}
export type SectionPut<S extends Section> = { revision: number; value: SectionInput<S> };

/** A field that is wrong, with a message in both languages; `path` starts at the body (`["value", "services", 2, "prefix"]`). */
export const fieldErrorSchema = apiErrorSchema.shape.fields.unwrap().element.meta({ id: "FieldError" });
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const invalidBodySchema = z
  .object({ error: apiErrorSchema.extend({ code: z.literal('invalid_body'), fields: z.array(fieldErrorSchema) }) })
  .meta({ id: 'InvalidBody', description: 'The section was not saved: what is wrong, field by field, in Indonesian and English.' });
export type InvalidBody = z.infer<typeof invalidBodySchema>;

export const staleRevisionSchema = z
  .object({
    error: apiErrorSchema.extend({ code: z.literal('stale_revision') }),
    current: z.object({ value: z.record(z.string(), z.unknown()).describe("The section's value as saved now (secrets masked)."), revision: z.number().int(), at: z.string().nullable(), by: z.string().nullable() }),
  })
  .meta({ id: 'StaleRevision', description: 'Someone saved this section since your revision; nothing was saved. `current` is what is saved now.' });
export type StaleRevision = z.infer<typeof staleRevisionSchema>;

/** The `office` socket event's payload (every namespace, on each save). */
export interface OfficeChanged {
  /** Sum of the office's section revisions: increases with every save. */
  revision: number;
}

// ---- Audit browse ----

export const adminAuditQuerySchema = z.object({
  from: z.iso.date().optional().describe('First day (UTC date of the entries), YYYY-MM-DD; default: 6 days before `to`.'),
  to: z.iso.date().optional().describe('Last day, YYYY-MM-DD; default today.'),
  actor: z.string().max(64).optional().describe('Only entries by this actor id or username.'),
  kind: z.string().max(64).optional().describe('Only actions starting with this, e.g. "config." or "device_paired".'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional().describe('The `next` of the previous page.'),
  format: z.enum(['json', 'csv']).default('json'),
});
export type AdminAuditQuery = z.infer<typeof adminAuditQuerySchema>;

export const adminAuditEntrySchema = z
  .object({
    at: z.string().meta({ format: 'date-time' }),
    actor: actorSchema,
    action: z.string(),
    officeId: z.string().nullable(),
    summary: z.string().describe('One line saying what happened.'),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AdminAuditEntry' });
export type AdminAuditEntry = z.infer<typeof adminAuditEntrySchema>;

export const adminAuditPageSchema = z
  .object({ entries: z.array(adminAuditEntrySchema).describe('Newest first.'), next: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null = no more.') })
  .meta({ id: 'AdminAuditPage' });
export type AdminAuditPage = z.infer<typeof adminAuditPageSchema>;
