// The OpenAPI operations of office-box sync (server/sync/central.ts);
// server/http/openapi.ts adds them to the document.
import type { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type { ErrorCode } from '../../protocol/errors.ts';
import { SYNC_BODY_LIMIT, officeSyncStatusSchema, syncAuditBodySchema, syncAuditMarkSchema, syncBoxSchema, syncCommitsBodySchema, syncMarkSchema } from '../../protocol/sync.ts';

type Security = Array<Record<string, string[]>>;
const BOX: Security = [{ deviceBearer: [] }, { deviceToken: [] }];
const STAFF: Security = [{ staffSession: [] }];

export interface SyncOperation {
  method: 'get' | 'post';
  path: string;
  operationId: string;
  tag: 'sync';
  summary: string;
  description: string;
  security: Security;
  body?: [string, z.ZodType];
  responses: Record<string, ZodOpenApiResponseObject>;
  errors: ErrorCode[];
}

const json = (schema: z.ZodType, description: string): ZodOpenApiResponseObject => ({ description, content: { 'application/json': { schema } } });
const WHO = "**Who may call it:** an office box (device kind `office_box`, paired on this central by an admin), for the one office it was paired for: no token or a forged one 401 `unauthenticated`; another device, a person, or another office 403 `forbidden`. Only a central on PostgreSQL accepts sync (else 501 `sync_unsupported`).";
const BOX_ERRORS: ErrorCode[] = ['unauthenticated', 'forbidden', 'office_not_found', 'sync_unsupported'];

export function syncOperations(): SyncOperation[] {
  const o = '/api/v1/sync/{office}';
  return [
    {
      method: 'get', path: '/api/v1/sync/box', operationId: 'syncWhoAmI', tag: 'sync', summary: 'Which offices this box may ship',
      description: `${WHO} The box asks once at start which office each of its tokens is for.`,
      security: BOX, responses: { 200: json(syncBoxSchema, 'The box and its offices.') }, errors: ['unauthenticated', 'forbidden'],
    },
    {
      method: 'get', path: `${o}/days/{day}`, operationId: 'syncDayMark', tag: 'sync', summary: 'What the central holds of an office day',
      description: `${WHO} The last contiguous version of the office day stored here (0: none): a box that lost its marks ships from there.`,
      security: BOX, responses: { 200: json(syncMarkSchema, 'The mark.') }, errors: [...BOX_ERRORS, 'bad_request'],
    },
    {
      method: 'post', path: `${o}/days/{day}/commits`, operationId: 'syncCommits', tag: 'sync', summary: 'Ship commits of an office day',
      description: `${WHO} Up to 500 commits (body ≤ ${SYNC_BODY_LIMIT}) following version \`after\`, in order with no gap (else 400). Stored in one transaction, idempotently by (office, day, version): a commit already held must equal the shipped one (else 409 \`sync_conflict\`, nothing stored), so a batch sent twice stores nothing the second time. When \`after\` is past what the central holds nothing is stored. The answer, sent once the batch is durable, is the last contiguous version held: the box ships on from there. Screens on the central showing the office get the new commits as deltas.`,
      security: BOX, body: ['SyncCommits', syncCommitsBodySchema], responses: { 200: json(syncMarkSchema, 'Stored (or already held): the new mark.') },
      errors: [...BOX_ERRORS, 'sync_conflict'],
    },
    {
      method: 'post', path: `${o}/audit/{day}`, operationId: 'syncAudit', tag: 'sync', summary: "Ship an office's audit lines of a day",
      description: `${WHO} Audit entries of the office from the box's audit journal of a (UTC) day, each keyed by its line \`seq\`: stored once into the central's audit log whatever the repeats. \`upTo\` is the box's mark (lines of other offices are skipped).`,
      security: BOX, body: ['SyncAudit', syncAuditBodySchema], responses: { 200: json(syncAuditMarkSchema, 'Stored: the audit mark.') },
      errors: BOX_ERRORS,
    },
    {
      method: 'get', path: '/api/v1/admin/offices/{office}/sync', operationId: 'getOfficeSync', tag: 'sync', summary: 'Sync state of an office',
      description: "**Who may call it:** admins and supervisors working at this office. On an office box: what it shipped of the office to the central (last day and version, lag in commits and seconds, last contact, last error, next try). On the central: each office box paired for the office with what it last shipped and the box's own version then.",
      security: STAFF, responses: { 200: json(officeSyncStatusSchema, 'The sync state.') }, errors: ['unauthenticated', 'forbidden', 'office_not_found', 'password_change_required'],
    },
  ];
}
