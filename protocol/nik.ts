// NIK (Nomor Induk Kependudukan) and KK-number checks, shared by the browser
// pages and the server. Pure: "today" (the office-local date) is passed in,
// nothing here reads a clock, and nothing here logs or keeps a number.
//
// Shape (DOMAIN.md): 16 digits — 1–2 province, 3–4 regency/city, 5–6 district
// (kecamatan), 7–12 date of birth DDMMYY with 40 added to DD for women, 13–16
// a serial that is never 0000. KK numbers have the same shape without the sex
// offset; for them only digits, length, province and serial are checked.

export type NikProblem =
  | 'empty'
  | 'not_digits'
  | 'wrong_length'
  | 'bad_province'
  | 'bad_day'
  | 'bad_month'
  | 'bad_date'
  | 'bad_serial';

/** The problems a KK number can have (a subset of the NIK's). */
export type KkProblem = Extract<NikProblem, 'empty' | 'not_digits' | 'wrong_length' | 'bad_province' | 'bad_serial'>;

export interface NikInfo {
  provinceCode: string;
  regencyCode: string;
  districtCode: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: 'female' | 'male';
}

export interface KkInfo {
  provinceCode: string;
  regencyCode: string;
  districtCode: string;
}

export const NIK_LENGTH = 16;

/** Province codes that exist (DOMAIN.md). */
export const PROVINCE_CODES: ReadonlySet<string> = new Set(
  [
    ...range(11, 19),
    21,
    ...range(31, 36),
    ...range(51, 53),
    ...range(61, 65),
    ...range(71, 76),
    81,
    82,
    ...range(91, 96),
  ].map((n) => String(n)),
);

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}

/** Removes the whitespace people type or paste between digit groups. */
function stripSpaces(input: string): string {
  return input.replace(/\s+/g, '');
}

type ShapeResult = { ok: true; digits: string } | { ok: false; problem: KkProblem };

/** Checks common to NIK and KK numbers, in the order a person would fix them. */
function checkShape(input: string): ShapeResult {
  const digits = stripSpaces(input);
  if (digits.length === 0) return { ok: false, problem: 'empty' };
  if (!/^[0-9]+$/.test(digits)) return { ok: false, problem: 'not_digits' };
  if (digits.length !== NIK_LENGTH) return { ok: false, problem: 'wrong_length' };
  if (!PROVINCE_CODES.has(digits.slice(0, 2))) return { ok: false, problem: 'bad_province' };
  return { ok: true, digits };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

interface YMD {
  year: number;
  month: number;
  day: number;
}

function parseIsoDate(value: string, name: string): YMD {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) throw new RangeError(`${name} must be YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`${name} is not a calendar date`);
  }
  return { year, month, day };
}

function compareYmd(a: YMD, b: YMD): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * Parses and validates a NIK. `today` is the office-local date (YYYY-MM-DD).
 *
 * The two-digit year is resolved to the most recent past century (DOMAIN.md):
 * the birth date is in this century unless that would be after today, then in
 * the previous one ("05" is 2005 in 2026, "30" is 1930, and "25-12-26" read on
 * 1 December 2026 is 25 December 1926, a person of 99). So a NIK's birth date
 * is never in the future.
 */
export function parseNik(input: string, today: string): { ok: true; info: NikInfo } | { ok: false; problem: NikProblem } {
  const now = parseIsoDate(today, 'today');
  const shape = checkShape(input);
  if (!shape.ok) return shape;
  const d = shape.digits;

  const rawDay = Number(d.slice(6, 8));
  const month = Number(d.slice(8, 10));
  const yy = Number(d.slice(10, 12));

  let day: number;
  let sex: NikInfo['sex'];
  if (rawDay >= 1 && rawDay <= 31) {
    day = rawDay;
    sex = 'male';
  } else if (rawDay >= 41 && rawDay <= 71) {
    day = rawDay - 40;
    sex = 'female';
  } else {
    return { ok: false, problem: 'bad_day' };
  }
  if (month < 1 || month > 12) return { ok: false, problem: 'bad_month' };

  let year = Math.floor(now.year / 100) * 100 + yy;
  if (compareYmd({ year, month, day }, now) > 0) year -= 100;
  if (day > daysInMonth(year, month)) return { ok: false, problem: 'bad_date' };

  if (d.slice(12, 16) === '0000') return { ok: false, problem: 'bad_serial' };

  return {
    ok: true,
    info: {
      provinceCode: d.slice(0, 2),
      regencyCode: d.slice(2, 4),
      districtCode: d.slice(4, 6),
      birthDate: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`,
      sex,
    },
  };
}

