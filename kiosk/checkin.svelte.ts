// "Saya sudah booking" at the kiosk: the code typed on an on-screen keypad or
// scanned (keyboard-wedge scanner or the HID scanner's `scanned` event), sent
// to the check-in endpoint; the ticket it gives is shown and printed like any
// kiosk ticket. Too early, too late or unknown: a clear message and the
// walk-in path. No I/O of its own: the kiosk passes `send`.
import type { BookingCheckedIn } from '../protocol/booking.ts';
import type { ApiError } from '../protocol/errors.ts';
import type { ApiResult } from '../ui/api.ts';
import { CODE_ALPHABET, CODE_LENGTH, readBookingScan } from './booking-code.ts';

export type CheckInState = 'closed' | 'typing' | 'sending' | 'refused';

export interface CheckInDeps {
  send(code: string, idempotencyKey: string): Promise<ApiResult<BookingCheckedIn>>;
  /** The check-in gave a ticket: the kiosk shows it (and the server prints it). */
  onTicket(r: BookingCheckedIn): void;
  newKey(): string;
}

/** The keys of the keypad: the code's alphabet, digits first. */
export const KEYS: readonly string[] = CODE_ALPHABET.split('');

export class CheckIn {
  state = $state<CheckInState>('closed');
  code = $state('');
  error = $state.raw<ApiError | null>(null);
  lastTouch = 0;
  private attempt: { code: string; key: string } | null = null;

  constructor(private readonly deps: CheckInDeps) {}

  get open(): boolean {
    return this.state !== 'closed';
  }

  start(now = Date.now()): void {
    this.state = 'typing';
    this.code = '';
    this.error = null;
    this.lastTouch = now;
  }

  close(): void {
    this.state = 'closed';
    this.code = '';
    this.error = null;
    this.attempt = null;
  }

  press(ch: string, now = Date.now()): void {
    this.lastTouch = now;
    if (this.state === 'refused') this.state = 'typing';
    if (this.state !== 'typing') return;
    const c = ch.toUpperCase();
    if (CODE_ALPHABET.includes(c) && this.code.length < CODE_LENGTH) this.code += c;
  }

  erase(now = Date.now()): void {
    this.lastTouch = now;
    if (this.state === 'refused') this.state = 'typing';
    if (this.state === 'typing') this.code = this.code.slice(0, -1);
  }

  clear(now = Date.now()): void {
    this.lastTouch = now;
    if (this.state !== 'sending') {
      this.state = 'typing';
      this.code = '';
      this.error = null;
    }
  }

  get complete(): boolean {
    return this.code.length === CODE_LENGTH;
  }

  /** A scan anywhere on the kiosk: true when it was a booking (then it is checked in). */
  scan(text: string, now = Date.now()): boolean {
    const r = readBookingScan(text);
    if (!r || this.state === 'sending') return false;
    this.state = 'typing';
    this.code = r.code;
    this.lastTouch = now;
    // The scanned text goes as it is: the server refuses a code of another office by its GB: prefix.
    void this.submit(text.trim());
    return true;
  }

  async submit(text = this.code): Promise<void> {
    if (this.state === 'sending' || !readBookingScan(text)) return;
    this.state = 'sending';
    this.error = null;
    // The same code keeps its key, so a retry after a lost answer cannot give a second ticket.
    if (this.attempt?.code !== text) this.attempt = { code: text, key: this.deps.newKey() };
    const r = await this.deps.send(text, this.attempt.key);
    if (this.state !== 'sending') return; // closed meanwhile
    if (r.ok) {
      this.close();
      this.deps.onTicket(r.data);
      return;
    }
    this.error = r.error;
    this.state = 'refused';
  }

  /** Seconds without a touch after which the screen goes back to the start. */
  idle(now: number, idleSeconds: number): boolean {
    if (this.open && this.state !== 'sending' && now - this.lastTouch > idleSeconds * 1000) {
      this.close();
      return true;
    }
    return false;
  }
}
