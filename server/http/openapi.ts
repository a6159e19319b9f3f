// The OpenAPI 3.1 description of the REST API, served at /api/v1/openapi.json.
// What can drift is generated: request bodies from the zod schemas the routers
// validate with (protocol/commands.ts and COUNTER_ENDPOINTS, via z.toJSONSchema),
// who may run each command from COMMAND_PERMISSIONS, and the error codes,
// statuses and messages from ERRORS. Response shapes are written by hand, and
// the type checker holds them to the interfaces in protocol/model.ts (see
// `shape`).
import { z } from 'zod';
import { VERSION } from '../version.ts';
import { commandSchema, issueBodySchema, loginSchema, pairApproveSchema, pairRequestSchema, type CommandType } from '../../protocol/commands.ts';
import { ERRORS, apiError, httpStatusOf, type ApiError, type ErrorCode } from '../../protocol/errors.ts';
import { NAMESPACES, type CommandResult } from '../../protocol/events.ts';
import {
  DEVICE_KINDS,
  FINISH_OUTCOMES,
  PAUSE_REASONS,
  PRIORITY_GROUPS,
  ROLES,
  TICKET_SOURCES,
  TICKET_STATES,
  type Actor,
  type Bilingual,
  type CallView,
  type CounterConfig,
  type CounterState,
  type DisplayProfile,
  type PrecheckResult,
  type PublicOffice,
  type QueueSnapshot,
  type Requirement,
  type ServiceConfig,
  type ServiceStats,
  type Subcase,
  type Ticket,
} from '../../protocol/model.ts';
import { SESSION_COOKIE } from '../auth/auth-service.ts';
import type { OfficeAvailability, OpeningMoment, ServiceAvailability } from '../domain/availability.ts';
import { COMMAND_PERMISSIONS, LOOPBACK_DEVICE, mayRun } from '../auth/permissions.ts';
import { QR_MAX_BYTES } from './kiosk.ts';
import type { MetricsSample } from '../metrics.ts';
import { COUNTER_ENDPOINTS } from './queue.ts';

type Schema = Record<string, unknown>;
interface ObjectSchema extends Schema {
  properties?: Record<string, Schema>;
  required?: string[];
}

export const OPENAPI_TAGS = ['session', 'queue', 'counter', 'devices', 'kiosk', 'health'] as const;
type Tag = (typeof OPENAPI_TAGS)[number];

// ---------------------------------------------------------------------------
// Small schema helpers

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
const nullableStr = (description?: string, extra: Schema = {}): Schema => ({ type: ['string', 'null'], ...(description ? { description } : {}), ...extra });
const dateTime = (description?: string): Schema => str(description, { format: 'date-time' });
const nullableDateTime = (description?: string): Schema => nullableStr(description, { format: 'date-time' });
const int = (description?: string, minimum = 0): Schema => ({ type: 'integer', minimum, ...(description ? { description } : {}) });
const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const enumOf = (values: readonly string[], description?: string): Schema => ({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const nullableEnumOf = (values: readonly string[], description?: string): Schema => ({ type: ['string', 'null'], enum: [...values, null], ...(description ? { description } : {}) });
const arrayOf = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description ? { description } : {}) });
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), description?: string): ObjectSchema => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  ...(required.length > 0 ? { required } : {}),
});

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/**
 * An object schema for the TypeScript type T: the checker insists on one
 * property schema per field of T, and no others, so a field added to or
 * removed from protocol/model.ts breaks the type check here.
 */
function shape<T>(properties: { [K in keyof T]-?: Schema }, optional: ReadonlyArray<OptionalKeys<T>> = [], description?: string): ObjectSchema {
  const props = properties as Record<string, Schema>;
  return obj(props, Object.keys(props).filter((k) => !(optional as readonly PropertyKey[]).includes(k)), description);
}

// ---------------------------------------------------------------------------
// Request bodies generated from the zod schemas

function toSchema(schema: z.ZodType): ObjectSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as ObjectSchema;
  return rest;
}

function commandOption(type: CommandType) {
  const option = commandSchema.options.find((o) => o.shape.type.value === type);
  if (!option) throw new Error(`no command schema for ${type}`);
  return option;
}

/** A command's JSON schema with `key` renamed to `idempotencyKey` (its name in HTTP bodies). */
function commandFields(type: CommandType): { properties: Record<string, Schema>; required: string[] } {
  const cmd = toSchema(commandOption(type));
  const rename = (name: string) => (name === 'key' ? 'idempotencyKey' : name);
  const properties = Object.fromEntries(Object.entries(cmd.properties ?? {}).map(([name, s]) => [rename(name), s]));
  return { properties, required: (cmd.required ?? []).map(rename) };
}

const IDEMPOTENCY_KEY_TEXT =
  'Makes the command safe to retry: a repeat with the same key returns the first result (header `Idempotent-Replayed: true`) and changes nothing. ' +
  'Same as the `Idempotency-Key` header; the body field wins when both are sent. Reusing a key for a different command fails with 409 `idempotency_conflict`.';

/**
 * The request body of a command endpoint. Fields named in `fromPath` come from
 * the URL. When the router first validates the body with its own zod schema
 * (`routerBody`), that schema decides which fields exist and which are
 * required; each field still carries the command schema's constraints, since
 * the assembled command is validated with commandSchema as well.
 */
