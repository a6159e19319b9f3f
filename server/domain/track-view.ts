// A citizen's phone's view of its ticket (protocol/track.ts): the ticket's own
// state, its place and wait, its call, and what the waiting-room TV shows
// anyway (the last calls: number and counter only). Pure: one `TrackContext`
// per office state (one pass over the queue), then a cheap lookup per ticket.
import type { OfficeConfig, Ticket } from '../../protocol/model.ts';
import { TRACK_RECENT_CALLS, type TrackState, type TrackView } from '../../protocol/track.ts';
import type { Position } from './eta.ts';
import type { DayState } from './state.ts';

/** C1's `positions` (server/domain/eta.ts), injectable so a test or bench can stand in its own. */
export type PositionsFn = (state: DayState, office: OfficeConfig, now: number) => Map<string, Position>;

/** What every view of one office at one state shares: computed once per commit window. */
export interface TrackContext {
  officeId: string;
  officeDay: string;
  version: number;
  serverTime: string;
  /** A waiting ticket's place; the office's positions are computed on the first call (a view of a called ticket needs none). */
  positionOf(ticketId: string): Position | undefined;
  recentCalls: TrackView['recentCalls'];
  office: TrackView['office'];
  counters: Map<string, { id: string; name: string; word: string }>;
  services: Map<string, TrackView['service']>;
}

/** An office's WhatsApp number, if its configuration has one (a field helper admin-config may add). */
function whatsappOf(office: OfficeConfig): string | null {
  const w = (office as { whatsapp?: unknown }).whatsapp;
  return typeof w === 'string' && w.length > 0 ? w : null;
}

export function trackContext(state: DayState, office: OfficeConfig, now: Date, positions: PositionsFn): TrackContext {
  const counters = new Map(office.counters.map((c) => [c.id, { id: c.id, name: c.name, word: c.word }]));
  const recentCalls: TrackView['recentCalls'] = [];
  for (let i = state.recentCalls.length - 1; i >= 0 && recentCalls.length < TRACK_RECENT_CALLS; i--) {
    const c = state.recentCalls[i]!;
    recentCalls.push({ number: c.number, counterName: counters.get(c.counterId)?.name ?? c.counterId, at: c.at });
  }
  let all: Map<string, Position> | null = null;
  return {
    officeId: office.id,
    officeDay: state.officeDay,
    version: state.version,
    serverTime: now.toISOString(),
    // Read within the same synchronous step as the state (QueueService.read): the state cannot move in between.
    positionOf: (id) => (all ??= positions(state, office, now.getTime())).get(id),
    recentCalls,
    office: {
      name: office.name,
      shortName: office.shortName,
      timeZone: office.timeZone,
      hours: office.hours,
      complaintChannel: office.complaintChannel,
      whatsapp: whatsappOf(office),
    },
    counters,
    services: new Map(office.services.map((s) => [s.id, { id: s.id, name: s.name }])),
  };
}

function stateOf(t: Ticket): TrackState {
  return t.state === 'parked' ? 'waiting' : t.state;
}

/** The view of one ticket, without what depends on who asks (holder, notify). */
export type BaseTrackView = Omit<TrackView, 'holder' | 'notify'>;

export function trackViewOf(ctx: TrackContext, t: Ticket): BaseTrackView {
  const state = stateOf(t);
  const held = t.state === 'called' || t.state === 'serving';
  const pos = t.state === 'waiting' ? ctx.positionOf(t.id) : undefined;
  return {
    officeId: ctx.officeId,
    officeDay: ctx.officeDay,
    ticketId: t.id,
    number: t.number,
    service: ctx.services.get(t.serviceId) ?? { id: t.serviceId, name: { id: t.serviceId, en: t.serviceId } },
    state,
    counter: held && t.counterId ? (ctx.counters.get(t.counterId) ?? { id: t.counterId, name: t.counterId, word: 'loket' }) : null,
    ahead: pos ? pos.ahead : null,
    wait: pos ? { low: pos.wait.low, high: pos.wait.high } : null,
    calls: t.calls,
    calledAt: t.calledAt,
    recentCalls: ctx.recentCalls,
    office: ctx.office,
    serverTime: ctx.serverTime,
    version: ctx.version,
  };
}

