// Keyboard-wedge barcode scanners "type" their code fast and end with Enter.
// This tells such bursts from a person typing, and ignores keys typed into
// form fields (those belong to the field).
export interface WedgeOptions {
  /** Longest pause between two keys of one scan (ms). People rarely type under ~50 ms per key. */
  maxGapMs?: number;
  /** Shortest code accepted. */
  minLength?: number;
  maxLength?: number;
}

export interface KeyLike {
  key: string;
  timeStamp: number;
  target?: unknown;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  preventDefault?(): void;
}

function isEditable(target: unknown): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean; type?: string } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable) return true;
  if (tag !== 'INPUT') return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes((el.type ?? 'text').toLowerCase());
}

export class WedgeScanner {
  readonly maxGapMs: number;
  readonly minLength: number;
  readonly maxLength: number;
  #buffer = '';
  #last = -Infinity;

  constructor(private readonly onScan: (code: string) => void, opts: WedgeOptions = {}) {
    this.maxGapMs = opts.maxGapMs ?? 35;
    this.minLength = opts.minLength ?? 4;
    this.maxLength = opts.maxLength ?? 512;
  }

  /** Feed every keydown; returns true when the key ended a scan (the caller should not act on that Enter). */
  handleKey(e: KeyLike): boolean {
    if (isEditable(e.target) || e.ctrlKey || e.altKey || e.metaKey) {
      this.#reset();
      return false;
    }
    const gap = e.timeStamp - this.#last;
    if (e.key === 'Enter') {
      const code = this.#buffer;
      const fast = gap <= this.maxGapMs;
      this.#reset();
      if (fast && code.length >= this.minLength) {
        e.preventDefault?.();
        this.onScan(code);
        return true;
      }
      return false;
    }
    if (e.key.length !== 1) return false; // Shift and other non-printing keys do not break a burst
    if (gap > this.maxGapMs) this.#buffer = '';
    this.#buffer = (this.#buffer + e.key).slice(-this.maxLength);
    this.#last = e.timeStamp;
    return false;
  }

  #reset(): void {
    this.#buffer = '';
    this.#last = -Infinity;
  }

  /** Listens on a window/document; returns the function that stops listening. */
  attach(target: { addEventListener(t: 'keydown', f: (e: KeyboardEvent) => void, o?: boolean): void; removeEventListener(t: 'keydown', f: (e: KeyboardEvent) => void, o?: boolean): void }): () => void {
    const f = (e: KeyboardEvent) => {
      if (this.handleKey(e)) e.stopPropagation();
    };
    target.addEventListener('keydown', f, true);
    return () => target.removeEventListener('keydown', f, true);
  }
}
