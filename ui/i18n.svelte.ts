// The one i18n helper: Bahasa Indonesia first, English second. Pages define
// their strings as { id, en } pairs and read them through `i18n.t`.
import type { Bilingual } from '../protocol/model.ts';

export type Lang = 'id' | 'en';

let lang = $state<Lang>('id');

// A plain object over one module-level rune: a class's $state field becomes a
// private field, which the pages' ES2020 build turns into WeakMap helper calls.
export const i18n = {
  get lang(): Lang {
    return lang;
  },
  set lang(value: Lang) {
    lang = value;
  },

  t(text: Bilingual | undefined | null): string {
    if (!text) return '';
    return lang === 'en' ? text.en : text.id;
  },

  /** The other language's text (for a second line), or '' when showing English already. */
  other(text: Bilingual | undefined | null): string {
    if (!text) return '';
    return lang === 'en' ? text.id : text.en;
  },
};

/** Declares a page's strings; fill `{name}` placeholders with `fill`. */
export function messages<K extends string>(m: Record<K, Bilingual>): Record<K, Bilingual> {
  return m;
}

export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => (k in values ? String(values[k]) : `{${k}}`));
}
