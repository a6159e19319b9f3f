// Validation of the configuration file (data/config.json): a hand-edited or
// damaged file is refused at start with the path of what is wrong.
import { z } from 'zod';
import { SECTIONS } from '../../protocol/admin.ts';
import { DEVICE_KINDS, ROLES, type Bilingual, type Subcase } from '../../protocol/model.ts';
import { officeConfigSchema } from '../../protocol/schemas.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { ConfigData } from './types.ts';

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

/** A cross-field issue with its message in both languages (server/validation.ts reads `params.id`). */
function issue(ctx: z.RefinementCtx, path: PropertyKey[], en: string, id: string): void {
  ctx.addIssue({ code: 'custom', message: en, params: { id }, path });
}

/**
 * A checklist's cross-field rules: an id names one thing in a sub-case (items
 * and their alternatives share one id space: the kiosk's answers are keyed by
 * them), and a condition id means one question (items sharing it share it;
 * conditions have their own id space).
 */
function checklistIssues(sub: Subcase, path: PropertyKey[], ctx: z.RefinementCtx): void {
  const ids = new Set<string>();
  const questions = new Map<string, Bilingual>();
  sub.requirements.forEach((r, ri) => {
    const at = [...path, 'requirements', ri];
    for (const [k, v] of [[r.id, at], ...(r.alternatives ?? []).map((a, ai) => [a.id, [...at, 'alternatives', ai]] as const)] as const) {
      if (ids.has(k)) issue(ctx, [...v, 'id'], `id ${k} is used twice in sub-case ${sub.id}`, `id ${k} dipakai dua kali dalam sub-layanan ${sub.id}`);
      ids.add(k);
    }
    const c = r.condition;
    if (!c) return;
    const q = questions.get(c.id);
    if (q && (q.id !== c.question.id || q.en !== c.question.en)) {
      issue(ctx, [...at, 'condition', 'question'], `condition ${c.id} already has a different question`, `syarat ${c.id} sudah memakai pertanyaan lain`);
    }
    if (!q) questions.set(c.id, c.question);
  });
}

/**
 * The office schema of protocol/ plus the rules that span fields: the one
 * place they live, used when the file is loaded and when the admin API saves a
 * section (the API names the field by its path).
 */
export const officeSchema = officeConfigSchema
  .extend({ timeZone: officeConfigSchema.shape.timeZone.refine(isValidTimeZone, { message: 'unknown IANA time zone', params: { id: 'zona waktu IANA tidak dikenal' } }) })
  .superRefine((o, ctx) => {
    const prefixes = new Map<string, number>();
    const ids = new Set<string>();
    o.services.forEach((s, i) => {
      const first = prefixes.get(s.prefix);
      if (first !== undefined) issue(ctx, ['services', i, 'prefix'], `prefix ${s.prefix} is already used by service ${first + 1}`, `huruf ${s.prefix} sudah dipakai layanan ke-${first + 1}`);
      else prefixes.set(s.prefix, i);
      if (ids.has(s.id)) issue(ctx, ['services', i, 'id'], `service id ${s.id} used twice`, `id layanan ${s.id} dipakai dua kali`);
      ids.add(s.id);
    });
    o.services.forEach((s, si) => s.subcases.forEach((sub, ci) => checklistIssues(sub, ['services', si, 'subcases', ci], ctx)));
    const counterIds = new Set<string>();
    o.counters.forEach((c, i) => {
      if (counterIds.has(c.id)) issue(ctx, ['counters', i, 'id'], `counter id ${c.id} used twice`, `id loket ${c.id} dipakai dua kali`);
      counterIds.add(c.id);
      c.services.forEach((s, j) => {
        if (!ids.has(s)) issue(ctx, ['counters', i, 'services', j], `counter ${c.id} serves unknown service ${s}`, `loket ${c.id} melayani layanan ${s} yang tidak ada`);
      });
    });
    const displayIds = new Set<string>();
    o.displays.forEach((d, i) => {
      if (displayIds.has(d.id)) issue(ctx, ['displays', i, 'id'], `display id ${d.id} used twice`, `id layar ${d.id} dipakai dua kali`);
      displayIds.add(d.id);
      d.services.forEach((s, j) => {
        if (!ids.has(s)) issue(ctx, ['displays', i, 'services', j], `display ${d.id} shows unknown service ${s}`, `layar ${d.id} menampilkan layanan ${s} yang tidak ada`);
      });
      d.counters.forEach((c, j) => {
        if (!counterIds.has(c)) issue(ctx, ['displays', i, 'counters', j], `display ${d.id} shows unknown counter ${c}`, `layar ${d.id} menampilkan loket ${c} yang tidak ada`);
      });
    });
    const dates = new Set<string>();
    (o.closedDays ?? []).forEach((d, i) => {
      if (dates.has(d.date)) issue(ctx, ['closedDays', i, 'date'], `date ${d.date} listed twice`, `tanggal ${d.date} tercantum dua kali`);
      dates.add(d.date);
    });
  });

const revisionRecord = z.object({ revision: z.number().int().min(0), at: z.string(), by: z.string() });

export const configDataSchema: z.ZodType<ConfigData, unknown> = z.object({
  schemaVersion: z.literal(1),
  offices: z.array(officeSchema),
  revisions: z.record(z.string(), z.partialRecord(z.enum(SECTIONS), revisionRecord)).optional(),
  users: z.array(
    z.object({
      id,
      username: z.string().min(1).max(64),
      name: z.string().min(1).max(80),
      role: z.enum(ROLES),
      offices: z.array(z.string()),
      passwordHash: z.string().startsWith('scrypt$'),
      disabled: z.boolean().optional(),
      mustChangePassword: z.boolean().optional(),
    }),
  ),
  devices: z.array(
    z.object({
      id,
      kind: z.enum(DEVICE_KINDS),
      officeId: id,
      name: z.string().min(1).max(80),
      tokenHash: z.string().length(64),
      createdAt: z.string(),
      approvedBy: z.string(),
      printer: z
        .string()
        .max(300)
        .regex(/^(tcp|usb|agent):\/\/\S+$/)
        .nullable()
        .optional(),
    }),
  ),
});

export function parseConfigData(input: unknown, where: string): ConfigData {
  const r = configDataSchema.safeParse(input);
  if (!r.success) {
    // A cross-field rule's message in both languages, "Indonesian / English", as the admin API gives it.
    const text = (i: z.core.$ZodIssue) => {
      const id = (i as { params?: { id?: unknown } }).params?.id;
      return typeof id === 'string' ? `${id} / ${i.message}` : i.message;
    };
    const lines = r.error.issues.slice(0, 10).map((i) => `  ${i.path.join('.') || '(root)'}: ${text(i)}`);
    throw new Error(`Invalid configuration in ${where}:\n${lines.join('\n')}`);
  }
  return r.data;
}
