// What the queue rules can refuse, per command: the one list the domain's
// handlers are held to (commands.ts can only refuse through `refuse`, which
// accepts a code of the command's list) and the OpenAPI document reads.
import type { CommandType } from '../../protocol/commands.ts';
import type { ErrorCode } from '../../protocol/errors.ts';

/** Refusals of `decide` for every command, before its own rule runs. */
export const COMMON_REFUSALS = ['idempotency_conflict', 'day_mismatch'] as const satisfies readonly ErrorCode[];

/** What each command's rule refuses (server/domain/commands.ts). */
export const COMMAND_REFUSALS = {
  issue: ['service_not_found', 'service_closed', 'office_closed', 'quota_full'],
  call_next: ['counter_not_found', 'counter_paused', 'counter_busy', 'queue_empty'],
  call_ticket: ['counter_not_found', 'counter_paused', 'counter_busy', 'ticket_not_found', 'ticket_not_waiting', 'service_not_served'],
  recall: ['counter_not_found', 'counter_idle', 'invalid_state'],
  start: ['counter_not_found', 'counter_idle', 'invalid_state'],
  finish: ['counter_not_found', 'counter_idle'],
  no_show: ['counter_not_found', 'counter_idle', 'invalid_state'],
  reinstate: ['ticket_not_found', 'invalid_state', 'reinstate_window_passed'],
  transfer: ['counter_not_found', 'counter_idle', 'bad_request', 'service_not_found'],
  park: ['counter_not_found', 'counter_idle'],
  return: ['counter_not_found', 'counter_paused', 'counter_busy', 'ticket_not_found', 'invalid_state'],
  cancel: ['ticket_not_found', 'invalid_state'],
  pause: ['counter_not_found', 'counter_paused'],
  resume: ['counter_not_found', 'counter_not_paused'],
  configure_counter: ['counter_not_found', 'service_not_found'],
  move_ticket: ['ticket_not_found', 'ticket_not_waiting', 'bad_request', 'service_not_found', 'counter_not_found'],
  record_precheck: ['service_not_found', 'bad_request'],
  close_service: ['service_not_found', 'service_closed'],
  reopen_service: ['service_not_found', 'invalid_state'],
} as const satisfies Record<CommandType, readonly ErrorCode[]>;

type Lists = typeof COMMAND_REFUSALS;

/** A code command T may be refused with. */
export type RefusalOf<T extends CommandType> = Lists[T][number];

/** A code every command of the union T may be refused with (for checks shared by several commands). */
type CommonTo<T extends CommandType> = (T extends CommandType ? (x: RefusalOf<T>) => void : never) extends (x: infer I) => void ? I & ErrorCode : never;

declare const refused: unique symbol;
/** A refusal made by `refuse`: handlers cannot return a bare code. */
export type Refused = ErrorCode & { readonly [refused]: true };

/**
 * Refuses `cmd` with `code`. The code must be in COMMAND_REFUSALS for the
 * command (for every command the type of `cmd` allows), so a rule refusing
 * with a code its list lacks fails the type check.
 */
export function refuse<T extends CommandType>(_cmd: { type: T }, code: CommonTo<T>): Refused {
  return code as Refused;
}

/** A refusal of `decide` that any command can meet. */
export function refuseAny(code: (typeof COMMON_REFUSALS)[number]): ErrorCode {
  return code;
}
