// The one mapping from a failed zod parse to the API's error shape, for REST
// bodies and socket payloads alike: bad_request naming the fields (at most 20).
import type { z } from 'zod';
import { apiError, type ApiError } from '../protocol/errors.ts';

export function validationError(error: z.ZodError): ApiError {
  return apiError(
    'bad_request',
    error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}

/** Parses `input` with `schema`: the value, or the bad_request error naming what is wrong. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): { ok: true; data: z.infer<S> } | { ok: false; error: ApiError } {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, data: r.data } : { ok: false, error: validationError(r.error) };
}
