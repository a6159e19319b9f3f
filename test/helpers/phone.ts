// A citizen's phone in tests: a /track socket following one ticket, typed as
// the track page types its own, and a ticket issued with its holder key.
import { io, type Socket } from 'socket.io-client';
import type { TrackClientToServer, TrackServerToClient } from '../../protocol/events.ts';
import type { Ticket } from '../../protocol/model.ts';
import { request } from './server.ts';

export type PhoneSocket = Socket<TrackServerToClient, TrackClientToServer>;

export function connectPhone(base: string, ticket: string, key?: string, office = 'kupang'): PhoneSocket {
  return io(`${base}/track`, {
    auth: key === undefined ? { office, ticket } : { office, ticket, key },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
}

/** Issues a ticket over REST (the loopback demo kiosk, or staff with a cookie) and returns it with its holder key. */
export async function issueWithKey(base: string, service: string, opts: { cookie?: string; office?: string; body?: Record<string, unknown> } = {}): Promise<{ ticket: Ticket; key: string }> {
  const r = await request(base, 'POST', `/api/v1/offices/${opts.office ?? 'kupang'}/tickets`, { body: { service, ...opts.body }, ...(opts.cookie ? { cookie: opts.cookie } : {}) });
  if (r.status !== 201) throw new Error(`issue ${service}: ${r.status} ${JSON.stringify(r.body)}`);
  return { ticket: r.body.ticket as Ticket, key: r.body.holderKey as string };
}
