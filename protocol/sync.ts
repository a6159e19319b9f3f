// Office boxes that sync to a central deployment (server/sync, docs/sync.md):
// the bodies a box sends, the central's answers, and the sync state the admin
// console shows on either side. Pages import the inferred types only.
import { z } from 'zod';
import { actorSchema } from './schemas.ts';

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
export const syncDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const version = z.number().int().min(0).max(10_000_000);

/** Commits of one batch at most; a box sends smaller ones when its commits are large. */
export const SYNC_BATCH_MAX = 500;
/** Audit entries of one batch at most. */
export const SYNC_AUDIT_BATCH_MAX = 500;
/** The JSON body limit of /api/v1/sync (a batch of SYNC_BATCH_MAX commits fits with room to spare). */
export const SYNC_BODY_LIMIT = '4mb';

/**
 * One journal line of an office day, as the box's store holds it
 * (server/domain/state.ts Commit). Its events are kept as they are (a box may
 * run a newer version with event types this central does not know yet: they
 * are stored, and read by what understands them).
 */
export const syncCommitSchema = z
  .looseObject({
    version: z.number().int().min(1).max(10_000_000),
    key: z.string().max(200).optional(),
    fingerprint: z.string().max(200).optional(),
    ticketId: z.string().max(100).nullable(),
    events: z.array(z.looseObject({ type: z.string().min(1).max(64) })).max(1_000),
  })
  .meta({ id: 'SyncCommit', description: 'One commit of an office day (a journal line), shipped as the box holds it.' });

/** POST /api/v1/sync/{office}/days/{day}/commits */
export const syncCommitsBodySchema = z
  .strictObject({
    after: version.describe('The version the first commit follows: commits[0].version = after + 1, and each next one + 1.'),
    head: version.optional().describe("The box's last version of this day when it sent the batch (the central shows the lag)."),
    commits: z.array(syncCommitSchema).min(1).max(SYNC_BATCH_MAX),
  })
  .superRefine((b, ctx) => {
    b.commits.forEach((c, i) => {
      if (c.version !== b.after + i + 1) ctx.addIssue({ code: 'custom', path: ['commits', i, 'version'], message: `expected version ${b.after + i + 1}` });
    });
  })
  .meta({ id: 'SyncCommits' });

/** The central's answer: the last version of the day it holds with no gap before it (the box ships from there). */
export const syncMarkSchema = z
  .object({
    office: id,
    day: syncDaySchema,
    version: version.describe('The last contiguous version the central holds for this office day (0: none).'),
  })
  .meta({ id: 'SyncMark' });

export const syncAuditEntrySchema = z.strictObject({
  seq: z.number().int().min(1).max(10_000_000).describe("The entry's line in the box's audit journal of the day (1-based): the key that makes a repeat harmless."),
  entry: z.strictObject({
    at: z.string().max(40),
    actor: actorSchema,
    action: z.string().min(1).max(100),
    officeId: id.optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** POST /api/v1/sync/{office}/audit/{day} */
export const syncAuditBodySchema = z
  .strictObject({
    upTo: z.number().int().min(0).max(10_000_000).describe("The box's last audit line this batch covers (lines of other offices are skipped, so it may be past the last entry's seq)."),
    entries: z.array(syncAuditEntrySchema).max(SYNC_AUDIT_BATCH_MAX),
  })
  .meta({ id: 'SyncAudit' });

export const syncAuditMarkSchema = z.object({ office: id, day: syncDaySchema, upTo: z.number().int().min(0) }).meta({ id: 'SyncAuditMark' });

/** GET /api/v1/sync/box: who the token is and what it may ship. */
export const syncBoxSchema = z
  .object({
    device: z.object({ id: z.string(), name: z.string() }),
    offices: z.array(id).describe('The offices this token may ship (the office it was paired for).'),
  })
  .meta({ id: 'SyncBox' });

/** On a box: one office's shipping state. */
export const boxOfficeSyncSchema = z.object({
  office: id,
  /** The last office day the central acknowledged commits of, and up to which version. */
  lastDay: syncDaySchema.nullable(),
  lastVersion: z.number().int().min(0),
  /** Commits on the box not yet acknowledged by the central, over every day. */
  lagCommits: z.number().int().min(0),
  /** Seconds since the oldest commit not yet acknowledged was made (0: nothing waits). */
  lagSeconds: z.number().min(0),
  lastContact: z.string().nullable().describe('When the central last answered.'),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  /** The next try, while backing off after an error. */
  retryAt: z.string().nullable(),
});

/** On the central: one box's office, as it last reported. */
export const centralBoxSyncSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  office: id,
  lastDay: syncDaySchema.nullable(),
  lastVersion: z.number().int().min(0),
  /** The box's own last version of that day when it last shipped. */
  boxVersion: z.number().int().min(0).nullable(),
  lagCommits: z.number().int().min(0),
  lastContact: z.string().nullable(),
});

/** GET /api/v1/admin/offices/{office}/sync */
export const officeSyncStatusSchema = z
  .object({
    role: z.enum(['box', 'central', 'none']).describe("'box': this server ships the office to a central; 'central': boxes ship to this server; 'none': neither."),
    centralUrl: z.string().nullable(),
    box: boxOfficeSyncSchema.nullable(),
    boxes: z.array(centralBoxSyncSchema),
  })
  .meta({ id: 'OfficeSyncStatus' });

export type SyncCommitsBody = z.infer<typeof syncCommitsBodySchema>;
export type SyncMark = z.infer<typeof syncMarkSchema>;
export type SyncAuditBody = z.infer<typeof syncAuditBodySchema>;
export type SyncBox = z.infer<typeof syncBoxSchema>;
export type BoxOfficeSync = z.infer<typeof boxOfficeSyncSchema>;
export type CentralBoxSync = z.infer<typeof centralBoxSyncSchema>;
export type OfficeSyncStatus = z.infer<typeof officeSyncStatusSchema>;
