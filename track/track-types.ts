// The contracts the page is built against (C3 protocol/track.ts, C4
// protocol/notify.ts), as types only. Re-exported from protocol/ once those
// files are merged; until then a copy of the agreed shapes.
import type { Bilingual, OpeningHours } from '../protocol/model.ts';

export type NotifyChannel = 'page' | 'push' | 'whatsapp' | 'sms';

export interface NotifyStatus {
  threshold: number;
  channels: NotifyChannel[];
  phoneLast4: string | null;
  delivered: { kind: 'near' | 'called'; channel: NotifyChannel; at: string; status: 'sent' | 'delivered' | 'failed' }[];
}

export type TrackState = 'waiting' | 'called' | 'serving' | 'done' | 'no_show' | 'cancelled';

export interface TrackView {
  officeId: string;
  officeDay: string;
  ticketId: string;
  number: string;
  service: { id: string; name: Bilingual };
  state: TrackState;
  counter: { id: string; name: string; word: string } | null;
  ahead: number | null;
  wait: { low: number; high: number } | null;
  calls: number;
  calledAt: string | null;
  recentCalls: { number: string; counterName: string; at: string }[];
  office: { name: Bilingual; shortName: string; timeZone: string; hours: OpeningHours; complaintChannel: Bilingual; whatsapp: string | null };
  holder: boolean;
  notify: NotifyStatus | null;
  serverTime: string;
  version: number;
}

export interface NotifyRequest {
  k: string;
  threshold: number;
  push?: PushSubscriptionJSON;
  phone?: { number: string; channel: 'whatsapp' | 'sms'; consent: true };
}