/**
 * Parses a KK (Kartu Keluarga) number: digits, length, province and serial
 * only (DOMAIN.md: same 16-digit shape, no sex offset).
 */
export function parseKk(input: string): { ok: true; info: KkInfo } | { ok: false; problem: KkProblem } {
  const shape = checkShape(input);
  if (!shape.ok) return shape;
  const d = shape.digits;
  if (d.slice(12, 16) === '0000') return { ok: false, problem: 'bad_serial' };
  return { ok: true, info: { provinceCode: d.slice(0, 2), regencyCode: d.slice(2, 4), districtCode: d.slice(4, 6) } };
}

/**
 * Age in whole years on `today` (both YYYY-MM-DD). A birthday counts from
 * the day itself; someone born on 29 February turns a year older on 1 March
 * in years without a 29 February. Negative if the birth date is after today.
 */
export function ageOn(birthDate: string, today: string): number {
  const b = parseIsoDate(birthDate, 'birthDate');
  const t = parseIsoDate(today, 'today');
  let age = t.year - b.year;
  if (t.month < b.month || (t.month === b.month && t.day < b.day)) age -= 1;
  return age;
}

const BULLET = '\u2022';
const MASK_PREFIX = BULLET.repeat(12);

/**
 * Masks a NIK (or KK number) for display: twelve bullets and the last four
 * digits. Fewer than four digits gives bullets only, so nothing more than the
 * last four digits is ever shown.
 */
export function maskNik(nik: string): string {
  const digits = nik.replace(/[^0-9]/g, '');
  if (digits.length < 4) return BULLET.repeat(16);
  return MASK_PREFIX + digits.slice(-4);
}

/** What to tell the person for each mistake in a NIK. */
export const NIK_PROBLEM_TEXT: Record<NikProblem, { id: string; en: string }> = {
  empty: {
    id: 'Silakan isi NIK Anda (16 digit, tertera pada KTP-el atau KK).',
    en: 'Please enter your NIK (16 digits, printed on your e-KTP or family card).',
  },
  not_digits: {
    id: 'NIK hanya berisi angka. Periksa kembali, mungkin ada huruf atau tanda baca.',
    en: 'A NIK contains only digits. Please check for letters or punctuation.',
  },
  wrong_length: {
    id: 'NIK terdiri atas 16 digit. Periksa kembali jumlah angkanya.',
    en: 'A NIK has 16 digits. Please check how many you entered.',
  },
  bad_province: {
    id: 'Kode provinsi pada NIK (digit 1–2) tidak dikenal. Periksa kembali dua angka pertama.',
    en: 'The province code in the NIK (digits 1–2) is not known. Please check the first two digits.',
  },
  bad_day: {
    id: 'Tanggal lahir pada NIK (digit 7–8) tidak valid.',
    en: 'The day of birth in the NIK (digits 7–8) is not valid.',
  },
  bad_month: {
    id: 'Bulan lahir pada NIK (digit 9–10) tidak valid.',
    en: 'The month of birth in the NIK (digits 9–10) is not valid.',
  },
  bad_date: {
    id: 'Tanggal lahir pada NIK (digit 7–12) tidak ada di kalender. Periksa kembali.',
    en: 'The date of birth in the NIK (digits 7–12) does not exist in the calendar. Please check it.',
  },
  bad_serial: {
    id: 'Nomor urut pada NIK (digit 13–16) tidak boleh 0000.',
    en: 'The serial number in the NIK (digits 13–16) cannot be 0000.',
  },
};

/** What to tell the person for each mistake in a KK number. */
export const KK_PROBLEM_TEXT: Record<KkProblem, { id: string; en: string }> = {
  empty: {
    id: 'Silakan isi nomor KK Anda (16 digit, tertera di bagian atas Kartu Keluarga).',
    en: 'Please enter your family card (KK) number (16 digits, printed at the top of the card).',
  },
  not_digits: {
    id: 'Nomor KK hanya berisi angka. Periksa kembali, mungkin ada huruf atau tanda baca.',
    en: 'A family card number contains only digits. Please check for letters or punctuation.',
  },
  wrong_length: {
    id: 'Nomor KK terdiri atas 16 digit. Periksa kembali jumlah angkanya.',
    en: 'A family card number has 16 digits. Please check how many you entered.',
  },
  bad_province: {
    id: 'Kode provinsi pada nomor KK (digit 1–2) tidak dikenal. Periksa kembali dua angka pertama.',
    en: 'The province code in the family card number (digits 1–2) is not known. Please check the first two digits.',
  },
  bad_serial: {
    id: 'Nomor urut pada nomor KK (digit 13–16) tidak boleh 0000.',
    en: 'The serial number in the family card number (digits 13–16) cannot be 0000.',
  },
};
