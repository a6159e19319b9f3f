import { describe, expect, it } from 'vitest';
import { bookingRouter } from '../../server/http/booking.ts';
import type { BookingService } from '../../server/booking-service.ts';
import type { Router } from 'express';
import { COMMAND_TYPES, commandSchema, type CommandType } from '../../protocol/commands.ts';
import { ERRORS, httpStatusOf, type ErrorCode } from '../../protocol/errors.ts';
import { COMMAND_PERMISSIONS } from '../../server/auth/permissions.ts';
import { COMMAND_REFUSALS, COMMON_REFUSALS } from '../../server/domain/refusals.ts';
import type { HttpContext } from '../../server/http/context.ts';
import { adminConfigRouter } from '../../server/http/admin-config.ts';
import { adminOpsRouter, type AdminOpsDeps } from '../../server/http/admin-ops.ts';
import { devicesRouter } from '../../server/http/devices.ts';
import { metricsRouter } from '../../server/http/metrics.ts';
import { notifyRouter } from '../../server/http/notify.ts';
import type { NotifyService } from '../../server/notify/notify-service.ts';
import type { Metrics } from '../../server/metrics.ts';
import { kioskRouter } from '../../server/http/kiosk.ts';
import { reportsRouter } from '../../server/http/reports.ts';
import type { ReportService } from '../../server/report-service.ts';
import { OPENAPI_TAGS, openApiDocument } from '../../server/http/openapi.ts';
import { surveyRouter } from '../../server/http/survey.ts';
import { complaintsRouter } from '../../server/http/complaints.ts';
import type { ComplaintService } from '../../server/complaint-service.ts';
import { syncRouter } from '../../server/sync/central.ts';
import { COUNTER_ENDPOINTS, queueRouter } from '../../server/http/queue.ts';
import { sessionRouter } from '../../server/http/session.ts';
import { trackRouter } from '../../server/http/track.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = openApiDocument() as Json;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const OFFICE = '/api/v1/offices/{office}';

function operations(): Array<{ path: string; method: string; op: Json }> {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as Json })),
  );
}

function op(path: string, method: string): Json {
  const o = (doc.paths as Record<string, Json | undefined>)[path]?.[method] as Json | undefined;
  if (!o) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return o;
}

function resolve(pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Json)[key];
  }
  return at;
}

