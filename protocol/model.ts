// Shapes shared by the server and every page: configuration, tickets, events,
// snapshots and deltas. No runtime code beyond constants.

/** Text shown to people: Bahasa Indonesia first, English second. */
export interface Bilingual {
  id: string;
  en: string;
}

export const PRIORITY_GROUPS = ['disabled', 'elderly', 'pregnant', 'with_child', 'disaster_victim'] as const;
export type PriorityGroup = (typeof PRIORITY_GROUPS)[number];

export const TICKET_SOURCES = ['kiosk', 'counter', 'booking', 'api'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

export const TICKET_STATES = ['waiting', 'called', 'serving', 'parked', 'done', 'no_show', 'cancelled'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** States in which a counter holds the ticket. */
export const HELD_STATES: readonly TicketState[] = ['called', 'serving', 'parked'];
export const TERMINAL_STATES: readonly TicketState[] = ['done', 'no_show', 'cancelled'];

export const FINISH_OUTCOMES = ['done', 'follow_up', 'rejected_missing_documents'] as const;
export type FinishOutcome = (typeof FINISH_OUTCOMES)[number];

export const PAUSE_REASONS = ['break', 'prayer', 'system_down', 'other'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export const ROLES = ['admin', 'supervisor', 'clerk'] as const;
export type Role = (typeof ROLES)[number];

export const DEVICE_KINDS = ['kiosk', 'display', 'agent'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** Local opening periods, "HH:MM" 24h, per weekday; a missing day is closed. */
export type OpeningHours = Partial<Record<Weekday, Array<[string, string]>>>;

export interface Requirement {
  id: string;
  text: Bilingual;
  /** Without it no ticket is issued at the kiosk (staff may override). */
  mandatory: boolean;
  /** Only staff can judge it (e.g. "the photo meets the standard"). */
  staffJudged: boolean;
}

export interface Subcase {
  id: string;
  name: Bilingual;
  requirements: Requirement[];
  /** Age limits checked from a NIK when the citizen gives one. */
  eligibility?: { minAge?: number; maxAge?: number; note?: Bilingual };
}

export interface ServiceConfig {
  id: string;
  /** Ticket letter, "A".."Z". */
  prefix: string;
  name: Bilingual;
  description: Bilingual;
  /** Completion standard, e.g. "1 jam". */
  standard: Bilingual;
  /** Fee in rupiah; Dukcapil services are free. */
  fee: number;
  icon: string;
  subcases: Subcase[];
  /** Daily caps; null = unlimited. */
  quota: { walkIn: number | null; online: number | null };
  active: boolean;
}

export interface CounterConfig {
  id: string;
  name: string;
  /** Word used when the call is spoken: "loket", "meja", "ruang". */
  word: string;
  /** Services this counter serves, in order of preference. */
  services: string[];
}

export interface QueueRules {
  /** Priority-group tickets called for each regular one when both wait. */
  priorityPerRegular: number;
  reinstateWindowMinutes: number;
  noShowAfterRecalls: number;
  noShowAfterMinutes: number;
  /** Service time assumed before any has been measured today. */
  defaultServiceMinutes: number;
  /** How many recent service times the running mean uses. */
  etaSampleSize: number;
  /** Refuse kiosk/API tickets outside opening hours. */
  enforceHours: boolean;
}

/** What one waiting-room TV shows (a big office has several rooms). */
export interface DisplayProfile {
  id: string;
  name: string;
  /** Service ids shown; empty = all. */
  services: string[];
  /** Counter ids shown; empty = all. */
  counters: string[];
  layout: 'landscape' | 'portrait';
  /** Language of the second line under Indonesian; null = Indonesian only. */
  secondLanguage: 'en' | null;
  /** How many past calls are listed. */
  historySize: number;
  showCounterStates: boolean;
  /** 'clips' = bundled recorded words; 'speech' = the browser's Indonesian voice where one exists; 'off'. */
  voice: 'clips' | 'speech' | 'off';
  /** Local "HH:MM" at which the page reloads itself (quiet hour), or null. */
  reloadAt: string | null;
}

export interface OfficeConfig {
  id: string;
  name: Bilingual;
  shortName: string;
  timeZone: string;
  hours: OpeningHours;
  services: ServiceConfig[];
  counters: CounterConfig[];
  rules: QueueRules;
  complaintChannel: Bilingual;
  marquee: Bilingual;
  kiosk: { idleSeconds: number };
  displays: DisplayProfile[];
  /** Office logo for screens: a same-origin path or a data: URL (the CSP allows no other); null = none. */
  logo: string | null;
}

/** Who did something: recorded with every change (the audit log). */
export interface Actor {
  kind: 'user' | 'device' | 'system';
  id: string;
  name?: string;
  role?: Role | DeviceKind;
}

export interface PrecheckResult {
  subcase: string;
  passed: boolean;
  missing: string[];
}

export interface Ticket {
  /** Unique across days: `${officeDay}/${number}`. */
  id: string;
  number: string;
  serviceId: string;
  /** The per-service sequence number of the day (1 for A001). */
  seq: number;
  officeDay: string;
  priority: PriorityGroup | null;
  source: TicketSource;
  state: TicketState;
  /** The counter holding it (called, serving, parked), else null. */
  counterId: string | null;
  /** After a transfer to a counter, only that counter may call it. */
  targetCounterId: string | null;
  /** Transferred in with a promise to be called before others. */
  precedence: boolean;
  /** Booking slot start (ISO) for booked tickets. */
  bookingSlot: string | null;
  issuedAt: string;
  /** Since when it has waited in its current queue (orders FIFO). */
  queuedAt: string;
  calledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Times called, recalls included. */
  calls: number;
  outcome: FinishOutcome | null;
  precheck: PrecheckResult | null;
  /** Estimated wait in minutes when issued (to measure the estimate's error). */
  etaMinutesAtIssue: number;
  /** People waiting for the same service when it was issued (printed and shown on the kiosk). */
  aheadAtIssue: number;
  /** Number of transfers so far (multi-step services). */
  transfers: number;
}

export interface CounterState {
  id: string;
  /** Services served today, in order of preference. */
  services: string[];
  paused: { reason: PauseReason; note: string | null; since: string } | null;
  autoCallNext: boolean;
  /** The ticket called or being served here. */
  ticketId: string | null;
  /** Who is signed in at this counter (sign_in; see protocol/rules.ts bindingRefusal). */
  staff: Actor | null;
  /** Regular calls owed after a run of priority calls (see priorityPerRegular). */
  priorityStreak: number;
  served: number;
  serviceSecondsTotal: number;
}

interface EventBase {
  at: string;
  actor: Actor;
  /** Idempotency key of the command that produced it. */
  key?: string;
}

export type QueueEvent =
  | (EventBase & { type: 'ticket_issued'; ticket: Ticket })
  | (EventBase & { type: 'ticket_called'; ticketId: string; counterId: string; mode: 'next' | 'specific' | 'auto' | 'return'; reason?: string })
  | (EventBase & { type: 'ticket_recalled'; ticketId: string; counterId: string })
  | (EventBase & { type: 'service_started'; ticketId: string; counterId: string })
  | (EventBase & { type: 'ticket_finished'; ticketId: string; counterId: string; outcome: FinishOutcome })
  | (EventBase & { type: 'ticket_no_show'; ticketId: string; counterId: string | null })
  | (EventBase & { type: 'ticket_reinstated'; ticketId: string })
  | (EventBase & {
      type: 'ticket_transferred';
      ticketId: string;
      fromCounterId: string | null;
      toServiceId: string;
      toCounterId: string | null;
      precedence: boolean;
    })
  | (EventBase & { type: 'ticket_parked'; ticketId: string; counterId: string; reason?: string })
  | (EventBase & { type: 'ticket_cancelled'; ticketId: string; counterId: string | null; reason: string })
  | (EventBase & { type: 'counter_paused'; counterId: string; reason: PauseReason; note: string | null })
  | (EventBase & { type: 'counter_resumed'; counterId: string })
  | (EventBase & { type: 'counter_configured'; counterId: string; services: string[]; autoCallNext: boolean })
  /** The actor signs in at the counter: it is theirs until they (or a supervisor) sign out. */
  | (EventBase & { type: 'counter_signed_in'; counterId: string })
  | (EventBase & { type: 'counter_signed_out'; counterId: string })
  | (EventBase & { type: 'service_closed'; serviceId: string; reason: string })
  | (EventBase & { type: 'service_reopened'; serviceId: string })
  /** A kiosk pre-check that ended in "what to bring": anonymous, for reports. */
  | (EventBase & { type: 'precheck_failed'; serviceId: string; subcase: string; missing: string[] });

export type QueueEventType = QueueEvent['type'];

export interface ServiceStats {
  serviceId: string;
  waiting: number;
  oldestWaitingSince: string | null;
  /** Estimated wait for a ticket issued now, minutes. */
  etaMinutes: number;
  /** Counters open (not paused) that serve it. */
  countersServing: number;
  issuedToday: number;
  closedToday: boolean;
}

export interface CallView {
  ticketId: string;
  number: string;
  serviceId: string;
  counterId: string;
  at: string;
  recall: boolean;
}

export interface QueueSnapshot {
  officeId: string;
  officeDay: string;
  /** Increases by one per committed change; deltas carry the next one. */
  version: number;
  serverTime: string;
  /** Tickets not yet finished (waiting, called, serving, parked) and no-shows still reinstatable. */
  tickets: Ticket[];
  counters: CounterState[];
  services: ServiceStats[];
  recentCalls: CallView[];
}

export interface QueueDelta {
  officeId: string;
  officeDay: string;
  version: number;
  /**
   * The first version this delta covers when it merges several commits (kiosks
   * and phones get at most a few merged deltas a second); absent = `version`.
   */
  fromVersion?: number;
  events: QueueEvent[];
  /** Tickets changed by these events, in their new state (terminal ones included, to be removed). */
  tickets: Ticket[];
  counters: CounterState[];
  services: ServiceStats[];
}

/** What a page needs to know about an office (no secrets). */
export interface PublicOffice {
  id: string;
  name: Bilingual;
  shortName: string;
  timeZone: string;
  hours: OpeningHours;
  services: ServiceConfig[];
  counters: CounterConfig[];
  complaintChannel: Bilingual;
  marquee: Bilingual;
  kiosk: { idleSeconds: number };
  displays: DisplayProfile[];
  logo: string | null;
  rules: Pick<QueueRules, 'reinstateWindowMinutes' | 'enforceHours' | 'priorityPerRegular'>;
}
