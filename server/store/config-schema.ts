// Validation of the configuration file (data/config.json): a hand-edited or
// damaged file is refused at start with the path of what is wrong.
import { z } from 'zod';
import { DEVICE_KINDS, ROLES } from '../../protocol/model.ts';
import { officeConfigSchema } from '../../protocol/schemas.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { ConfigData } from './types.ts';

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

/** The office schema of protocol/ plus the rules that span fields. */
const office = officeConfigSchema
  .extend({ timeZone: officeConfigSchema.shape.timeZone.refine(isValidTimeZone, 'unknown IANA time zone') })
  .superRefine((o, ctx) => {
    const prefixes = new Set<string>();
    const ids = new Set<string>();
    for (const s of o.services) {
      if (prefixes.has(s.prefix)) ctx.addIssue({ code: 'custom', message: `prefix ${s.prefix} used twice`, path: ['services'] });
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', message: `service id ${s.id} used twice`, path: ['services'] });
      prefixes.add(s.prefix);
      ids.add(s.id);
    }
    const counterIds = new Set<string>();
    for (const c of o.counters) {
      if (counterIds.has(c.id)) ctx.addIssue({ code: 'custom', message: `counter id ${c.id} used twice`, path: ['counters'] });
      counterIds.add(c.id);
      for (const s of c.services) {
        if (!ids.has(s)) ctx.addIssue({ code: 'custom', message: `counter ${c.id} serves unknown service ${s}`, path: ['counters'] });
      }
    }
  });

export const configDataSchema: z.ZodType<ConfigData, unknown> = z.object({
  schemaVersion: z.literal(1),
  offices: z.array(office),
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
    const lines = r.error.issues.slice(0, 10).map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid configuration in ${where}:\n${lines.join('\n')}`);
  }
  return r.data;
}
