// The IKM rules of PermenPANRB 14/2017, pure: who may answer the survey, the
// index of a set of answers (per-element means, weight 1/9, ×25 → 25–100),
// its grade, and the minimum sample for a period's visitors.
import type { Ticket } from '../../protocol/model.ts';
import { SURVEY_ELEMENT_COUNT, type Bi } from '../../protocol/survey-data.ts';

export type Grade = 'A' | 'B' | 'C' | 'D';

/** Grades on the converted value (DOMAIN.md): the lowest value of each, best first. */
export const GRADES: readonly { grade: Grade; min: number; name: Bi }[] = [
  { grade: 'A', min: 88.31, name: { id: 'Sangat Baik', en: 'Very good' } },
  { grade: 'B', min: 76.61, name: { id: 'Baik', en: 'Good' } },
  { grade: 'C', min: 65.0, name: { id: 'Kurang Baik', en: 'Fair' } },
  { grade: 'D', min: 25.0, name: { id: 'Tidak Baik', en: 'Poor' } },
];

/** Weight of each element: equal, 1/9. */
export const ELEMENT_WEIGHT = 1 / SURVEY_ELEMENT_COUNT;
/** The 1–4 scale converted to 25–100. */
export const CONVERSION = 25;

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The grade of a converted value (rounded to two decimals first, as the report prints it). */
export function gradeOf(index: number): { grade: Grade; name: Bi } {
  const v = round2(index);
  for (const g of GRADES) if (v >= g.min) return { grade: g.grade, name: g.name };
  return { grade: 'D', name: GRADES[3]!.name };
}

export interface IkmResult {
  respondents: number;
  /** Mean per element (1–4), null with no answers. */
  elementMeans: (number | null)[];
  /** Σ mean × 1/9, on the 1–4 scale (unrounded). */
  weighted: number | null;
  /** The converted index, 25–100, two decimals. */
  index: number | null;
  grade: Grade | null;
  gradeName: Bi | null;
}

/** The IKM of a set of answers (each nine scores 1–4). */
export function ikmOf(answers: readonly (readonly number[])[]): IkmResult {
  const n = answers.length;
  if (n === 0) return { respondents: 0, elementMeans: Array<null>(SURVEY_ELEMENT_COUNT).fill(null), weighted: null, index: null, grade: null, gradeName: null };
  const sums = Array<number>(SURVEY_ELEMENT_COUNT).fill(0);
  for (const a of answers) for (let i = 0; i < SURVEY_ELEMENT_COUNT; i++) sums[i]! += a[i]!;
  const means = sums.map((s) => s / n);
  const weighted = means.reduce((acc, m) => acc + m * ELEMENT_WEIGHT, 0);
  const index = round2(weighted * CONVERSION);
  const g = gradeOf(index);
  return { respondents: n, elementMeans: means.map((m) => Math.round(m * 1000) / 1000), weighted, index, grade: g.grade, gradeName: g.name };
}

/**
 * Krejcie, R. V. & Morgan, D. W. (1970), "Determining Sample Size for
 * Research Activities", Educational and Psychological Measurement 30(3),
 * 607–610, Table 1 — the table PermenPANRB 14/2017 (Lampiran, "Penentuan
 * Sampel") refers to: population N → sample S (95 % confidence, ±5 %).
 */
export const KREJCIE_MORGAN: readonly (readonly [number, number])[] = [
  [10, 10], [15, 14], [20, 19], [25, 24], [30, 28], [35, 32], [40, 36], [45, 40], [50, 44], [55, 48],
  [60, 52], [65, 56], [70, 59], [75, 63], [80, 66], [85, 70], [90, 73], [95, 76], [100, 80], [110, 86],
  [120, 92], [130, 97], [140, 103], [150, 108], [160, 113], [170, 118], [180, 123], [190, 127], [200, 132], [210, 136],
  [220, 140], [230, 144], [240, 148], [250, 152], [260, 155], [270, 159], [280, 162], [290, 165], [300, 169], [320, 175],
  [340, 181], [360, 186], [380, 191], [400, 196], [420, 201], [440, 205], [460, 210], [480, 214], [500, 217], [550, 226],
  [600, 234], [650, 242], [700, 248], [750, 254], [800, 260], [850, 265], [900, 269], [950, 274], [1000, 278], [1100, 285],
  [1200, 291], [1300, 297], [1400, 302], [1500, 306], [1600, 310], [1700, 313], [1800, 317], [1900, 320], [2000, 322], [2200, 327],
  [2400, 331], [2600, 335], [2800, 338], [3000, 341], [3500, 346], [4000, 351], [4500, 354], [5000, 357], [6000, 361], [7000, 364],
  [8000, 367], [9000, 368], [10000, 370], [15000, 375], [20000, 377], [30000, 379], [40000, 380], [50000, 381], [75000, 382], [1000000, 384],
];

/**
 * Respondents needed for `visitors`: the table's sample for the smallest
 * population at or above it (the safe side between two rows); under 10
 * visitors, every one of them; above a million, 384.
 */
export function requiredSample(visitors: number): number {
  if (visitors <= 0) return 0;
  if (visitors < 10) return visitors;
  for (const [n, s] of KREJCIE_MORGAN) if (visitors <= n) return s;
  return 384;
}

export type SurveyRefusal = 'ticket_not_found' | 'survey_not_open' | 'survey_already_answered';

/** Whether a ticket may be surveyed: served to the end (done), and not answered yet (one answer per ticket). */
export function surveyRefusal(ticket: Ticket | undefined, answered: boolean): SurveyRefusal | null {
  if (!ticket) return 'ticket_not_found';
  if (answered) return 'survey_already_answered';
  if (ticket.state !== 'done') return 'survey_not_open';
  return null;
}

/** One answer as the report reads it from the survey_answered events. */
export interface SurveyAnswerRecord {
  at: string;
  serviceId: string;
  counterId: string | null;
  scores: readonly number[];
  respondent: Partial<Record<string, string>> | null;
  comment: string | null;
}

export interface IkmGroupResult extends Omit<IkmResult, 'weighted'> {
  key: string;
}

const groupOf = (key: string, answers: readonly SurveyAnswerRecord[]): IkmGroupResult => {
  const { weighted: _w, ...r } = ikmOf(answers.map((a) => a.scores));
  return { key, ...r };
};

/** The IKM report of a period: overall, per service and per counter, the sample check, the respondents' profile. */
export function ikmReportOf(answers: readonly SurveyAnswerRecord[], visitors: number) {
  const by = (k: (a: SurveyAnswerRecord) => string | null) => {
    const m = new Map<string, SurveyAnswerRecord[]>();
    for (const a of answers) {
      const key = k(a);
      if (key === null) continue;
      (m.get(key) ?? m.set(key, []).get(key)!).push(a);
    }
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, list]) => groupOf(key, list));
  };
  const profile: Record<string, Record<string, number>> = {};
  for (const a of answers) {
    for (const [field, value] of Object.entries(a.respondent ?? {})) {
      if (!value) continue;
      const f = (profile[field] ??= {});
      f[value] = (f[value] ?? 0) + 1;
    }
  }
  const required = requiredSample(visitors);
  return {
    visitors,
    requiredSample: required,
    sampleShort: answers.length < required,
    overall: groupOf('all', answers),
    services: by((a) => a.serviceId),
    counters: by((a) => a.counterId),
    comments: answers
      .filter((a) => a.comment)
      .slice(-200)
      .reverse()
      .map((a) => ({ at: a.at, serviceId: a.serviceId, text: a.comment! })),
    respondentProfile: profile,
  };
}
