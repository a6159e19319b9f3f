// The one mapping from a failed zod parse to the API's error shape, for REST
// bodies and socket payloads alike: bad_request naming the fields (at most 20).
import type { z } from "zod";
import { apiError, type ApiError } from '../protocol/errors.ts';

export function validationError(error: z.ZodError): ApiError {
  return apiError(
    'bad_request',
    error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}

/** Parses `input` with `schema`: the value, or the bad_request error naming what is wrong. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): { ok: true; data: z.infer<S> } | { ok: false; error: ApiError } {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, data: r.data } : { ok: false, error: validationError(r.error) };
}

type FieldError = NonNullable<ApiError['fields']>[number];
type Issue = z.core.$ZodIssue;

/** Indonesian for the English messages the schemas in protocol/ give their own checks. */
const ID_MESSAGES: Record<string, string> = {
  'one capital letter': 'satu huruf kapital',
  'opening must be before closing': 'jam buka harus sebelum jam tutup',
  'a same-origin path or a data:image URL': 'alamat di server ini atau URL data:image',
  'an http(s) URL': 'alamat http(s)',
  'an Indonesian mobile number in E.164, e.g. +6281234567890': 'nomor ponsel Indonesia dalam format E.164, mis. +6281234567890',
  'Local time, 24h "HH:MM".': 'jam lokal 24 jam "JJ:MM"',
  'from must not be after to': 'tanggal awal tidak boleh sesudah tanggal akhir',
  'at most 366 days': 'paling lama 366 hari',
};

const TYPE_ID: Record<string, string> = { string: 'teks', number: 'angka', int: 'bilangan bulat', boolean: 'ya/tidak', array: 'daftar', object: 'objek', null: 'kosong (null)' };

function sized(i: Issue & { code: 'too_small' | 'too_big' }): { id: string; en: string } {
  const n = Number(i.code === 'too_small' ? i.minimum : i.maximum);
  const small = i.code === 'too_small';
  if (i.origin === 'string') {
    if (small && n === 1) return { id: 'Wajib diisi.', en: 'Required.' };
    return small ? { id: `Minimal ${n} karakter.`, en: `At least ${n} characters.` } : { id: `Maksimal ${n} karakter.`, en: `At most ${n} characters.` };
  }
  if (i.origin === 'array' || i.origin === 'set') return small ? { id: `Minimal ${n} item.`, en: `At least ${n} items.` } : { id: `Maksimal ${n} item.`, en: `At most ${n} items.` };
  const strict = !('inclusive' in i) || i.inclusive !== false ? '' : small ? ' lebih dari' : ' kurang dari';
  const strictEn = !('inclusive' in i) || i.inclusive !== false ? '' : small ? ' more than' : ' less than';
  return small ? { id: `Minimal${strict} ${n}.`, en: `At least${strictEn} ${n}.` } : { id: `Maksimal${strict} ${n}.`, en: `At most${strictEn} ${n}.` };
}

/** One zod issue in Indonesian and English. */
export function issueMessage(i: Issue): { id: string; en: string } {
  switch (i.code) {
    case 'invalid_type':
      if (i.input === undefined && i.message.endsWith('received undefined')) return { id: 'Wajib diisi.', en: 'Required.' };
      return { id: `Harus berupa ${TYPE_ID[i.expected] ?? i.expected}.`, en: `Must be a ${i.expected === 'int' ? 'whole number' : i.expected}.` };
    case 'too_small':
    case 'too_big':
      return sized(i);
    case 'invalid_format': {
      const known = ID_MESSAGES[i.message];
      if (i.format === 'date') return { id: 'Tanggal tidak valid (TTTT-BB-HH).', en: 'Not a valid date (YYYY-MM-DD).' };
      return known ? { id: `Harus ${known}.`, en: `Must be ${i.message}.` } : { id: 'Formatnya tidak benar.', en: 'Not in the right format.' };
    }
    case 'invalid_value': {
      const list = i.values.map((v) => JSON.stringify(v)).join(', ');
      return { id: `Pilih salah satu: ${list}.`, en: `Must be one of: ${list}.` };
    }
    case 'unrecognized_keys':
      return { id: `Kolom tidak dikenal: ${i.keys.join(', ')}.`, en: `Unknown field(s): ${i.keys.join(', ')}.` };
    case 'invalid_union':
      return { id: 'Nilainya tidak sesuai bentuk yang diterima.', en: 'The value matches none of the accepted shapes.' };
    case 'not_multiple_of':
      return { id: `Harus kelipatan ${String(i.divisor)}.`, en: `Must be a multiple of ${String(i.divisor)}.` };
    case 'custom': {
      const id = (i.params as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') return { id: id.charAt(0).toUpperCase() + id.slice(1) + '.', en: i.message.charAt(0).toUpperCase() + i.message.slice(1) + '.' };
      const known = ID_MESSAGES[i.message];
      return known ? { id: `Harus ${known}.`, en: `Must be ${i.message}.` } : { id: 'Nilainya tidak valid.', en: i.message || 'Not valid.' };
    }
    default:
      return { id: 'Nilainya tidak valid.', en: 'Not valid.' };
  }
}

/**
 * A failed parse as a list of wrong fields, each with its path (after
 * `prefix`, e.g. ["value"]) and a message in both languages; at most 50.
 */
export function fieldErrors(error: z.ZodError, prefix: ReadonlyArray<string | number> = []): FieldError[] {
  return error.issues.slice(0, 50).map((i) => ({ path: [...prefix, ...i.path.map((p) => (typeof p === 'number' ? p : String(p)))], message: issueMessage(i) }));
}
