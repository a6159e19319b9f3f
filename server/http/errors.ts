// One error shape for every HTTP response: { error: { code, message: { id, en } } }.
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import { apiError, httpStatusOf, type ApiError, type ErrorCode } from '../../protocol/errors.ts';
import type { Logger } from '../log.ts';
import { validationError } from '../validation.ts';

/**
 * A refusal a handler throws: an expected answer, not a fault, so no stack
 * is captured (a capture is ~20 µs; a booking rush throws 800 of them in a
 * second, bench/booking-rush.ts).
 */
export class HttpError extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(error.code);
    Error.stackTraceLimit = limit;
    this.error = error;
  }
  static of(code: ErrorCode, details?: ApiError['details']): HttpError {
    return new HttpError(apiError(code, details));
  }
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, httpStatusOf(error.code), { error });
}

/**
 * A JSON answer written in one go: the same bytes and headers as res.json
 * without its ETag (a hash of every body; API answers are no-store, so no
 * client revalidates them), type lookup and freshness check, about a tenth
 * of a millisecond a request in a booking rush (bench/booking-rush.ts).
 * Headers set earlier (helmet's, Cache-Control) are kept: writeHead merges them.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Parses `input` with `schema` or throws a 400 naming the fields that are wrong. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new HttpError(validationError(r.error));
}

/** The answer to an error thrown by a handler or passed on by a middleware (the body parser's kinds by their type). */
export function sendErrorOf(log: Logger, err: unknown, res: ServerResponse): void {
  if (err instanceof HttpError) return sendError(res, err.error);
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.parse.failed') return sendError(res, apiError('invalid_json'));
  if (e.type === 'entity.too.large') return sendError(res, apiError('payload_too_large'));
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' || e.status === 400) return sendError(res, apiError('bad_request'));
  if (e.status === 415) return sendError(res, apiError('bad_request'));
  log.error({ err }, 'unhandled error in request');
  sendError(res, apiError('internal'));
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => sendErrorOf(log, err, res);
}
