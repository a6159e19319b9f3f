// Keyboard shortcuts of the counter screen, and the gate that keeps a
// keyboard-wedge scanner's burst of letters ("…/t/kupang/…/A001") from
// firing them: a letter acts only when no other key follows within a few
// milliseconds, which a person never types but a scanner always does.
import type { Bilingual } from '../protocol/model.ts';

export const DESK_ACTIONS = [
  'call_next',
  'recall',
  'start',
  'finish',
  'no_show',
  'transfer',
  'park',
  'return',
  'call_ticket',
  'reinstate',
  'pause',
  'issue',
  'services',
  'supervisor',
] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

/** Keys as KeyboardEvent.key gives them (letters lower-case). */
export const SHORTCUT_KEYS: Record<DeskAction, readonly string[]> = {
  call_next: [' ', 'F1'],
  recall: ['r'],
  start: ['s'],
  finish: ['f'],
  no_show: ['n'],
  transfer: ['t'],
  park: ['p'],
  return: ['b'],
  call_ticket: ['c'],
  reinstate: ['u'],
  pause: ['j'],
  issue: ['a'],
  services: ['l'],
  supervisor: ['v'],
};

/** What the button shows. */
export function shortcutLabel(action: DeskAction): Bilingual {
  if (action === 'call_next') return { id: 'Spasi / F1', en: 'Space / F1' };
  const k = SHORTCUT_KEYS[action][0]!.toUpperCase();
  return { id: k, en: k };
}

/** The aria-keyshortcuts value. */
export function ariaShortcut(action: DeskAction): string {
  return SHORTCUT_KEYS[action].map((k) => (k === ' ' ? 'Space' : k.length === 1 ? k.toUpperCase() : k)).join(' ');
}

export interface KeyInfo {
  key: string;
  timeStamp: number;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

export function actionOfKey(e: KeyInfo): DeskAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  for (const a of DESK_ACTIONS) if (SHORTCUT_KEYS[a].includes(key)) return a;
  return null;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };

/**
 * Holds a printable shortcut key for `delayMs`; fires it unless another
 * printable key comes first (then the whole burst is a scan and nothing
 * fires). Function keys (F1) fire at once.
 */
export class KeyGate<A = DeskAction> {
  #pending: { action: A; handle: unknown } | null = null;
  #last = -Infinity;

  constructor(
    private readonly fire: (action: A) => void,
    readonly delayMs = 45,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Feed every printable key (and function-key shortcuts) with the action it stands for, if any. */
  handle(e: KeyInfo, action: A | null): void {
    if (e.key.length !== 1) {
      if (action !== null) this.fire(action);
      return;
    }
    const burst = e.timeStamp - this.#last <= this.delayMs;
    this.#last = e.timeStamp;
    if (this.#pending) {
      this.timers.clear(this.#pending.handle);
      this.#pending = null;
    }
    if (burst || action === null) return;
    const handle = this.timers.set(() => {
      this.#pending = null;
      this.fire(action);
    }, this.delayMs);
    this.#pending = { action, handle };
  }
}
