// Commands that change the queue, validated with zod at every boundary (HTTP
// bodies and socket payloads share these schemas).
import { z } from 'zod';
import { surveyAnswerFields } from './survey.ts';
import { DEVICE_KINDS, FINISH_OUTCOMES, PAUSE_REASONS, PRIORITY_GROUPS, TICKET_SOURCES } from './model.ts';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only');
/** A ticket by its number of today ("A001") or its full id ("2026-11-23/A001"). */
const ticketRef = z.string().min(2).max(32).regex(/^(\d{4}-\d{2}-\d{2}\/)?[A-Z]\d{3,4}$/, 'a ticket number like A001');
const key = z.string().min(8).max(128).regex(/^[A-Za-z0-9:._-]+$/).optional();
const text = (max: number) => z.string().trim().min(1).max(max);

/** The citizen's answers at the kiosk, re-checked by the server with protocol/rules.ts evaluatePrecheck. */
export const precheckAnswersSchema = z.strictObject({
  brought: z.record(id, z.union([z.boolean(), id])).describe('Requirement id → true (its own document), an alternative id (that document instead), or false (neither).'),
  conditions: z.record(id, z.boolean()).describe('Condition id → the yes/no answer to its question.'),
});

export const precheckSchema = z.strictObject({
  subcase: id,
  passed: z.boolean(),
  missing: z.array(id).max(50),
  answers: precheckAnswersSchema.optional().describe('The answers behind the result: when sent, the server evaluates them and refuses a result that does not follow from them.'),
});

const counterId = id;
export const commandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('issue'), service: z.string().min(1).max(64), priority: z.enum(PRIORITY_GROUPS).nullable().optional(), source: z.enum(TICKET_SOURCES).optional(), precheck: precheckSchema.nullable().optional(), bookingSlot: z.iso.datetime().nullable().optional(), key }),
  z.strictObject({ type: z.literal('call_next'), counterId, key }),
  z.strictObject({ type: z.literal('call_ticket'), counterId, ticket: ticketRef, reason: text(200), key }),
  z.strictObject({ type: z.literal('recall'), counterId, key }),
  z.strictObject({ type: z.literal('start'), counterId, key }),
  z.strictObject({ type: z.literal('finish'), counterId, outcome: z.enum(FINISH_OUTCOMES), key }),
  z.strictObject({ type: z.literal('no_show'), counterId, key }),
  z.strictObject({ type: z.literal('reinstate'), ticket: ticketRef, key }),
  z.strictObject({
    type: z.literal('transfer'),
    counterId,
    toService: z.string().min(1).max(64).optional(),
    toCounter: id.optional(),
    precedence: z.boolean().default(false),
    key,
  }),
  z.strictObject({ type: z.literal('park'), counterId, reason: text(200).optional(), key }),
  z.strictObject({ type: z.literal('return'), counterId, ticket: ticketRef, key }),
  z.strictObject({ type: z.literal('cancel'), ticket: ticketRef, reason: text(200), key }),
  z.strictObject({ type: z.literal('pause'), counterId, reason: z.enum(PAUSE_REASONS), note: text(200).nullable().optional(), key }),
  z.strictObject({ type: z.literal('resume'), counterId, key }),
  z.strictObject({ type: z.literal('sign_in'), counterId, key }),
  z.strictObject({ type: z.literal('sign_out'), counterId, key }),
  z.strictObject({ type: z.literal('configure_counter'), counterId, services: z.array(z.string().min(1).max(64)).min(1).max(26), autoCallNext: z.boolean(), key }),
  z.strictObject({
    type: z.literal('move_ticket'),
    ticket: ticketRef,
    toService: z.string().min(1).max(64).optional(),
    toCounter: id.optional(),
    precedence: z.boolean().default(false),
    key,
  }),
  z.strictObject({ type: z.literal('record_precheck'), service: z.string().min(1).max(64), subcase: id, missing: z.array(id).min(1).max(50), answers: precheckAnswersSchema.optional(), key }),
  z.strictObject({ type: z.literal('close_service'), service: z.string().min(1).max(64), reason: text(200), key }),
  z.strictObject({ type: z.literal('reopen_service'), service: z.string().min(1).max(64), key }),
  z.strictObject({ type: z.literal('answer_survey'), ticket: ticketRef, ...surveyAnswerFields, key }),
]);
export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];
export const COMMAND_TYPES = commandSchema.options.map((o) => o.shape.type.value) as CommandType[];

