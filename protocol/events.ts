// Socket.IO event maps, one pair per role namespace. The server types its
// namespaces with them and every page types its socket with them, so a renamed
// event fails the type check on both sides.
import type { Ack, ApiError } from './errors.ts';
import type { Command, IssueBody } from './commands.ts';
import type { AgentHello, AgentPrintJob, AgentWelcome, PrintResult, PrinterStatus, ScanEvent, SlipRequest } from './devices.ts';
import type { PublicOffice, QueueDelta, QueueSnapshot, Ticket } from './model.ts';
import type { TrackFrame, TrackView } from './track.ts';

export const NAMESPACES = ['display', 'kiosk', 'counter', 'agent', 'track'] as const;
export type Role = (typeof NAMESPACES)[number];

/** What the server pushes in every namespace. */
export interface QueueServerEvents {
  /** Full state: on connect, on request, and when the office day changes. */
  snapshot: (snapshot: QueueSnapshot) => void;
  /** One committed change; `version` is the snapshot's version + 1 of the one before. */
  delta: (delta: QueueDelta) => void;
  /**
   * The office's queue cannot be read (its journal is damaged): the screen says
   * so instead of showing an old queue. Cleared by the next snapshot.
   */
  unavailable: (error: ApiError) => void;
  /**
   * The office's configuration was saved (admin console): the page replaces its
   * copy of the office. `revision` grows with every save (an older one is
   * ignored). A fresh snapshot follows, with the figures of new services.
   */
  office: (office: PublicOffice, revision: number) => void;
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
  /**
   * The issued ticket's holder key (its QR link's `?k=`), in the answer to the
   * kiosk that issued it (socket and REST kiosk issue) only; never broadcast.
   */
  holderKey?: string;
}

export type DisplayServerToClient = QueueServerEvents;
export type DisplayClientToServer = ResyncClientEvents;

export interface KioskServerToClient extends QueueServerEvents {
  /** The outcome of printing a ticket this kiosk issued (sent to this kiosk's socket only). */
  print_result: (result: PrintResult) => void;
  /** This kiosk's printer changed state (paper out, back to ok …); also sent once on connect. */
  printer_status: (status: PrinterStatus) => void;
  /** A hardware scanner attached to this kiosk (server or agent) read a code; the page's wedge path delivers the same shape. */
  scanned: (scan: ScanEvent) => void;
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

/**
 * A citizen's phone follows one ticket (handshake auth: TrackHandshakeAuth in
 * protocol/track.ts): it gets that ticket's view and what the TV shows anyway,
 * never a queue snapshot or delta.
 */
export interface TrackServerToClient {
  /** The ticket's view: on connect and whenever it changes (the office block only when it changed: TrackFrame). */
  track: (view: TrackFrame) => void;
  /** The office's queue cannot be read now; cleared by the next `track`. */
  unavailable: (error: ApiError) => void;
}
export interface TrackClientToServer {
  /** The current view (rate-limited per socket). */
  refresh: (ack: (res: Ack<TrackView>) => void) => void;
}

export interface AgentServerToClient extends QueueServerEvents {
  /**
   * Print a job. The agent acknowledges once it has recorded the job id (before
   * printing); the server resends unacknowledged jobs after a reconnect and the
   * agent prints each job id at most once. Outcomes come back as `print_result`.
   */
  print: (job: AgentPrintJob, ack: (res: Ack<{ jobId: string }>) => void) => void;
}
export interface AgentClientToServer extends ResyncClientEvents {
  /** First message after connecting: which kiosks this agent serves and what is attached. */
  hello: (hello: AgentHello, ack: (res: Ack<AgentWelcome>) => void) => void;
  /** The agent's printer changed state. */
  status: (status: PrinterStatus) => void;
  /** A job reached an outcome; resent until acknowledged (the server ignores repeats). */
  print_result: (result: PrintResult, ack: (res: Ack<null>) => void) => void;
  /** The agent's scanner read a code. */
  scanned: (scan: ScanEvent) => void;
}

/** Each role's pair of maps, for code that is generic over the role (server wiring, test helpers). */
export interface RoleEvents {
  display: { serverToClient: DisplayServerToClient; clientToServer: DisplayClientToServer };
  kiosk: { serverToClient: KioskServerToClient; clientToServer: KioskClientToServer };
  counter: { serverToClient: CounterServerToClient; clientToServer: CounterClientToServer };
  agent: { serverToClient: AgentServerToClient; clientToServer: AgentClientToServer };
  track: { serverToClient: TrackServerToClient; clientToServer: TrackClientToServer };
}
export type ServerToClient<R extends Role> = RoleEvents[R]['serverToClient'];
export type ClientToServer<R extends Role> = RoleEvents[R]['clientToServer'];

/**
 * The maps the Socket.IO server is typed with: every role's events (no name
 * means two things in two roles). Each namespace narrows them to its role.
 */
export type AllServerToClient = DisplayServerToClient & KioskServerToClient & CounterServerToClient & AgentServerToClient & TrackServerToClient;
export type AllClientToServer = DisplayClientToServer & KioskClientToServer & CounterClientToServer & AgentClientToServer & TrackClientToServer;

/** Events between server processes (none yet: one process per office box). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

/** Handshake `auth` a page sends when it connects. */
export interface HandshakeAuth {
  office: string;
  /** Paired device token (kiosk, display, agent); staff use their session cookie. */
  deviceToken?: string;
}
