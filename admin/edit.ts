// Pure helpers of the admin console's forms, without runes (tested in
// test/ui/admin-state.test.ts): the server's field errors by field, a simple
// diff of two values for the "changed by someone else" notice, and the ids
// that tie an input to its error text.
import { formatTime, zoneName, type FormatLang } from '../protocol/format.ts';
import type { Bilingual } from '../protocol/model.ts';

/** One wrong field as the server names it (a dotted path from the zod schema). */
export interface FieldIssue {
  path: string | readonly (string | number)[];
  message: Bilingual | string;
}

/** A path as the page's fields name it: dotted, relative to the section's value. */
export function normalPath(path: FieldIssue['path']): string {
  const p = typeof path === 'string' ? path : path.join('.');
  return p.replace(/\[(\d+)\]/g, '.$1').replace(/^value\.?/, '');
}

/**
 * The server's field errors keyed by path. A message that comes as one
 * string (older shape) is shown as it is in both languages. Two messages for
 * one field are joined.
 */
export function fieldErrors(issues: readonly FieldIssue[] | undefined | null): Record<string, Bilingual> {
  const out: Record<string, Bilingual> = {};
  for (const issue of issues ?? []) {
    const msg = typeof issue.message === 'string' ? { id: issue.message, en: issue.message } : issue.message;
    const key = normalPath(issue.path);
    const had = out[key];
    out[key] = had ? { id: `${had.id}; ${msg.id}`, en: `${had.en}; ${msg.en}` } : msg;
  }
  return out;
}

/** Errors whose field the page does not show (so they are listed at the top of the form instead). */
export function unplaced(errors: Record<string, Bilingual>, shown: Iterable<string>): Array<[string, Bilingual]> {
  const set = new Set(shown);
  return Object.entries(errors).filter(([p]) => !set.has(p));
}

/** The id of a field's input and of its error text, from its path. */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, '-') || 'root'}`;
}
export function errorId(path: string): string {
  return `${fieldId(path)}-err`;
}

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Leaf-by-leaf differences between two JSON values, as dotted paths; arrays by index. */
export function diff(before: unknown, after: unknown, prefix = ''): Change[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: Change[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...diff(before[i], after[i], prefix ? `${prefix}.${i}` : String(i)));
    return out;
  }
  if (isPlain(before) && isPlain(after)) {
    const out: Change[] = [];
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) out.push(...diff(before[k], after[k], prefix ? `${prefix}.${k}` : k));
    return out;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: prefix, before, after }];
}

/** A value for the diff table: short, one line. */
export function shortValue(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** A deep copy of a JSON value (the form's draft must not share objects with the server's copy). */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Moves an item of a list one place up (-1) or down (+1); the same list when it cannot move. */
export function move<T>(list: T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (to < 0 || to >= list.length) return list;
  const out = [...list];
  [out[index], out[to]] = [out[to]!, out[index]!];
  return out;
}

/**
 * An instant's time of day on admin screens, always in the office's zone and
 * naming it ("00.21 WITA"): an admin's browser may run in another zone (or
 * UTC). Without the office's zone yet, the time in UTC, said so.
 */
export function hhmm(at: string | number | Date, timeZone: string | undefined, lang: FormatLang = 'id'): string {
  if (timeZone) {
    try {
      return `${formatTime(at, timeZone, lang)} ${zoneName(timeZone)}`;
    } catch {
      // an unknown zone: fall through to UTC
    }
  }
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}
