// The domain can refuse a command only with a code of its list in
// COMMAND_REFUSALS: anything else fails the type check.
import { describe, expectTypeOf, it } from 'vitest';
import type { Command } from '../../protocol/commands.ts';
import { refuse, type RefusalOf, type Refused } from '../../server/domain/refusals.ts';

declare const finish: Extract<Command, { type: 'finish' }>;
declare const counterCommand: Extract<Command, { type: 'finish' | 'return' }>;

describe('refuse', () => {
  it('takes a code of the command’s list and gives a Refused', () => {
    expectTypeOf(refuse(finish, 'counter_idle')).toEqualTypeOf<Refused>();
    expectTypeOf<RefusalOf<'return'>>().toEqualTypeOf<'counter_not_found' | 'counter_taken' | 'counter_paused' | 'counter_busy' | 'ticket_not_found' | 'invalid_state'>();
  });

  it('refuses a code the command’s list lacks', () => {
    // @ts-expect-error finish never refuses with counter_paused
    refuse(finish, 'counter_paused');
    // @ts-expect-error not an error code at all
    refuse(finish, 'nope');
  });

  it('takes, for a check several commands share, only a code in every one of their lists', () => {
    refuse(counterCommand, 'counter_not_found');
    // @ts-expect-error return may be refused with counter_busy, finish may not
    refuse(counterCommand, 'counter_busy');
  });

  it('is the only way to make a Refused: a bare code is not one', () => {
    // @ts-expect-error a plain string is not a Refused
    const bare: Refused = 'counter_idle';
    void bare;
  });
});