function deref(x: Json): Json {
  return typeof x.$ref === 'string' ? (resolve(x.$ref) as Json) : x;
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) collectRefs(x, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

/** The codes an error response lists; its schema is the one Error schema and it has an example of each code. */
function codesOf(response: Json): string[] {
  const media = response.content['application/json'] as Json;
  expect(media.schema).toEqual({ $ref: '#/components/schemas/Error' });
  const codes = response['x-giliran-error-codes'] as string[];
  expect(Object.keys(media.examples)).toEqual(codes);
  for (const code of codes) expect(response.description).toContain(`\`${code}\``);
  return codes;
}

/** "METHOD /path" for every route the routers register, in OpenAPI template form. */
function registeredRoutes(): string[] {
  const ctx = {} as HttpContext; // handlers are never called: only the route table is read
  const routers: Router[] = [sessionRouter(ctx), queueRouter(ctx), devicesRouter(ctx), kioskRouter(ctx), metricsRouter(ctx, {} as Metrics), trackRouter(ctx), notifyRouter(ctx, {} as NotifyService), adminConfigRouter(ctx), adminOpsRouter(ctx, {} as AdminOpsDeps), bookingRouter(ctx, {} as BookingService), reportsRouter(ctx, {} as ReportService), surveyRouter(ctx), complaintsRouter(ctx, {} as ComplaintService), syncRouter(ctx, () => null)];
  const out: string[] = [];
  for (const r of routers) {
    for (const layer of (r as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack) {
      if (!layer.route) continue;
      const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
      for (const [m, on] of Object.entries(layer.route.methods)) if (on) out.push(`${m.toUpperCase()} ${path}`);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('is a JSON-serialisable OpenAPI 3.1.0 document with unique operationIds and known tags', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    expect((doc.tags as Json[]).map((t) => t.name)).toEqual([...OPENAPI_TAGS]);
    const ids = operations().map(({ op: o }) => o.operationId as string);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op: o } of operations()) {
      expect(o.tags, `${method} ${path}`).toHaveLength(1);
      expect(OPENAPI_TAGS, `${method} ${path}`).toContain(o.tags[0]);
      expect(Object.keys(o.responses).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });

  it('documents exactly the routes the routers register, plus /healthz and the document itself', () => {
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`).sort();
    const expected = [...registeredRoutes(), 'GET /healthz', 'GET /api/v1/openapi.json'].sort();
    expect(documented).toEqual(expected);
  });

  it('has POST /api/v1/offices/{office}/counters/{counter}/<key> for every COUNTER_ENDPOINTS key', () => {
    const keys = Object.keys(COUNTER_ENDPOINTS);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const o = op(`${OFFICE}/counters/{counter}/${key}`, 'post');
      expect(o.tags).toEqual(['counter']);
      expect(o['x-giliran-command']).toBe(COUNTER_ENDPOINTS[key as keyof typeof COUNTER_ENDPOINTS].type);
      expect(o.responses['200']).toBeDefined();
    }
  });

  it('has the core paths with the right methods and statuses', () => {
    expect(Object.keys(doc.paths['/api/v1/session']).sort()).toEqual(['delete', 'get', 'post']);
    expect(op('/api/v1/session', 'post').responses['200']).toBeDefined();
    expect(op('/api/v1/session', 'post').responses['401']).toBeDefined();
    expect(op('/api/v1/session', 'delete').responses['204']).toBeDefined();
    expect(op('/api/v1/session', 'get').responses['200']).toBeDefined();

    expect(op(`${OFFICE}/queue`, 'get').responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/QueueSnapshot' });

    const issue = op(`${OFFICE}/tickets`, 'post');
    expect(issue.responses['201']).toBeDefined();
    expect(issue.responses['200'].headers['Idempotent-Replayed']).toBeDefined();
    expect(codesOf(issue.responses['429'])).toContain('rate_limited');

    const callNext = op(`${OFFICE}/counters/{counter}/call-next`, 'post');
    expect(codesOf(callNext.responses['409'])).toContain('queue_empty');
    expect(callNext.responses['200']).toBeDefined();

    op('/healthz', 'get');
    op('/api/v1/openapi.json', 'get');

    expect(op('/api/v1/devices/pairing', 'post').responses['201']).toBeDefined();
    op('/api/v1/devices/pairing', 'get');
    op('/api/v1/devices/pairing/{requestId}', 'get');
    expect(op('/api/v1/devices/pairing/{code}/approve', 'post').responses['201']).toBeDefined();
    op('/api/v1/devices', 'get');
    expect(op('/api/v1/devices/{id}', 'delete').responses['204']).toBeDefined();
    op('/api/v1/devices/me', 'get');

    expect(op(`${OFFICE}/availability`, 'get').responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OfficeAvailability' });
    expect(op('/api/v1/qr.svg', 'get').responses['200'].content['image/svg+xml']).toBeDefined();
    expect(codesOf(op('/api/v1/qr.svg', 'get').responses['400'])).toContain('bad_request');
    op('/api/v1/kiosk/config', 'get');
  });

  it('resolves every $ref to an existing component', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      expect(r.startsWith('#/components/'), r).toBe(true);
      expect(resolve(r), r).toBeDefined();
    }
  });

  it('declares every path parameter of every path template, and no others', () => {
    for (const { path, method, op: o } of operations()) {
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const params = ((o.parameters ?? []) as Json[]).map(deref);
      const declared = params.filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(inTemplate);
      for (const p of declared) expect(p.required, `${method} ${path} {${p.name}}`).toBe(true);
      for (const p of params) expect(p.schema, `${method} ${path} ${p.name}`).toBeDefined();
    }
  });

  it("has an Error schema whose code enum is exactly ERRORS' keys", () => {
    const error = doc.components.schemas.Error as Json;
    expect(error.required).toEqual(['error']);
    expect(error.properties.error.properties.code.enum).toEqual(Object.keys(ERRORS));
    expect(error.properties.error.required).toEqual(['code', 'message']);
    // Bilingual, or its response form when request bodies use it too (the admin sections).
    expect(error.properties.error.properties.message.$ref).toMatch(/^#\/components\/schemas\/Bilingual(Output)?$/);
    expect(deref(error.properties.error.properties.message).required).toEqual(['id', 'en']);
  });

  it('documents the admin operations: the permission matrix, the codes of a save, the CSV audit', () => {
    const get = op('/api/v1/admin/offices/{office}', 'get');
    expect(get.tags).toEqual(['admin']);
    expect(get.description).toContain('| profile | write | write (marquee only) | — |');
    const put = op('/api/v1/admin/offices/{office}/sections/{section}', 'put');
    const codes = Object.entries(put.responses as Record<string, Json>).filter(([s]) => Number(s) >= 400).flatMap(([, r]) => codesOf(r));
    for (const c of ['invalid_body', 'stale_revision', 'service_in_use', 'counter_in_use', 'forbidden', 'office_not_found']) expect(codes).toContain(c);
    expect(put.requestBody.required).toBe(true);
    const audit = op('/api/v1/admin/offices/{office}/audit', 'get');
    expect(Object.keys(audit.responses[200].content)).toEqual(['application/json', 'text/csv']);
    expect(op('/api/v1/admin/offices', 'get').security).toEqual([{ staffSession: [] }]);
  });

  it('files every error code under the HTTP status that code is sent with', () => {
    for (const { path, method, op: o } of operations()) {
      for (const [status, response] of Object.entries(o.responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        const codes = codesOf(response);
        expect(codes.length, `${method} ${path} ${status}`).toBeGreaterThan(0);
        for (const code of codes) expect(httpStatusOf(code as ErrorCode), `${method} ${path} ${code}`).toBe(Number(status));
      }
      expect(codesOf(o.responses['500'])).toEqual(['internal']);
      if (method !== 'get') expect(codesOf(o.responses['403']), `${method} ${path}`).toContain('bad_origin');
      if (o.requestBody) expect(codesOf(o.responses['400']), `${method} ${path}`).toContain('invalid_json');
    }
  });

  it('gives each counter endpoint exactly the body fields its router accepts, with the command schema constraints', () => {
    for (const [key, spec] of Object.entries(COUNTER_ENDPOINTS)) {
      const o = op(`${OFFICE}/counters/{counter}/${key}`, 'post');
      const body = resolve(o.requestBody.content['application/json'].schema.$ref) as Json;
      expect(body.additionalProperties, key).toBe(false);
      expect(Object.keys(body.properties).sort(), key).toEqual(Object.keys(spec.body.shape).sort());
      const required = Object.entries(spec.body.shape)
        .filter(([, s]) => !(s as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success)
        .map(([name]) => name);
      expect((body.required ?? []).sort(), key).toEqual(required.sort());
      expect(o.requestBody.required, key).toBe(required.length > 0);

      const command = commandSchema.options.find((c) => c.shape.type.value === spec.type);
      expect(command, key).toBeDefined();
      const commandFields = Object.keys(command?.shape ?? {});
      for (const field of Object.keys(body.properties)) {
        expect(commandFields, `${key}.${field}`).toContain(field === 'idempotencyKey' ? 'key' : field);
      }
    }
    const call = resolve('#/components/schemas/CallBody') as Json;
    expect(call.properties.ticket.pattern).toBeDefined(); // the stricter command schema's ticketRef
    expect((resolve('#/components/schemas/FinishBody') as Json).properties.outcome.default).toBe('done');
  });

  it("lists for each command exactly the domain's refusals plus the errors of the way in", () => {
    // What the HTTP boundary and QueueService.execute add to every command endpoint.
    const boundary: ErrorCode[] = ['bad_request', 'invalid_json', 'payload_too_large', 'unauthenticated', 'forbidden', 'bad_origin', 'office_not_found', 'unavailable', 'office_on_box', 'internal'];
    const seen = new Set<string>();
    for (const { path, method, op: o } of operations()) {
      const type = o['x-giliran-command'] as CommandType | undefined;
      if (!type) continue;
      seen.add(type);
      const documented = Object.entries(o.responses as Record<string, Json>)
        .filter(([status]) => Number(status) >= 400)
        .flatMap(([, response]) => codesOf(response));
      const expected = [...boundary, ...COMMON_REFUSALS, ...COMMAND_REFUSALS[type], ...(type === 'issue' ? ['rate_limited'] : [])];
      expect(new Set(documented), `${method} ${path}`).toEqual(new Set(expected));
      expect(documented.length, `${method} ${path}: a code listed twice`).toBe(new Set(documented).size);
    }
    expect([...seen].sort()).toEqual([...COMMAND_TYPES].sort());
    // The domain refuses `return` on a paused counter; the document once forgot it.
    expect(codesOf(op(`${OFFICE}/counters/{counter}/return`, 'post').responses['409'])).toContain('counter_paused');
  });

  it('says which roles and devices may run each command, from COMMAND_PERMISSIONS', () => {
    const seen = new Set<string>();
    for (const { path, method, op: o } of operations()) {
      const perms = o['x-giliran-permissions'] as Json | undefined;
      if (!perms) continue;
      const type = o['x-giliran-command'] as keyof typeof COMMAND_PERMISSIONS;
      seen.add(type);
      expect(perms.roles, `${method} ${path}`).toEqual(COMMAND_PERMISSIONS[type].roles);
      expect(perms.devices, `${method} ${path}`).toEqual(COMMAND_PERMISSIONS[type].devices);
      expect(o.description, `${method} ${path}`).toContain(`staff roles: ${COMMAND_PERMISSIONS[type].roles.join(', ')}`);
      expect(perms.loopbackDemo).toBe(type === 'issue' || type === 'record_precheck' || type === 'answer_survey');
    }
    expect([...seen].sort()).toEqual(Object.keys(COMMAND_PERMISSIONS).sort());
    expect(op(`${OFFICE}/services/{service}/close`, 'post').description).toContain('staff roles: admin, supervisor (');
  });

  it('declares the cookie, bearer and X-Device-Token schemes and uses only those', () => {
    const schemes = doc.components.securitySchemes as Json;
    expect(schemes.staffSession).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'giliran_session' });
    expect(schemes.deviceBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.deviceToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Device-Token' });
    for (const { path, method, op: o } of operations()) {
      expect(Array.isArray(o.security), `${method} ${path}`).toBe(true);
      for (const requirement of o.security as Json[]) {
        for (const name of Object.keys(requirement)) expect(schemes[name], `${method} ${path} ${name}`).toBeDefined();
      }
    }
    expect(op(`${OFFICE}/counters/{counter}/call-next`, 'post').security).not.toContainEqual({});
    expect(op(`${OFFICE}/tickets`, 'post').security).toContainEqual({});
  });

  it('explains loopback demo screens, the same-origin rule and idempotent retries', () => {
    const text = doc.info.description as string;
    expect(text).toMatch(/loopback/i);
    expect(text).toMatch(/same origin|own origin/i);
    expect(text).toContain('bad_origin');
    expect(text).toContain('Idempotency-Key');
    expect(text).toContain('idempotencyKey');
    expect(text).toContain('Idempotent-Replayed: true');
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header', required: false });
  });

  it('returns a fresh document on each call', () => {
    const a = openApiDocument() as Json;
    a.components.schemas.Ticket.properties.id = 'changed';
    expect((openApiDocument() as Json).components.schemas.Ticket.properties.id).not.toBe('changed');
  });
});
