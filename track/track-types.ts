// The contracts the page is built on, as types only: C3 (protocol/track.ts,
// helper track-server) and the notify request of C4 (protocol/notify.ts,
// helper notify; its NotifyStatus is in protocol/track.ts until it moves).
export type { NotifyChannel, NotifyStatus, TrackFrame, TrackState, TrackView } from '../protocol/track.ts';

export interface NotifyRequest {
  k: string;
  threshold: number;
  push?: PushSubscriptionJSON;
  phone?: { number: string; channel: 'whatsapp' | 'sms'; consent: true };
}
