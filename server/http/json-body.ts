// The API's JSON body parser: express.json, with its common case read here.
// A request with `Content-Type: application/json` (or with `; charset=utf-8`),
// a Content-Length within the limit and no Content-Encoding is read and
// parsed directly (body-parser's type check, stream reader and decoder cost
// ~50 µs a request, a tenth of a rush's hold); every other request goes to
// express.json itself, so its answers (another type, a charset, gzip, no
// length, over the limit) are body-parser's. What is read here answers as
// body-parser does: a BOM is dropped, a body that is not an object or array
// is `entity.parse.failed` (strict), bad JSON too; a body an earlier parser
// read (the admin's larger limit) is left as it is. test/server/citizen-lane.test.ts
// compares the answers with the lane's and Express's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';

type Next = (err?: unknown) => void;
type BodyRequest = IncomingMessage & { _body?: boolean; body?: unknown };

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** `limit` as the settings spell it ("16kb"): bytes. */
export function limitBytes(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/.exec(limit);
  if (!m) throw new Error(`a body limit like "16kb", not ${JSON.stringify(limit)}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

function parseFailed(message: string): Error {
  return Object.assign(new Error(message), { type: 'entity.parse.failed', status: 400, statusCode: 400, expose: true });
}

export function jsonBody(limit: string): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const full = express.json({ limit, strict: true }) as unknown as (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  const max = limitBytes(limit);
  return (req, res, next) => {
    const r = req as BodyRequest;
    // Already read by an earlier parser (the admin's and sync's larger limits): body-parser's own test (on-finished).
    if (r._body || (req.complete && !req.readable)) return next();
    const h = req.headers;
    const type = h['content-type'];
    const plain = type === 'application/json' || (type !== undefined && type.toLowerCase() === 'application/json; charset=utf-8');
    const length = h['content-length'] === undefined ? NaN : Number(h['content-length']);
    if (!plain || h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined || !Number.isInteger(length) || length <= 0 || length > max) return full(req, res, next);
    const chunks: Buffer[] = [];
    let got = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      next(err);
    };
    const onData = (c: Buffer) => {
      got += c.length;
      chunks.push(c);
    };
    const onEnd = () => {
      let text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, got)).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
      if (first !== '{' && first !== '[') return finish(parseFailed('the body is not a JSON object or array'));
      try {
        r.body = JSON.parse(text);
      } catch (e) {
        return finish(parseFailed((e as Error).message));
      }
      r._body = true;
      finish();
    };
    const onError = (e: unknown) => finish(Object.assign(e instanceof Error ? e : new Error(String(e)), { status: 400 }));
    const onAborted = () => finish(Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400 }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  };
}
