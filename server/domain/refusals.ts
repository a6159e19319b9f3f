// What the queue rules can refuse, per command: the one list the domain's
// handlers are held to (commands.ts can only refuse through `refuse`, which
// accepts a code of the command's list) and the OpenAPI document reads.
import type { CommandType } from '../../protocol/commands.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { CounterCommandType, CounterRefusal } from '../../protocol/rules.ts';

/** Refusals of `decide` for every command, before its own rule runs. */
export const COMMON_REFUSALS = ['idempotency_conflict', 'day_mismatch'] as const satisfies readonly ErrorCode[];

/** What each command's rule refuses (server/domain/commands.ts). */
export const COMMAND_REFUSALS = {
  issue: ['service_not_found', 'service_closed', 'office_closed', 'quota_full', 'bad_request'],
  call_next: ['counter_not_found', 'counter_taken', 'counter_paused', 'counter_busy', 'queue_empty'],
  call_ticket: ['counter_not_found', 'counter_taken', 'counter_paused', 'counter_busy', 'ticket_not_found', 'ticket_not_waiting', 'service_not_served'],
  recall: ['counter_not_found', 'counter_taken', 'counter_idle', 'invalid_state'],
  start: ['counter_not_found', 'counter_taken', 'counter_idle', 'invalid_state'],
  finish: ['counter_not_found', 'counter_taken', 'counter_idle'],
  no_show: ['counter_not_found', 'counter_taken', 'counter_idle', 'invalid_state'],
  reinstate: ['ticket_not_found', 'invalid_state', 'reinstate_window_passed'],
  transfer: ['counter_not_found', 'counter_taken', 'counter_idle', 'bad_request', 'service_not_found'],
  park: ['counter_not_found', 'counter_taken', 'counter_idle'],
  return: ['counter_not_found', 'counter_taken', 'counter_paused', 'counter_busy', 'ticket_not_found', 'invalid_state'],
  cancel: ['ticket_not_found', 'invalid_state', 'counter_taken', 'cancel_too_late'],
  pause: ['counter_not_found', 'counter_taken', 'counter_paused'],
  resume: ['counter_not_found', 'counter_taken', 'counter_not_paused'],
  sign_in: ['counter_not_found', 'counter_taken'],
  sign_out: ['counter_not_found', 'counter_taken', 'invalid_state'],
  configure_counter: ['counter_not_found', 'counter_taken', 'service_not_found'],
  move_ticket: ['ticket_not_found', 'ticket_not_waiting', 'bad_request', 'service_not_found', 'counter_not_found'],
  record_precheck: ['service_not_found', 'bad_request'],
  close_service: ['service_not_found', 'service_closed'],
  reopen_service: ['service_not_found', 'invalid_state'],
  answer_survey: ['ticket_not_found', 'survey_not_open', 'survey_already_answered'],
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

/**
 * The counter-state rules shared with the pages (protocol/rules.ts) answer
 * codes typed per command; this fails to compile when one of them is missing
 * from that command's list above.
 */
type CounterRulesListed = { [C in CounterCommandType]: [CounterRefusal<C>] extends [RefusalOf<C>] ? true : ['not in COMMAND_REFUSALS', C, Exclude<CounterRefusal<C>, RefusalOf<C>>] };
const counterRulesListed: CounterRulesListed = {
  call_next: true, call_ticket: true, return: true, recall: true, start: true, no_show: true, finish: true,
  transfer: true, park: true, pause: true, resume: true, sign_out: true, configure_counter: true, sign_in: true,
};
void counterRulesListed;

/** A refusal of a shared counter-state rule (refusalFor / signInRefusal), held to the lists by CounterRulesListed. */
export function refuseCounterState<C extends CounterCommandType>(_cmd: { type: C }, code: CounterRefusal<C>): Refused {
  return code as Refused;
}