function commandBody(type: CommandType, fromPath: readonly string[], routerBody?: z.ZodType): ObjectSchema {
  const cmd = commandFields(type);
  const own = (name: string) => name !== 'type' && !fromPath.includes(name);
  let properties: Record<string, Schema> = Object.fromEntries(Object.entries(cmd.properties).filter(([name]) => own(name)));
  let required = cmd.required.filter(own);
  if (routerBody) {
    const body = toSchema(routerBody);
    properties = Object.fromEntries(
      Object.entries(body.properties ?? {}).map(([name, s]) => [name, { ...(cmd.properties[name] ?? s), ...('default' in s ? { default: s.default } : {}) }]),
    );
    required = body.required ?? [];
  }
  if (properties.idempotencyKey) properties.idempotencyKey = { ...properties.idempotencyKey, description: IDEMPOTENCY_KEY_TEXT };
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

function issueBody(): ObjectSchema {
  const s = toSchema(issueBodySchema);
  const p = s.properties ?? {};
  if (p.service) p.service = { ...p.service, description: 'Service id ("ktp-el") or its ticket letter ("A").' };
  if (p.priority) p.priority = { ...p.priority, description: 'Priority group, when the citizen belongs to one.' };
  if (p.precheck) p.precheck = { ...p.precheck, description: 'Result of the requirements check done at the kiosk.' };
  if (p.bookingSlot) p.bookingSlot = { ...p.bookingSlot, description: 'Accepted, but not used by this endpoint: tickets issued here are never booking tickets.' };
  if (p.idempotencyKey) p.idempotencyKey = { ...p.idempotencyKey, description: IDEMPOTENCY_KEY_TEXT };
  return s;
}

const pascal = (s: string) => s.replace(/(^|[-_])([a-z])/g, (_m, _sep: string, c: string) => c.toUpperCase());
const camel = (s: string) => pascal(s).replace(/^./, (c) => c.toLowerCase());

// ---------------------------------------------------------------------------
// Response schemas, by hand, checked against protocol/model.ts by `shape`

const ACTOR_ROLES = [...ROLES, ...DEVICE_KINDS].filter((r, i, all) => all.indexOf(r) === i);
const HHMM = str('Local time, 24h "HH:MM".', { pattern: '^\\d{2}:\\d{2}$' });
const bilingual = (description?: string): Schema => (description ? { allOf: [ref('Bilingual')], description } : ref('Bilingual'));

function responseSchemas(): Record<string, Schema> {
  return {
    Bilingual: shape<Bilingual>({ id: str('Bahasa Indonesia.'), en: str('English.') }, [], 'Text shown to people: Bahasa Indonesia first, English second.'),
    Error: obj(
      {
        error: shape<ApiError>(
          {
            code: enumOf(Object.keys(ERRORS), 'Stable machine-readable code; the HTTP status follows from it (see each response).'),
            message: ref('Bilingual'),
            details: arrayOf(obj({ path: str('Dotted path of the field that is wrong.'), message: str() }), 'Which fields were wrong (validation errors only).'),
          },
          ['details'],
        ),
      },
      ['error'],
      'The one error shape of every response that is not 2xx.',
    ),
    Actor: shape<Actor>(
      { kind: enumOf(['user', 'device', 'system']), id: str(), name: str(), role: enumOf(ACTOR_ROLES, 'Staff role, or device kind for devices.') },
      ['name', 'role'],
      'Who did something.',
    ),
    PrecheckResult: shape<PrecheckResult>({ subcase: str(), passed: bool(), missing: arrayOf(str(), 'Requirement ids not brought.') }),
    Ticket: shape<Ticket>(
      {
        id: str('Unique across days: `${officeDay}/${number}`, e.g. "2026-11-23/A001".'),
        number: str('Number of the day, e.g. "A001".', { pattern: '^[A-Z]\\d{3,4}$' }),
        serviceId: str(),
        seq: int('Per-service sequence number of the day (1 for A001).', 1),
        officeDay: str('The office-local date.', { format: 'date' }),
        priority: nullableEnumOf(PRIORITY_GROUPS),
        source: enumOf(TICKET_SOURCES),
        state: enumOf(TICKET_STATES),
        counterId: nullableStr('The counter holding it (called, serving, parked), else null.'),
        targetCounterId: nullableStr('After a transfer to a counter, only that counter may call it.'),
        precedence: bool('Transferred in with a promise to be called before others.'),
        bookingSlot: nullableDateTime('Booking slot start, for booked tickets.'),
        issuedAt: dateTime(),
        queuedAt: dateTime('Since when it has waited in its current queue (orders FIFO).'),
        calledAt: nullableDateTime(),
        startedAt: nullableDateTime(),
        finishedAt: nullableDateTime(),
        calls: int('Times called, recalls included.'),
        outcome: nullableEnumOf(FINISH_OUTCOMES),
        precheck: nullable(ref('PrecheckResult')),
        etaMinutesAtIssue: { type: 'number', minimum: 0, description: 'Estimated wait in minutes when issued.' },
        aheadAtIssue: int('People waiting for the same service when it was issued.'),
        transfers: int('Number of transfers so far.'),
      },
      [],
      'One queue ticket.',
    ),
    CounterState: shape<CounterState>({
      id: str(),
      services: arrayOf(str(), 'Services served today, in order of preference.'),
      paused: {
        anyOf: [obj({ reason: enumOf(PAUSE_REASONS), note: nullableStr(), since: dateTime() }), { type: 'null' }],
      },
      autoCallNext: bool(),
      ticketId: nullableStr('The ticket called or being served here.'),
      staff: nullable(ref('Actor')),
      priorityStreak: int(),
      served: int(),
      serviceSecondsTotal: { type: 'number', minimum: 0 },
    }),
    ServiceStats: shape<ServiceStats>({
      serviceId: str(),
      waiting: int(),
      oldestWaitingSince: nullableDateTime(),
      etaMinutes: { type: 'number', minimum: 0, description: 'Estimated wait for a ticket issued now, minutes.' },
      countersServing: int('Counters open (not paused) that serve it.'),
      issuedToday: int(),
      closedToday: bool(),
    }),
    CallView: shape<CallView>({ ticketId: str(), number: str(), serviceId: str(), counterId: str(), at: dateTime(), recall: bool() }),
    QueueSnapshot: shape<QueueSnapshot>(
      {
        officeId: str(),
        officeDay: str(undefined, { format: 'date' }),
        version: int('Increases by one per committed change; socket deltas carry the next one.'),
        serverTime: dateTime(),
        tickets: arrayOf(ref('Ticket'), 'Tickets not yet finished, and no-shows still reinstatable.'),
        counters: arrayOf(ref('CounterState')),
        services: arrayOf(ref('ServiceStats')),
        recentCalls: arrayOf(ref('CallView')),
      },
      [],
      'The whole state of an office day.',
    ),
    CommandResult: shape<CommandResult>(
      {
        ticket: { anyOf: [ref('Ticket'), { type: 'null' }], description: 'The ticket acted on, in its new state (null for counter-only commands).' },
        version: int('Queue version after the command.'),
        replayed: bool('True when the idempotency key had been seen: nothing changed, this is the first result.'),
      },
      [],
    ),
    Requirement: shape<Requirement>({ id: str(), text: ref('Bilingual'), mandatory: bool(), staffJudged: bool() }),
    Subcase: shape<Subcase>(
      {
        id: str(),
        name: ref('Bilingual'),
        requirements: arrayOf(ref('Requirement')),
        eligibility: obj({ minAge: int(), maxAge: int(), note: ref('Bilingual') }, []),
      },
      ['eligibility'],
    ),
    ServiceConfig: shape<ServiceConfig>({
      id: str(),
      prefix: str('Ticket letter.', { pattern: '^[A-Z]$' }),
      name: ref('Bilingual'),
      description: ref('Bilingual'),
      standard: bilingual('Completion standard, e.g. "1 jam".'),
      fee: int('Fee in rupiah.'),
      icon: str(),
      subcases: arrayOf(ref('Subcase')),
      quota: obj({ walkIn: { type: ['integer', 'null'], minimum: 0 }, online: { type: ['integer', 'null'], minimum: 0 } }, undefined, 'Daily caps; null = unlimited.'),
      active: bool(),
    }),
    CounterConfig: shape<CounterConfig>({
      id: str(),
      name: str(),
      word: str('Word used when the call is spoken: "loket", "meja", "ruang".'),
      services: arrayOf(str()),
    }),
    OpeningHours: {
      type: 'object',
      description: 'Local opening periods per weekday; a missing day is closed.',
      propertyNames: { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
      additionalProperties: arrayOf({ type: 'array', prefixItems: [HHMM, HHMM], minItems: 2, maxItems: 2 }),
    },
    PublicOffice: shape<PublicOffice>({
      id: str(),
      name: ref('Bilingual'),
      shortName: str(),
      timeZone: str('IANA time zone, e.g. "Asia/Makassar".'),
      hours: ref('OpeningHours'),
      services: arrayOf(ref('ServiceConfig')),
      counters: arrayOf(ref('CounterConfig')),
      complaintChannel: ref('Bilingual'),
      marquee: ref('Bilingual'),
      kiosk: obj({ idleSeconds: int() }),
      displays: arrayOf(ref('DisplayProfile')),
      logo: nullableStr('Office logo: a same-origin path or a data:image URL; null = none.'),
      rules: shape<PublicOffice['rules']>({ reinstateWindowMinutes: int(), enforceHours: bool(), priorityPerRegular: int() }),
    }),
    DisplayProfile: shape<DisplayProfile>({
      id: str(),
      name: str(),
      services: arrayOf(str(), 'Service ids shown; empty = all.'),
      counters: arrayOf(str(), 'Counter ids shown; empty = all.'),
      layout: enumOf(['landscape', 'portrait']),
      secondLanguage: nullableEnumOf(['en'], 'Language of the second line; null = Indonesian only.'),
      historySize: int(),
      showCounterStates: bool(),
      voice: enumOf(['clips', 'speech', 'off']),
      reloadAt: nullableStr('Local HH:MM of a daily self-reload, or null.'),
    }),
    OfficeSummary: obj({ id: str(), name: ref('Bilingual'), shortName: str(), timeZone: str() }),
    User: obj({
      id: str(),
      username: str(),
      name: str(),
      role: enumOf(ROLES),
      offices: arrayOf(str(), 'Office ids this user works for; ["*"] for every office.'),
    }),
    Device: obj({ id: str(), kind: enumOf(DEVICE_KINDS), officeId: str('"*" for the loopback demo device.'), name: str() }),
    DeviceRecord: obj({ id: str(), kind: enumOf(DEVICE_KINDS), officeId: str(), name: str(), createdAt: dateTime(), approvedBy: str('Username of the approving admin.') }),
    PendingPairing: obj({ code: str('The 6-digit code the screen shows.', { pattern: '^\\d{6}$' }), kind: enumOf(DEVICE_KINDS), name: str(), expiresAt: dateTime() }),
    AuditEntry: obj(
      {
        version: int('Queue version of the commit.', 1),
        at: dateTime(),
        actor: ref('Actor'),
        action: str('The event type, e.g. "ticket_called".'),
        ticketId: nullableStr(),
        reason: str(),
      },
      ['version', 'at', 'actor', 'action', 'ticketId'],
    ),
    Health: obj({ status: { type: 'string', const: 'ok' }, uptimeSeconds: int(), version: str() }),
    Metrics: shape<MetricsSample>({
      version: str(),
      uptimeSeconds: int(),
      memoryMb: obj({ rss: num(), heapUsed: num() }),
      eventLoopDelayMs: ref('Spread'),
      commits: obj({ total: int(), lastMinute: int(), durableWriteMs: nullable(ref('Spread')) }),
      sockets: obj(Object.fromEntries(NAMESPACES.map((r) => [r, int()]))),
    }),
    Spread: obj({ p50: num(), p99: num(), max: num() }),
    OpeningMoment: shape<OpeningMoment>(
      {
        date: str('Office-local date.', { format: 'date' }),
        time: HHMM,
        at: dateTime('The same moment as an instant.'),
        text: bilingual('Ready to show, e.g. "besok, Senin 25 November, pukul 08.00 WITA".'),
      },
      [],
      'A moment the office or a service opens (again), in the office\'s time zone.',
    ),
    ServiceAvailability: shape<ServiceAvailability>(
      {
        serviceId: str(),
        available: bool('A kiosk ticket can be issued now: the server would accept one.'),
        closedToday: bool('Closed for the whole of today: inactive, closed by staff, or no opening hours today.'),
        fullToday: bool("Today's walk-in quota is used up."),
        remainingToday: { type: ['integer', 'null'], minimum: 0, description: 'Walk-in tickets left today; null = no cap.' },
        reason: nullableEnumOf(['inactive', 'closed_by_staff', 'quota_full', 'office_closed_today', 'before_opening', 'break', 'after_closing'], 'Why it is not available; null when it is.'),
        message: { anyOf: [ref('Bilingual'), { type: 'null' }], description: 'Why, and from when it is open or has room again; null when available.' },
        staffNote: nullableStr('The reason staff typed when closing the service, as typed.'),
        next: { anyOf: [ref('OpeningMoment'), { type: 'null' }], description: 'When it is open or has room again, when known.' },
      },
      [],
      'Whether one service can be offered at the kiosk now.',
    ),
    OfficeAvailability: shape<OfficeAvailability>(
      {
        officeId: str(),
        officeDay: str(undefined, { format: 'date' }),
        at: dateTime('The instant this was computed for (server time).'),
        hours: obj({
          state: enumOf(['open', 'before_opening', 'break', 'after_closing', 'closed_today']),
          openNow: bool(),
          enforced: bool('Tickets are refused outside opening hours (rules.enforceHours).'),
          today: arrayOf({ type: 'array', prefixItems: [HHMM, HHMM], minItems: 2, maxItems: 2 }, "Today's opening periods."),
          next: { anyOf: [ref('OpeningMoment'), { type: 'null' }], description: 'The next opening when not open now.' },
        }),
        services: arrayOf(ref('ServiceAvailability')),
      },
      [],
      'What the kiosk may offer now, per service, with reasons.',
    ),
  };
}

// ---------------------------------------------------------------------------
// Who may do what

const LOOPBACK = { kind: 'device', device: LOOPBACK_DEVICE, loopback: true } as const;
const list = (xs: readonly string[]) => (xs.length === 0 ? 'none' : xs.join(', '));

function permissionsOf(type: CommandType) {
  const rule = COMMAND_PERMISSIONS[type];
  return { command: type, roles: [...rule.roles], devices: [...rule.devices], loopbackDemo: mayRun(LOOPBACK, type) };
}

function whoMay(type: CommandType): string {
  const p = permissionsOf(type);
  return [
    `**Who may call it** (command \`${type}\`):`,
    `- staff roles: ${list(p.roles)} (signed in, working at this office);`,
    `- paired devices: ${list(p.devices)} (paired to this office);`,
    `- loopback demo screens: ${p.loopbackDemo ? 'yes' : 'no'}.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------
// Errors: which codes each operation can return

/** Refusals every command can meet on its way through QueueService.execute. */
const COMMAND_ERRORS: ErrorCode[] = ['bad_request', 'unauthenticated', 'forbidden', 'office_not_found', 'day_mismatch', 'idempotency_conflict', 'unavailable'];

/** What the queue rules (server/domain/commands.ts) refuse, per command. */
const DOMAIN_ERRORS: Record<CommandType, ErrorCode[]> = {
  issue: ['service_not_found', 'service_closed', 'office_closed', 'quota_full'],
  call_next: ['counter_not_found', 'counter_taken', 'counter_paused', 'counter_busy', 'queue_empty'],
  call_ticket: ['counter_not_found', 'counter_taken', 'counter_paused', 'counter_busy', 'ticket_not_found', 'ticket_not_waiting', 'service_not_served'],
  recall: ['counter_not_found', 'counter_taken', 'counter_idle', 'invalid_state'],
  start: ['counter_not_found', 'counter_taken', 'counter_idle', 'invalid_state'],
  finish: ['counter_not_found', 'counter_taken', 'counter_idle'],
  no_show: ['counter_not_found', 'counter_taken', 'counter_idle', 'invalid_state'],
  reinstate: ['ticket_not_found', 'invalid_state', 'reinstate_window_passed'],
  transfer: ['counter_not_found', 'counter_taken', 'counter_idle', 'service_not_found'],
  park: ['counter_not_found', 'counter_taken', 'counter_idle'],
  return: ['counter_not_found', 'counter_taken', 'counter_paused', 'counter_busy', 'ticket_not_found', 'invalid_state'],
  cancel: ['ticket_not_found', 'invalid_state', 'counter_taken'],
  pause: ['counter_not_found', 'counter_taken', 'counter_paused'],
  resume: ['counter_not_found', 'counter_taken', 'counter_not_paused'],
  sign_in: ['counter_not_found', 'counter_taken'],
  sign_out: ['counter_not_found', 'counter_taken', 'invalid_state'],
  configure_counter: ['counter_not_found', 'counter_taken', 'service_not_found'],
  move_ticket: ['ticket_not_found', 'ticket_not_waiting', 'service_not_found', 'counter_not_found'],
  record_precheck: ['service_not_found', 'bad_request'],
  close_service: ['service_not_found', 'service_closed'],
  reopen_service: ['service_not_found', 'invalid_state'],
};

function errorResponses(codes: readonly ErrorCode[]): Record<string, Schema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, Schema> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const group = byStatus.get(status) ?? [];
    out[String(status)] = {
      description: group.map((c) => `\`${c}\`: ${ERRORS[c][2]}`).join(' '),
      content: {
        'application/json': {
          schema: ref('Error'),
          examples: Object.fromEntries(group.map((c) => [c, { summary: ERRORS[c][2], value: { error: apiError(c) } }])),
        },
      },
      /** The codes this operation can answer with under this status (machine-readable form of the description). */
      'x-giliran-error-codes': group,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------
// Operations

type Method = 'get' | 'post' | 'put' | 'delete';

const SECURITY = {
  none: [],
  staff: [{ staffSession: [] }],
  staffOrDevice: [{ staffSession: [] }, { deviceBearer: [] }, { deviceToken: [] }],
  /** `{}`: a screen on the server's own loopback address needs no credential. */
  staffOrDeviceOrLoopback: [{ staffSession: [] }, { deviceBearer: [] }, { deviceToken: [] }, {}],
  deviceOrLoopback: [{ deviceBearer: [] }, { deviceToken: [] }, {}],
  optionalStaff: [{}, { staffSession: [] }],
} as const;

interface Operation {
  method: Method;
  /** OpenAPI template, `{param}` for path parameters. */
  path: string;
  operationId: string;
  tag: Tag;
  summary: string;
  description: string;
  security: (typeof SECURITY)[keyof typeof SECURITY];
  /** Name of a schema under components.schemas. */
  body?: string;
  /** Extra (non-path) parameters. */
  parameters?: Schema[];
  responses: Record<string, Schema>;
  errors: ErrorCode[];
  extensions?: Schema;
}

const json = (schema: Schema, description: string, headers?: Record<string, Schema>): Schema => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

const REPLAYED_HEADER: Record<string, Schema> = {
  'Idempotent-Replayed': {
    description: 'Present (`true`) when the idempotency key had been seen: this is the first result again and nothing changed.',
    schema: { type: 'string', const: 'true' },
  },
};

function pathParameters(): Record<string, Schema> {
  const cancel = commandFields('cancel').properties;
  const callNext = commandFields('call_next').properties;
  const close = commandFields('close_service').properties;
  return {
    office: { description: 'Office id, e.g. "kupang".', schema: str() },
    counter: { description: 'Counter id within the office.', schema: callNext.counterId ?? str() },
    ticket: {
      description: 'Ticket number of today ("A001") or full ticket id ("2026-11-23/A001", with the slash URL-encoded as %2F).',
      schema: cancel.ticket ?? str(),
    },
    service: { description: 'Service id ("ktp-el") or its ticket letter ("A").', schema: close.service ?? str() },
    requestId: { description: 'The `requestId` returned when the pairing was requested.', schema: str() },
    code: { description: 'The 6-digit pairing code the screen shows.', schema: str(undefined, { pattern: '^\\d{6}$' }) },
    id: { description: 'Device id.', schema: str() },
  };
}

function operations(): Operation[] {
  const ops: Operation[] = [];
  const office = '/api/v1/offices/{office}';
  const idem = { $ref: '#/components/parameters/IdempotencyKey' };

  /** A queue command: POST (or PUT) that runs one command through QueueService.execute. */
  const command = (op: Omit<Operation, 'tag' | 'security' | 'responses' | 'errors' | 'parameters' | 'extensions'> & { tag: Tag; type: CommandType; created?: boolean; extraErrors?: ErrorCode[]; note?: string }): Operation => ({
    method: op.method,
    path: op.path,
    operationId: op.operationId,
    tag: op.tag,
    summary: op.summary,
    description: [op.description, op.note, whoMay(op.type)].filter(Boolean).join('\n\n'),
    security: permissionsOf(op.type).loopbackDemo ? SECURITY.staffOrDeviceOrLoopback : SECURITY.staffOrDevice,
    ...(op.body ? { body: op.body } : {}),
    parameters: [idem],
    responses: op.created
      ? {
          201: json(ref('CommandResult'), 'Created: the ticket was issued.'),
          200: json(ref('CommandResult'), 'A repeat of an earlier request with the same idempotency key: its first result, nothing issued.', REPLAYED_HEADER),
        }
      : { 200: json(ref('CommandResult'), 'Done.', REPLAYED_HEADER) },
    errors: [...COMMAND_ERRORS, ...DOMAIN_ERRORS[op.type], ...(op.extraErrors ?? [])],
    extensions: { 'x-giliran-command': op.type, 'x-giliran-permissions': permissionsOf(op.type) },
  });

  // session
  ops.push(
    {
      method: 'post',
      path: '/api/v1/session',
      operationId: 'createSession',
      tag: 'session',
      summary: 'Sign in',
      description: `Checks a staff username and password and sets the \`${SESSION_COOKIE}\` session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS). Failed attempts are throttled per username and address.`,
      security: SECURITY.none,
      body: 'LoginBody',
      responses: {
        200: json(obj({ user: ref('User'), expiresAt: dateTime() }), 'Signed in.', {
          'Set-Cookie': { description: `\`${SESSION_COOKIE}=…; Path=/; HttpOnly; SameSite=Strict; Max-Age=…\``, schema: str() },
        }),
      },
      errors: ['invalid_credentials', 'rate_limited'],
    },
    {
      method: 'get',
      path: '/api/v1/session',
      operationId: 'getSession',
      tag: 'session',
      summary: 'Who is signed in',
      description: 'The signed-in staff user. Device tokens do not count: a device gets 401.',
      security: SECURITY.staff,
      responses: { 200: json(obj({ user: ref('User') }), 'The signed-in user.') },
      errors: ['unauthenticated'],
    },
    {
      method: 'delete',
      path: '/api/v1/session',
      operationId: 'deleteSession',
      tag: 'session',
      summary: 'Sign out',
      description: 'Ends the session (when there is one) and clears the cookie. Always 204.',
      security: SECURITY.optionalStaff,
      responses: {
        204: {
          description: 'Signed out.',
          headers: { 'Set-Cookie': { description: `Clears \`${SESSION_COOKIE}\` (Max-Age=0).`, schema: str() } },
        },
      },
      errors: [],
    },
  );

  // queue
  ops.push(
    {
      method: 'get',
      path: '/api/v1/offices',
      operationId: 'listOffices',
      tag: 'queue',
      summary: 'List offices',
      description: 'Public: every office this server runs.',
      security: SECURITY.none,
      responses: { 200: json(obj({ offices: arrayOf(ref('OfficeSummary')) }), 'The offices.') },
      errors: [],
    },
    {
      method: 'get',
      path: office,
      operationId: 'getOffice',
      tag: 'queue',
      summary: 'One office',
      description: 'Public: what a page needs to know about an office (services, counters, hours; no secrets).',
      security: SECURITY.none,
      responses: { 200: json(obj({ office: ref('PublicOffice') }), 'The office.') },
      errors: ['office_not_found'],
    },
    {
      method: 'get',
      path: `${office}/queue`,
      operationId: 'getQueue',
      tag: 'queue',
      summary: 'Queue snapshot',
      description:
        'The whole state of the office day. Any signed-in staff user or paired device of this office (any kind), or a loopback demo screen. Live changes come over Socket.IO.',
      security: SECURITY.staffOrDeviceOrLoopback,
      responses: { 200: json(ref('QueueSnapshot'), 'The snapshot.') },
      errors: ['unauthenticated', 'forbidden', 'office_not_found'],
    },
    command({
      method: 'post',
      path: `${office}/tickets`,
      operationId: 'issueTicket',
      tag: 'queue',
      type: 'issue',
      created: true,
      summary: 'Issue a ticket',
      description:
        'Takes a number. Issued by staff the ticket has source `counter` (and ignores opening hours); issued by a device it has source `kiosk`. Each user, and each device per address, may issue a limited number of tickets per minute.',
      body: 'IssueBody',
      extraErrors: ['rate_limited'],
    }),
    command({
      method: 'post',
      path: `${office}/tickets/{ticket}/cancel`,
      operationId: 'cancelTicket',
      tag: 'queue',
      type: 'cancel',
      summary: 'Cancel a ticket',
      description: 'Cancels a ticket that is not done or already cancelled; a reason is required.',
      body: 'CancelBody',
    }),
    command({
      method: 'post',
      path: `${office}/tickets/{ticket}/reinstate`,
      operationId: 'reinstateTicket',
      tag: 'queue',
      type: 'reinstate',
      summary: 'Reinstate a no-show',
      description: 'Puts a no-show ticket back in the queue, within the office\'s reinstate window.',
      body: 'ReinstateBody',
    }),
    command({
      method: 'post',
      path: `${office}/tickets/{ticket}/move`,
      operationId: 'moveTicket',
      tag: 'queue',
      type: 'move_ticket',
      summary: 'Move a waiting ticket',
      description: 'Supervisor: sends a waiting ticket to another service and/or a named counter, keeping its number; with `precedence` it is called before the others there.',
      body: 'MoveTicketBody',
    }),
    command({
      method: 'post',
      path: `${office}/prechecks`,
      operationId: 'recordPrecheck',
      tag: 'queue',
      type: 'record_precheck',
      created: true,
      summary: 'Record a failed requirement pre-check',
      description: 'The kiosk records, without any personal data, a pre-check that ended in "what to bring" (which service, sub-case and missing items), for reports.',
      body: 'RecordPrecheckBody',
    }),
    command({
      method: 'post',
      path: `${office}/services/{service}/close`,
      operationId: 'closeService',
      tag: 'queue',
      type: 'close_service',
      summary: 'Close a service for today',
      description: 'No more tickets are issued for the service today.',
      body: 'CloseServiceBody',
    }),
    command({
      method: 'post',
      path: `${office}/services/{service}/reopen`,
      operationId: 'reopenService',
      tag: 'queue',
      type: 'reopen_service',
      summary: 'Reopen a closed service',
      description: 'Undoes a close for today.',
      body: 'ReopenServiceBody',
    }),
    {
      method: 'get',
      path: `${office}/audit`,
      operationId: 'getAudit',
      tag: 'queue',
      summary: 'Audit log of a day',
      description: '**Who may call it:** staff roles admin, supervisor (working at this office). Every recorded queue event of the day, oldest first.',
      security: SECURITY.staff,
      parameters: [
        { name: 'day', in: 'query', required: false, description: 'Office day, YYYY-MM-DD; today when left out.', schema: str(undefined, { format: 'date' }) },
      ],
      responses: { 200: json(obj({ officeDay: str(undefined, { format: 'date' }), entries: arrayOf(ref('AuditEntry')) }), 'The day\'s entries.') },
      errors: ['bad_request', 'unauthenticated', 'forbidden', 'office_not_found'],
    },
  );

  // counter: one endpoint per COUNTER_ENDPOINTS entry
  const COUNTER_TEXT: Record<keyof typeof COUNTER_ENDPOINTS, [string, string]> = {
    'call-next': ['Call the next ticket', 'Calls the next waiting ticket this counter serves (priority groups and transfers with precedence first).'],
    call: ['Call a specific ticket', 'Calls one waiting ticket out of turn; a reason is required and recorded.'],
    recall: ['Call again', 'Calls the held ticket again (it must still be `called`).'],
    start: ['Start serving', 'The citizen arrived: the held ticket becomes `serving`.'],
    finish: ['Finish', 'Finishes the held ticket with an outcome (default `done`). With auto-call the next ticket is called at once.'],
    'no-show': ['No-show', 'The citizen did not come: the held `called` ticket becomes `no_show` (reinstatable for a while).'],
    transfer: ['Transfer', 'Sends the held ticket to another service and/or counter. At least one of `toService`, `toCounter` is needed (else 400 `bad_request`).'],
    park: ['Park', 'Sets the held ticket aside (e.g. the citizen fetches a document); the counter is free again.'],
    return: ['Return a parked ticket', 'Calls a ticket this counter parked.'],
    pause: ['Pause the counter', 'The counter takes no calls until resumed.'],
    resume: ['Resume the counter', 'Ends a pause.'],
    'sign-in': ['Sign in at the counter', 'The signed-in user works at this counter from now on: other clerks are refused there (`counter_taken`) until they sign out. A counter held by another clerk is taken over only when it holds no ticket and is not paused.'],
    'sign-out': ['Sign out of the counter', 'Frees the counter: by the user signed in there, or by a supervisor or admin (release).'],
  };
  for (const [name, spec] of Object.entries(COUNTER_ENDPOINTS) as Array<[keyof typeof COUNTER_ENDPOINTS, (typeof COUNTER_ENDPOINTS)[keyof typeof COUNTER_ENDPOINTS]]>) {
    const [summary, description] = COUNTER_TEXT[name];
    ops.push(
      command({
        method: 'post',
        path: `${office}/counters/{counter}/${name}`,
        operationId: camel(`counter-${name}`),
        tag: 'counter',
        type: spec.type,
        summary,
        description,
        body: `${pascal(name)}Body`,
      }),
    );
  }
  ops.push(
    command({
      method: 'put',
      path: `${office}/counters/{counter}/settings`,
      operationId: 'configureCounter',
      tag: 'counter',
      type: 'configure_counter',
      summary: 'Counter settings',
      description: 'Sets the services this counter serves today (ids or letters, in order of preference) and whether it calls the next ticket on finish.',
      body: 'CounterSettingsBody',
    }),
  );

  // devices
  ops.push(
    {
      method: 'post',
      path: '/api/v1/devices/pairing',
      operationId: 'requestPairing',
      tag: 'devices',
      summary: 'Ask to be paired',
      description:
        'An unpaired kiosk, display or agent asks for a pairing code. It shows `code` for an admin to approve, keeps `secret`, and polls `GET /api/v1/devices/pairing/{requestId}` with it. Codes expire after 15 minutes. Rate-limited per address.',
      security: SECURITY.none,
      body: 'PairRequestBody',
      responses: {
        201: json(
          obj({
            requestId: str(),
            code: str('6 digits, shown on the screen.', { pattern: '^\\d{6}$' }),
            secret: str('Proves the poller is the screen that asked; send it as `X-Pairing-Secret`.'),
            expiresAt: dateTime(),
          }),
          'Pairing requested.',
        ),
      },
      errors: ['rate_limited'],
    },
    {
      method: 'get',
      path: '/api/v1/devices/pairing/{requestId}',
      operationId: 'getPairingStatus',
      tag: 'devices',
      summary: 'Poll a pairing request',
      description:
        'The screen polls until an admin approves. Once approved the device token is returned exactly once (the request is then forgotten); keep it and send it as `Authorization: Bearer` or `X-Device-Token`. A wrong secret, an unknown or an expired request all give 404.',
      security: SECURITY.none,
      parameters: [{ $ref: '#/components/parameters/PairingSecret' }],
      responses: {
        200: json(
          {
            oneOf: [
              obj({ status: { type: 'string', const: 'pending' } }),
              obj({ status: { type: 'string', const: 'approved' }, token: str('The device token (shown once).'), device: ref('Device') }),
            ],
          },
          'Pending, or approved with the token.',
        ),
      },
      errors: ['pairing_not_found'],
    },
    {
      method: 'get',
      path: '/api/v1/devices/pairing',
      operationId: 'listPendingPairings',
      tag: 'devices',
      summary: 'Pending pairing requests',
      description: '**Who may call it:** staff role admin.',
      security: SECURITY.staff,
      responses: { 200: json(obj({ pending: arrayOf(ref('PendingPairing')) }), 'Requests not yet approved or expired.') },
      errors: ['unauthenticated', 'forbidden'],
    },
    {
      method: 'post',
      path: '/api/v1/devices/pairing/{code}/approve',
      operationId: 'approvePairing',
      tag: 'devices',
      summary: 'Approve a pairing code',
      description: '**Who may call it:** staff role admin. Pairs the screen showing `code` to an office; the device record is on disk before the response.',
      security: SECURITY.staff,
      body: 'PairApproveBody',
      responses: { 201: json(obj({ device: ref('Device') }), 'Paired.') },
      errors: ['bad_request', 'unauthenticated', 'forbidden', 'office_not_found', 'pairing_not_found'],
    },
    {
      method: 'get',
      path: '/api/v1/devices',
      operationId: 'listDevices',
      tag: 'devices',
      summary: 'Paired devices',
      description: '**Who may call it:** staff role admin.',
      security: SECURITY.staff,
      responses: { 200: json(obj({ devices: arrayOf(ref('DeviceRecord')) }), 'All paired devices.') },
      errors: ['unauthenticated', 'forbidden'],
    },
    {
      method: 'delete',
      path: '/api/v1/devices/{id}',
      operationId: 'revokeDevice',
      tag: 'devices',
      summary: 'Revoke a device',
      description: '**Who may call it:** staff role admin. Its token stops working at once.',
      security: SECURITY.staff,
      responses: { 204: { description: 'Revoked.' } },
      errors: ['unauthenticated', 'forbidden', 'not_found'],
    },
    {
      method: 'get',
      path: '/api/v1/devices/me',
      operationId: 'getOwnDevice',
      tag: 'devices',
      summary: 'Is this screen paired?',
      description:
        'A screen asks whether it is paired, or trusted as a loopback demo screen (`loopback: true`, device id "loopback", office "*"). A staff session cookie takes precedence over a device token, so a browser signed in as staff gets 403 here.',
      security: SECURITY.deviceOrLoopback,
      responses: { 200: json(obj({ device: ref('Device'), loopback: bool() }), 'This device.') },
      errors: ['device_not_paired'],
    },
  );

  // kiosk
  ops.push(
    {
      method: 'get',
      path: `${office}/availability`,
      operationId: 'getAvailability',
      tag: 'kiosk',
      summary: 'What the kiosk may offer now',
      description:
        'Public. Per service: whether a ticket can be issued now (the same rules the issue command applies: active, not closed by staff, walk-in quota, opening hours when the office enforces them), and if not, why (in Bahasa Indonesia and English) and when it is open or has room again, computed in the office\'s time zone.',
      security: SECURITY.none,
      responses: { 200: json(ref('OfficeAvailability'), 'Availability now.') },
      errors: ['office_not_found'],
    },
    {
      method: 'get',
      path: '/api/v1/qr.svg',
      operationId: 'getQrCode',
      tag: 'kiosk',
      summary: 'A QR code as SVG',
      description: `Public. Draws \`data\` (at most ${QR_MAX_BYTES} UTF-8 bytes) as a QR code, so pages need no QR encoder of their own. The kiosk uses it for the ticket's tracking address and for the "what to bring" list.`,
      security: SECURITY.none,
      parameters: [{ name: 'data', in: 'query', required: true, description: 'The text to encode.', schema: str(undefined, { minLength: 1 }) }],
      responses: { 200: { description: 'The QR code.', content: { 'image/svg+xml': { schema: str('An SVG document.') } } } },
      errors: ['bad_request'],
    },
    {
      method: 'get',
      path: '/api/v1/kiosk/config',
      operationId: 'getKioskConfig',
      tag: 'kiosk',
      summary: 'Kiosk settings',
      description: 'Public. `publicUrl` is the address phones use to reach this server (settings `publicUrl` / `GILIRAN_PUBLIC_URL`) for tracking QR codes; null when not set, and the kiosk then uses its own origin.',
      security: SECURITY.none,
      responses: { 200: json(obj({ publicUrl: nullableStr('Base address for tracking links, or null.') }), 'The settings.') },
      errors: [],
    },
  );

  // health
  ops.push(
    {
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      tag: 'health',
      summary: 'Liveness',
      description: 'Public.',
      security: SECURITY.none,
      responses: { 200: json(ref('Health'), 'The server is up.') },
      errors: [],
    },
    {
      method: 'get',
      path: '/api/v1/metrics',
      operationId: 'getMetrics',
      tag: 'health',
      summary: 'How the server is keeping up',
      description:
        '**Who may call it:** staff roles admin, supervisor. Event-loop delay over the last full minute, the time changes take to reach the disk (last 1,000), changes in the last minute, sockets per namespace, memory.',
      security: SECURITY.staff,
      responses: { 200: json(ref('Metrics'), 'The figures.') },
      errors: ['unauthenticated', 'forbidden'],
    },
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      operationId: 'getOpenApiDocument',
      tag: 'health',
      summary: 'This document',
      description: 'Public: the OpenAPI 3.1 description of this API.',
      security: SECURITY.none,
      responses: { 200: json({ type: 'object', description: 'An OpenAPI 3.1.0 document.' }, 'The document.') },
      errors: [],
    },
  );
  return ops;
}

function requestBodies(): Record<string, ObjectSchema> {
  const bodies: Record<string, ObjectSchema> = {
    LoginBody: toSchema(loginSchema),
    PairRequestBody: toSchema(pairRequestSchema),
    PairApproveBody: toSchema(pairApproveSchema),
    IssueBody: issueBody(),
    CancelBody: commandBody('cancel', ['ticket']),
    ReinstateBody: commandBody('reinstate', ['ticket']),
    MoveTicketBody: commandBody('move_ticket', ['ticket']),
    RecordPrecheckBody: commandBody('record_precheck', []),
    CloseServiceBody: commandBody('close_service', ['service']),
    ReopenServiceBody: commandBody('reopen_service', ['service']),
    CounterSettingsBody: commandBody('configure_counter', ['counterId']),
  };
  for (const [name, spec] of Object.entries(COUNTER_ENDPOINTS)) {
    bodies[`${pascal(name)}Body`] = commandBody(spec.type, ['counterId'], spec.body);
  }
  return bodies;
}


const DESCRIPTION = `Giliran: the queue of walk-in public-service offices (Dukcapil first), over REST. Every queue change also reaches the screens over Socket.IO; the REST commands run the same code as the socket commands.

**Who is asking.** Staff sign in with \`POST /api/v1/session\` and are then known by the \`${SESSION_COOKIE}\` cookie (HttpOnly, SameSite=Strict). Kiosks, displays and counter agents are paired once by an admin (\`/api/v1/devices/pairing\`) and send their device token as \`Authorization: Bearer <token>\` or \`X-Device-Token: <token>\`. A cookie, when valid, takes precedence over a device token. Screens opened on the server's own loopback address (127.0.0.0/8, ::1) count as paired demo devices when the server trusts loopback screens (the default): they may read the queue and issue tickets, but never run counter commands.

**Same origin.** State-changing requests (POST, PUT, DELETE) that carry an \`Origin\` header must come from the server's own origin, else 403 \`bad_origin\`; with SameSite=Strict cookies this is a second lock against cross-site requests.

**Retrying safely.** Every queue command accepts an idempotency key, as the \`Idempotency-Key\` header or the \`idempotencyKey\` body field (8–128 characters of letters, digits and \`:._-\`). A repeat with the same key changes nothing and returns the first result with the header \`Idempotent-Replayed: true\` (and 200, also where the first answer was 201). Reusing a key for a different command gives 409 \`idempotency_conflict\`.

**Errors.** Every non-2xx response has the body \`{ "error": { "code", "message": { "id", "en" }, "details"? } }\`: a stable code, a message in Bahasa Indonesia and English, and for validation errors the fields that were wrong. Unknown \`/api\` paths give 404 \`not_found\`.`;

/** The OpenAPI 3.1.0 document of the REST API. */
export function openApiDocument(): Record<string, unknown> {
  const pathParams = pathParameters();
  const bodies = requestBodies();
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of operations()) {
    const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map(([, name = '']) => {
      const p = pathParams[name];
      if (!p) throw new Error(`undocumented path parameter {${name}} in ${op.path}`);
      return { name, in: 'path', required: true, ...p };
    });
    const parameters = [...params, ...(op.parameters ?? [])];
    const errors: ErrorCode[] = [...op.errors, 'internal'];
    if (op.method !== 'get') errors.push('bad_origin');
    if (op.body) errors.push('bad_request', 'invalid_json', 'payload_too_large');
    const item = (paths[op.path] ??= {});
    item[op.method] = {
      tags: [op.tag],
      operationId: op.operationId,
      summary: op.summary,
      description: op.description,
      security: op.security,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: (bodies[op.body]?.required?.length ?? 0) > 0,
              content: { 'application/json': { schema: ref(op.body) } },
            },
          }
        : {}),
      responses: { ...op.responses, ...errorResponses(errors) },
      ...(op.extensions ?? {}),
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Giliran API',
      version: VERSION,
      description: DESCRIPTION,
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      { name: 'session', description: 'Staff sign-in and sign-out.' },
      { name: 'queue', description: 'Offices, the queue snapshot, tickets and services.' },
      { name: 'counter', description: 'Commands of one counter (call, start, finish, …).' },
      { name: 'devices', description: 'Pairing kiosks, displays and counter agents.' },
      { name: 'kiosk', description: 'What the citizen kiosk needs beyond the queue: availability, QR codes, settings.' },
      { name: 'health', description: 'Liveness and this document.' },
    ],
    paths,
    components: {
      schemas: { ...responseSchemas(), ...bodies },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: IDEMPOTENCY_KEY_TEXT.replace('Same as the `Idempotency-Key` header; the body field wins when both are sent.', 'The `idempotencyKey` body field wins when both are sent.'),
          schema: commandFields('call_next').properties.idempotencyKey ?? str(),
        },
        PairingSecret: {
          name: 'X-Pairing-Secret',
          in: 'header',
          required: true,
          description: 'The `secret` returned when the pairing was requested.',
          schema: str(),
        },
      },
      securitySchemes: {
        staffSession: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'Staff session cookie set by `POST /api/v1/session` (HttpOnly, SameSite=Strict; Secure over HTTPS). State-changing requests must come from the same origin.',
        },
        deviceBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Paired device token (kiosk, display, agent), as `Authorization: Bearer <token>`.',
        },
        deviceToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Device-Token',
          description: 'Paired device token, as an `X-Device-Token` header (same token as the bearer form).',
        },
      },
    },
  };
}
