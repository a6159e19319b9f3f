// One error shape for every HTTP response: { error: { code, message: { id, en } } }.
import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { apiError, httpStatusOf, type ApiError, type ErrorCode } from '../../protocol/errors.ts';
import type { Logger } from '../log.ts';
import { validationError } from '../validation.ts';

export class HttpError extends Error {
  constructor(readonly error: ApiError) {
    super(error.code);
  }
  static of(code: ErrorCode, details?: ApiError['details']): HttpError {
    return new HttpError(apiError(code, details));
  }
}

export function sendError(res: Response, error: ApiError): void {
  res.status(httpStatusOf(error.code)).json({ error });
}

/** Parses `input` with `schema` or throws a 400 naming the fields that are wrong. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new HttpError(validationError(r.error));
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof HttpError) return sendError(res, err.error);
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return sendError(res, apiError('invalid_json'));
    if (e.type === 'entity.too.large') return sendError(res, apiError('payload_too_large'));
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' || e.status === 400) return sendError(res, apiError('bad_request'));
    if (e.status === 415) return sendError(res, apiError('bad_request'));
    log.error({ err }, 'unhandled error in request');
    sendError(res, apiError('internal'));
  };
}
