// Socket.IO event maps, one pair per role namespace. The server types its
// namespaces with them and every page types its socket with them, so a renamed
// event fails the type check on both sides.
import type { Ack } from './errors.ts';
import type { Command, IssueBody } from './commands.ts';
import type { PrintResult, PrinterStatus, SlipRequest } from './devices.ts';
import type { QueueDelta, QueueSnapshot, Ticket } from './model.ts';

export const NAMESPACES = ['display', 'kiosk', 'counter', 'agent', 'track'] as const;
export type Role = (typeof NAMESPACES)[number];

/** What the server pushes in every namespace. */
export interface QueueServerEvents {
  /** Full state: on connect, on request, and when the office day changes. */
  snapshot: (snapshot: QueueSnapshot) => void;
  /** One committed change; `version` is the snapshot's version + 1 of the one before. */
  delta: (delta: QueueDelta) => void;
}

export interface ResyncClientEvents {
  /** Ask for a fresh snapshot (after a version gap). */
  resync: (ack: (res: Ack<QueueSnapshot>) => void) => void;
}

export interface CommandResult {
  /** The ticket the command acted on, in its new state (null for counter-only commands). */
  ticket: Ticket | null;
  version: number;
  /** True when the idempotency key had been seen: nothing changed, this is the first result. */
  replayed: boolean;
}

export type DisplayServerToClient = QueueServerEvents;
export type DisplayClientToServer = ResyncClientEvents;

export interface KioskServerToClient extends QueueServerEvents {
  /** The outcome of printing a ticket this kiosk issued (sent to this kiosk's socket only). */
  print_result: (result: PrintResult) => void;
  /** This kiosk's printer changed state (paper out, back to ok …). */
  printer_status: (status: PrinterStatus) => void;
}
export interface KioskClientToServer extends ResyncClientEvents {
  issue: (body: IssueBody, ack: (res: Ack<CommandResult>) => void) => void;
  /** Print a "what to bring" slip; acknowledged with the print outcome. */
  print_slip: (slip: SlipRequest, ack: (res: Ack<PrintResult>) => void) => void;
}

export interface CounterServerToClient extends QueueServerEvents {
  /** Printer problems staff must know of (all printers of the office, on connect and on change). */
  printer_status: (status: PrinterStatus) => void;
}
export interface CounterClientToServer extends ResyncClientEvents {
  command: (command: Command, ack: (res: Ack<CommandResult>) => void) => void;
}

export type TrackServerToClient = QueueServerEvents;
export type TrackClientToServer = ResyncClientEvents;

export type AgentServerToClient = QueueServerEvents;
export type AgentClientToServer = ResyncClientEvents;

/** Handshake `auth` a page sends when it connects. */
export interface HandshakeAuth {
  office: string;
  /** Paired device token (kiosk, display, agent); staff use their session cookie. */
  deviceToken?: string;
}
