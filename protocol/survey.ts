// zod schemas of the IKM survey (PermenPANRB 14/2017): an answer as the phone
// and the survey tablet send it, the survey_answered event's payload, and the
// IKM report. The questions and words are in survey-data.ts (no zod).
import { z } from 'zod';
import { hasMarkup, MARKUP_MESSAGE, RESPONDENT_OPTIONS, SURVEY_COMMENT_MAX, SURVEY_ELEMENT_COUNT } from './survey-data.ts';

/** A citizen's free text: trimmed, length-limited, no markup (refused with a bilingual message). */
export function citizenText(max: number, min = 1) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !hasMarkup(s), { message: MARKUP_MESSAGE.en, params: { id: MARKUP_MESSAGE.id } });
}

const ids = <T extends readonly { id: string }[]>(xs: T) => xs.map((x) => x.id) as [T[number]['id'], ...T[number]['id'][]];

export const surveyScoreSchema = z.number().int().min(1).max(4);
export const surveyScoresSchema = z
  .array(surveyScoreSchema)
  .length(SURVEY_ELEMENT_COUNT)
  .describe('The nine elements in the order of PermenPANRB 14/2017 (U1 persyaratan … U9 sarana), each 1 (tidak baik) … 4 (sangat baik).');

export const respondentSchema = z
  .strictObject({
    ageGroup: z.enum(ids(RESPONDENT_OPTIONS.ageGroup)).optional(),
    sex: z.enum(ids(RESPONDENT_OPTIONS.sex)).optional(),
    education: z.enum(ids(RESPONDENT_OPTIONS.education)).optional(),
    occupation: z.enum(ids(RESPONDENT_OPTIONS.occupation)).optional(),
  })
  .meta({ id: 'SurveyRespondent', description: 'Respondent characteristics the regulation asks for; every field optional.' });

/** The survey fields of an answer (the command adds the ticket; the phone adds the holder key). */
export const surveyAnswerFields = {
  scores: surveyScoresSchema,
  respondent: respondentSchema.optional(),
  comment: citizenText(SURVEY_COMMENT_MAX).optional().describe(`An optional comment, at most ${SURVEY_COMMENT_MAX} characters, no markup.`),
};

/** POST /api/v1/track/{office}/{day}/{number}/survey. */
export const trackSurveyBodySchema = z.strictObject({ k: z.string().min(1).max(64).describe('The holder key.'), ...surveyAnswerFields }).meta({ id: 'TrackSurveyBody' });

/** GET …/survey: whether the ticket may be surveyed now. */
export const surveyStatusSchema = z
  .object({
    state: z.enum(['open', 'answered', 'not_finished']).describe("'open': finished and not answered yet; 'answered': the one answer is in; 'not_finished': not served yet (or cancelled / no-show)."),
  })
  .meta({ id: 'SurveyStatus' });

export const ikmGroupSchema = z
  .object({
    key: z.string().describe("'all', or a service id / counter id."),
    respondents: z.number().int().min(0),
    elementMeans: z.array(z.number().nullable()).length(SURVEY_ELEMENT_COUNT).describe('Mean score (1–4) per element, null with no answers.'),
    index: z.number().nullable().describe('The IKM, 25–100 (two decimals), null with no answers.'),
    grade: z.enum(['A', 'B', 'C', 'D']).nullable(),
    gradeName: z.object({ id: z.string(), en: z.string() }).nullable(),
  })
  .meta({ id: 'IkmGroup' });

export const ikmQuerySchema = z
  .strictObject({
    from: z.iso.date().describe('First office day, YYYY-MM-DD.'),
    to: z.iso.date().describe('Last office day, YYYY-MM-DD (at most 366 days after `from`).'),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', params: { id: 'tanggal awal tidak boleh setelah tanggal akhir' } });

export const ikmReportSchema = z
  .object({
    officeId: z.string(),
    from: z.string(),
    to: z.string(),
    visitors: z.number().int().min(0).describe('Tickets served (done) in the period: the population the sample is drawn from.'),
    requiredSample: z.number().int().min(0).describe('Respondents the Krejcie–Morgan table asks for that many visitors (PermenPANRB 14/2017).'),
    sampleShort: z.boolean().describe('Fewer respondents than requiredSample: the index is not representative yet.'),
    overall: ikmGroupSchema,
    services: z.array(ikmGroupSchema),
    counters: z.array(ikmGroupSchema),
    comments: z.array(z.object({ at: z.string(), serviceId: z.string(), text: z.string() })).max(200).describe('The newest comments (plain text; shown escaped).'),
    respondentProfile: z.record(z.string(), z.record(z.string(), z.number().int())).describe('Per characteristic, per option, how many respondents chose it.'),
  })
  .meta({ id: 'IkmReport', description: 'The IKM of an office for a period: overall, per service and per counter.' });

export type SurveyAnswerFields = { scores: number[]; respondent?: z.infer<typeof respondentSchema>; comment?: string };
export type IkmReport = z.infer<typeof ikmReportSchema>;
export type IkmGroup = z.infer<typeof ikmGroupSchema>;
export type SurveyStatus = z.infer<typeof surveyStatusSchema>;