type Variant<T extends CommandType> = Extract<(typeof commandSchema.options)[number], { shape: { type: z.ZodLiteral<T> } }>;
type Shape<T extends CommandType> = Variant<T>['shape'];
type Field<T extends CommandType, K> = Extract<Shape<T>[K & keyof Shape<T>], z.core.$ZodType>;

/** The schema of one command type (one member of commandSchema). */
export function commandVariant<T extends CommandType>(type: T): Variant<T> {
  const v = commandSchema.options.find((o) => o.shape.type.value === type);
  if (!v) throw new Error(`no command schema for ${type}`);
  return v as Variant<T>;
}

const IDEMPOTENCY_KEY_TEXT =
  'Makes the command safe to retry: a repeat with the same key returns the first result (header `Idempotent-Replayed: true`) and changes nothing. ' +
  'Same as the `Idempotency-Key` header; the body field wins when both are sent. Reusing a key for a different command fails with 409 `idempotency_conflict`.';

const mask = <K extends PropertyKey>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, true])) as Record<K, true>;

/**
 * How a command travels over REST: the fields named in `fromPath` come from
 * the URL (validated by `params`), the others, and the idempotency key under
 * the name `idempotencyKey`, from the body (validated by `body`). Both are
 * the command's own field schemas, so the command built from them needs no
 * second validation; `overrides` only relaxes a field for REST (a default).
 */
export function restForm<T extends CommandType, const P extends Exclude<keyof Shape<T>, 'type' | 'key'> = never, O extends z.core.$ZodLooseShape = {}>(
  type: T,
  fromPath: readonly P[] = [],
  overrides?: O,
): {
  type: T;
  body: z.ZodObject<{ [K in Exclude<keyof Shape<T>, P | 'type' | 'key' | keyof O>]: Field<T, K> } & { idempotencyKey: typeof key } & O, z.core.$strict>;
  params: z.ZodObject<{ [K in P]: Field<T, K> }, z.core.$strict>;
} {
  const v: z.ZodObject<z.core.$ZodLooseShape, z.core.$strict> = commandVariant(type);
  const body = v
    .omit({ ...mask(fromPath as readonly string[]), type: true, key: true })
    .extend({ idempotencyKey: key.describe(IDEMPOTENCY_KEY_TEXT), ...overrides });
  const params = v.pick(mask(fromPath as readonly string[]));
  return { type, body, params } as never;
}

/** The command from fields its REST form validated (no second validation). */
export function commandOf<T extends CommandType>(type: T, path: Record<string, unknown>, body: Record<string, unknown>, key: string | undefined): Extract<Command, { type: T }> {
  const { idempotencyKey: _k, ...fields } = body;
  return { ...fields, ...path, type, ...(key !== undefined ? { key } : {}) } as Extract<Command, { type: T }>;
}

/** The idempotency key schema (header or body field). */
export const idempotencyKeySchema = key.unwrap();

const issue = commandVariant('issue').shape;
/** Issuing a ticket over REST (the server sets the source). */
export const issueForm = restForm('issue', ['source'], {
  service: issue.service.describe('Service id ("ktp-el") or its ticket letter ("A").'),
  priority: issue.priority.describe('Priority group, when the citizen belongs to one.'),
  precheck: issue.precheck.describe('Result of the requirements check done at the kiosk.'),
  bookingSlot: issue.bookingSlot.describe('Accepted, but not used by this endpoint: tickets issued here are never booking tickets.'),
});
/** The body a kiosk or staff sends to issue a ticket (REST and the kiosk socket). */
export const issueBodySchema = issueForm.body;
export type IssueBody = z.infer<typeof issueBodySchema>;

export const loginSchema = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const pairRequestSchema = z.strictObject({
  kind: z.enum(DEVICE_KINDS),
  name: z.string().trim().min(1).max(80).optional(),
});

export const pairApproveSchema = z.strictObject({
  office: id,
  name: z.string().trim().min(1).max(80).optional(),
});

/** The 6-digit code a screen shows while it waits to be paired. */
export const pairingCodeSchema = z.string().regex(/^\d{6}$/);
