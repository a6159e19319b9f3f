// Validation of the configuration file (data/config.json): a hand-edited or
// damaged file is refused at start with the path of what is wrong.
import { z } from 'zod';
import { DEVICE_KINDS, ROLES } from '../../protocol/model.ts';
import { isValidTimeZone } from '../domain/time.ts';
import type { ConfigData } from './types.ts';

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const bilingual = z.object({ id: z.string().min(1), en: z.string().min(1) });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const period = z.tuple([hhmm, hhmm]).refine(([a, b]) => a < b, 'opening must be before closing');
const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const requirement = z.object({ id, text: bilingual, mandatory: z.boolean(), staffJudged: z.boolean() });
const subcase = z.object({
  id,
  name: bilingual,
  requirements: z.array(requirement),
  eligibility: z
    .object({ minAge: z.number().int().min(0).optional(), maxAge: z.number().int().min(0).optional(), note: bilingual.optional() })
    .optional(),
});
const service = z.object({
  id,
  prefix: z.string().regex(/^[A-Z]$/, 'one capital letter'),
  name: bilingual,
  description: bilingual,
  standard: bilingual,
  fee: z.number().min(0),
  icon: z.string().max(40),
  subcases: z.array(subcase),
  quota: z.object({ walkIn: z.number().int().min(0).nullable(), online: z.number().int().min(0).nullable() }),
  active: z.boolean(),
});
const counter = z.object({ id, name: z.string().min(1).max(40), word: z.string().min(1).max(20), services: z.array(id) });
const rules = z.object({
  priorityPerRegular: z.number().int().min(0).max(20),
  reinstateWindowMinutes: z.number().min(0),
  noShowAfterRecalls: z.number().int().min(0),
  noShowAfterMinutes: z.number().min(0),
  defaultServiceMinutes: z.number().positive(),
  etaSampleSize: z.number().int().min(1).max(50),
  enforceHours: z.boolean(),
});
const displayProfile = z.object({
  id,
  name: z.string().min(1).max(80),
  services: z.array(id),
  counters: z.array(id),
  layout: z.enum(['landscape', 'portrait']),
  secondLanguage: z.enum(['en']).nullable(),
  historySize: z.number().int().min(0).max(20),
  showCounterStates: z.boolean(),
  voice: z.enum(['clips', 'speech', 'off']),
  reloadAt: hhmm.nullable(),
});

const office = z
  .object({
    id,
    name: bilingual,
    shortName: z.string().min(1),
    timeZone: z.string().refine(isValidTimeZone, 'unknown IANA time zone'),
    hours: z.partialRecord(z.enum(days), z.array(period)),
    services: z.array(service).min(1),
    counters: z.array(counter),
    rules,
    complaintChannel: bilingual,
    marquee: bilingual,
    kiosk: z.object({ idleSeconds: z.number().int().min(5).max(600) }),
    displays: z.array(displayProfile).default([]),
    logo: z.string().regex(/^(\/[^\s]*|data:image\/(png|svg\+xml|jpeg|webp);base64,[A-Za-z0-9+/=]+)$/, 'a same-origin path or a data:image URL').max(200_000).nullable().default(null),
  })
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

export const configDataSchema = z.object({
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
    }),
  ),
});

export function parseConfigData(input: unknown, where: string): ConfigData {
  const r = configDataSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 10).map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid configuration in ${where}:\n${lines.join('\n')}`);
  }
  return r.data as ConfigData;
}
