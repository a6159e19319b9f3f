// Shapes shared by the server and every page: configuration, tickets, events,
// snapshots and deltas. The types are z.infer of the schemas in schemas.ts
// (imported as types only, so pages importing this file carry no zod); the
// runtime code here is constants only.
import type { z } from 'zod';
import type * as S from './schemas.ts';

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

/** 'office_box': an office's own server that ships its journals to a central deployment (server/sync). */
export const DEVICE_KINDS = ['kiosk', 'display', 'agent', 'office_box'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export type Weekday = (typeof S.WEEKDAYS)[number];
/** Local opening periods, "HH:MM" 24h, per weekday; a missing day is closed. */
export type OpeningHours = z.infer<typeof S.openingHoursSchema>;

/** Text shown to people: Bahasa Indonesia first, English second. */
export type Bilingual = z.infer<typeof S.bilingualSchema>;
export type Requirement = z.infer<typeof S.requirementSchema>;
export type Subcase = z.infer<typeof S.subcaseSchema>;
export type ServiceConfig = z.infer<typeof S.serviceConfigSchema>;
export type CounterConfig = z.infer<typeof S.counterConfigSchema>;
export type QueueRules = z.infer<typeof S.queueRulesSchema>;
/** What one waiting-room TV shows (a big office has several rooms). */
export type DisplayProfile = z.infer<typeof S.displayProfileSchema>;
export type OfficeConfig = z.infer<typeof S.officeConfigSchema>;
/** A date the office is closed whatever its weekly hours say. */
export type ClosedDay = z.infer<typeof S.closedDaySchema>;
export type NotifySettings = z.infer<typeof S.notifySettingsSchema>;
/** Who did something: recorded with every change (the audit log). */
export type Actor = z.infer<typeof S.actorSchema>;
export type PrecheckResult = z.infer<typeof S.precheckResultSchema>;
export type Ticket = z.infer<typeof S.ticketSchema>;
/** An estimated wait in whole minutes, low to high. */
export type WaitRangeView = z.infer<typeof S.waitRangeSchema>;
export type CounterState = z.infer<typeof S.counterStateSchema>;
export type QueueEvent = z.infer<typeof S.queueEventSchema>;
export type QueueEventType = QueueEvent['type'];
export type ServiceStats = z.infer<typeof S.serviceStatsSchema>;
export type CallView = z.infer<typeof S.callViewSchema>;
export type QueueSnapshot = z.infer<typeof S.queueSnapshotSchema>;
export type QueueDelta = z.infer<typeof S.queueDeltaSchema>;
/** What a page needs to know about an office (no secrets). */
export type PublicOffice = z.infer<typeof S.publicOfficeSchema>;
export type BookingSettings = z.infer<typeof S.bookingSettingsSchema>;
export type BookingState = z.infer<typeof S.bookingStateSchema>;
/** A booking as the journal of its slot's day holds it (NIK as a keyed hash and last 4 only). */
export type Booking = z.infer<typeof S.bookingSchema>;
