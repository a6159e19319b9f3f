// The citizens' lane: the requests of a booking rush (challenge, hold,
// confirm) answered without Express's router. When a booking day opens, a
// thousand phones send about 1,200 of them in a second; Express's request
// setup and the walk past every earlier router cost ~0.25 ms of each one's
// ~0.6–1 ms, and one core cannot do that second's work in a second, so every
// answer waited behind the backlog (bench/booking-rush.ts, docs/booking.md).
//
// The lane is not a second HTTP stack. It runs the SAME functions Express
// runs for these routes, in the same order: the `prelude` is the list
// server/app.ts mounts on the app (security headers, the origin check,
// no-store, the JSON body parser), the handlers are the ones the booking
// router mounts, and errors go to the same sendErrorOf. A middleware added to
// the prelude applies to both; one mounted elsewhere in app.ts does not
// apply here, which is why the lane takes only requests without a session
// cookie (those run the full chain: the password-change gate and the session
// are theirs). test/citizen-lane.test.ts sends the same requests both ways
// and compares status, headers and body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { match, type MatchFunction } from 'path-to-regexp';

export type LaneNext = (err?: unknown) => void;
/** A connect-style middleware (Express's are): calls `next` to go on, or answers itself. */
export type LaneMiddleware = (req: IncomingMessage, res: ServerResponse, next: LaneNext) => void;
export interface LaneRequest extends IncomingMessage {
  params: Record<string, string | string[]>;
  body?: unknown;
}
/** A route handler that needs no more of Express than its params and the parsed body. */
export type LaneHandler = (req: LaneRequest, res: ServerResponse) => Promise<void>;
export interface LaneRoute {
  method: 'POST';
  /** An Express route path (the booking router's, BOOKING_ROUTES). */
  path: string;
  handler: LaneHandler;
}

export interface LaneOptions {
  prelude: readonly LaneMiddleware[];
  routes: readonly LaneRoute[];
  onError: (err: unknown, res: ServerResponse) => void;
  /** Requests that must run the full Express chain instead. */
  skip: (req: IncomingMessage) => boolean;
}

/**
 * A request listener's first step: answers a lane route and returns true, or
 * returns false (the request is Express's, untouched).
 */
export interface CitizenLane {
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Requests the lane has answered (tests check the lane was taken). */
  readonly answered: number;
}

export function citizenLane(opts: LaneOptions): CitizenLane {
  // Express 5 (router 2) matches a route path case-insensitively, with or without a trailing slash, params URI-decoded.
  const routes = opts.routes.map((r) => ({ ...r, match: match(r.path, { sensitive: false, end: true, trailing: true, decode: decodeURIComponent }) as MatchFunction<Record<string, string | string[]>> }));
  let answered = 0;
  const lane = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST' || opts.skip(req)) return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    for (const r of routes) {
      let m: ReturnType<typeof r.match>;
      try {
        m = r.match(pathname);
      } catch {
        // A malformed %-escape: Express answers it.
        return false;
      }
      if (!m) continue;
      const lreq = req as LaneRequest;
      lreq.params = { ...m.params };
      answered += 1;
      run(opts, lreq, res, r.handler);
      return true;
    }
    return false;
  };
  return Object.defineProperty(lane, 'answered', { get: () => answered }) as CitizenLane;
}

function run(opts: LaneOptions, req: LaneRequest, res: ServerResponse, handler: LaneHandler): void {
  let i = 0;
  const next: LaneNext = (err) => {
    if (err !== undefined) return opts.onError(err, res);
    const mw = opts.prelude[i++];
    if (mw) {
      try {
        mw(req, res, next);
      } catch (e) {
        opts.onError(e, res);
      }
      return;
    }
    handler(req, res).catch((e: unknown) => {
      if (!res.headersSent) opts.onError(e, res);
    });
  };
  next();
}
