// The OpenAPI operations of the IKM survey (server/http/survey.ts) and of
// complaints (server/http/complaints.ts); server/http/openapi.ts adds them.
import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import {
  complaintCreatedSchema,
  complaintCreateSchema,
  complaintListQuerySchema,
  complaintListSchema,
  complaintPatchSchema,
  complaintPublicViewSchema,
  complaintSettingsSchema,
  complaintStaffViewSchema,
  trackComplaintBodySchema,
} from '../../protocol/complaints.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import { ikmQuerySchema, ikmReportSchema, surveyStatusSchema, trackSurveyBodySchema } from '../../protocol/survey.ts';
import { trackQuerySchema } from '../../protocol/track-schemas.ts';
import { COMPLAINT_LOOKUPS_PER_ADDRESS_PER_MINUTE } from './complaints.ts';
import { IKM_MAX_DAYS } from './survey.ts';

type Security = Array<Record<string, string[]>>;
const STAFF: Security = [{ staffSession: [] }];
const NONE: Security = [];

export interface SurveyOperation {
  method: 'get' | 'post' | 'put' | 'patch';
  path: string;
  operationId: string;
  tag: 'survey' | 'complaints';
  summary: string;
  description: string;
  security: Security;
  body?: [string, z.ZodType];
  query?: z.ZodObject;
  responses: Record<string, ZodOpenApiResponseObject>;
  errors: ErrorCode[];
}

const json = (schema: z.ZodType, description: string): ZodOpenApiResponseObject => ({ description, content: { 'application/json': { schema } } });
const LEADS = '**Who may call it:** staff roles admin, supervisor working at this office (a clerk: 403; another office: 404 `office_not_found`).';
const LEAD_ERRORS: ErrorCode[] = ['unauthenticated', 'forbidden', 'office_not_found', 'password_change_required'];
const TRACK = '/api/v1/track/{office}/{day}/{number}';

export function surveyOperations(): SurveyOperation[] {
  const o = '/api/v1/offices/{office}';
  return [
    {
      method: 'get', path: `${TRACK}/survey`, operationId: 'getOwnSurvey', tag: 'survey', summary: 'May the holder answer the IKM survey?',
      description: "Public, the holder key (`?k=`) is the authority. `open` once the ticket is served (done) and not answered yet. A wrong or missing key: 403 `holder_key_invalid`, whether or not the ticket exists. Only tickets of the office's current day.",
      security: NONE, query: trackQuerySchema, responses: { 200: json(surveyStatusSchema, 'The survey state.') },
      errors: ['bad_request', 'office_not_found', 'holder_key_invalid', 'ticket_not_found', 'unavailable'],
    },
    {
      method: 'post', path: `${TRACK}/survey`, operationId: 'answerOwnSurvey', tag: 'survey', summary: 'Answer the IKM survey (phone)',
      description:
        'Public, the holder key is the authority: the `answer_survey` command (actor `citizen`), one answer per ticket, only for a served ticket. Nine scores 1–4 (PermenPANRB 14/2017 U1…U9), optional respondent characteristics, an optional comment (no markup). ' +
        `Durable in the office day's journal before the answer; never sent to any screen. A limited number of answers a minute per address (settings \`surveysPerAddressPerMinute\`, default 120). Bad fields: 400 \`invalid_body\` naming each field in Indonesian and English; nothing stored.`,
      security: NONE, body: ['TrackSurveyBody', trackSurveyBodySchema], responses: { 200: json(surveyStatusSchema, 'Answered.') },
      errors: ['invalid_body', 'office_not_found', 'holder_key_invalid', 'ticket_not_found', 'survey_not_open', 'survey_already_answered', 'day_mismatch', 'rate_limited', 'unavailable'],
    },
    {
      method: 'get', path: `${o}/ikm`, operationId: 'getIkm', tag: 'survey', summary: 'IKM of a period',
      description: `${LEADS} Per-element means, the index (25–100), grade and respondent count, overall, per service and per counter, for office days \`from\`…\`to\` (at most ${IKM_MAX_DAYS} days); \`sampleShort\` when there are fewer respondents than the Krejcie–Morgan table asks for the period's served tickets. No NIK, no phone.`,
      security: STAFF, query: ikmQuerySchema, responses: { 200: json(ikmReportSchema, 'The report.') },
      errors: [...LEAD_ERRORS, 'invalid_body', 'bad_request'],
    },
    {
      method: 'get', path: `${o}/ikm/report.html`, operationId: 'getSkmReport', tag: 'survey', summary: 'Printable SKM report (A4 HTML)',
      description: `${LEADS} The same figures as \`GET …/ikm\` as a printable A4 page with the office's name and logo and a print button; every text escaped.`,
      security: STAFF, query: ikmQuerySchema, responses: { 200: { description: 'The report page.', content: { 'text/html': { schema: { type: 'string' } } } } },
      errors: [...LEAD_ERRORS, 'invalid_body', 'bad_request'],
    },
    // complaints
    {
      method: 'post', path: `${TRACK}/complaints`, operationId: 'fileOwnComplaint', tag: 'complaints', summary: 'File a complaint from the phone',
      description: `Public, the holder key is the authority; the complaint is tied to the ticket. Category, text (no markup), optional contact with consent (erased some days after the complaint is closed). Answers the code the citizen follows it by. a limited number a minute per address (settings \`complaintsPerAddressPerMinute\`, default 30).`,
      security: NONE, body: ['TrackComplaintBody', trackComplaintBodySchema], responses: { 201: json(complaintCreatedSchema, 'Filed.') },
      errors: ['bad_request', 'invalid_body', 'office_not_found', 'holder_key_invalid', 'rate_limited'],
    },
    {
      method: 'post', path: `${o}/complaints`, operationId: 'fileComplaint', tag: 'complaints', summary: 'File a complaint (kiosk or staff)',
      description: `**Who may call it:** a paired kiosk of this office (channel \`kiosk\`, rate-limited per address), a loopback demo screen, or any staff role working here (channel \`visit\` or \`call\`, recorded by them).`,
      security: [{ staffSession: [] }, { deviceBearer: [] }, { deviceToken: [] }, {}], body: ['ComplaintCreateBody', complaintCreateSchema], responses: { 201: json(complaintCreatedSchema, 'Filed.') },
      errors: ['unauthenticated', 'forbidden', 'office_not_found', 'invalid_body', 'rate_limited'],
    },
    {
      method: 'get', path: '/api/v1/complaints/{office}/{complaintCode}', operationId: 'followComplaint', tag: 'complaints', summary: 'Follow a complaint by its code',
      description: `Public: the complaint's status and answers by its code (no contact). ${COMPLAINT_LOOKUPS_PER_ADDRESS_PER_MINUTE} look-ups a minute per address.`,
      security: NONE, responses: { 200: json(complaintPublicViewSchema, 'The complaint.') },
      errors: ['bad_request', 'office_not_found', 'complaint_not_found', 'rate_limited'],
    },
    {
      method: 'get', path: `${o}/complaints`, operationId: 'listComplaints', tag: 'complaints', summary: 'Complaints of an office',
      description: `${LEADS} Newest first, filtered by status, category or overdue; contacts masked (last four digits); the count of overdue complaints (past the office's answer deadline) and the settings.`,
      security: STAFF, query: complaintListQuerySchema, responses: { 200: json(complaintListSchema, 'The complaints.') },
      errors: [...LEAD_ERRORS, 'invalid_body'],
    },
    {
      method: 'get', path: `${o}/complaints.csv`, operationId: 'exportComplaints', tag: 'complaints', summary: 'Complaints as CSV (for SP4N-LAPOR!)',
      description: `${LEADS} Every complaint as CSV (UTF-8 with BOM): code, dates, channel, category, status, text, last answer, deadline, ticket, LAPOR! reference. No contact.`,
      security: STAFF, responses: { 200: { description: 'The CSV.', content: { 'text/csv': { schema: { type: 'string' } } } } },
      errors: LEAD_ERRORS,
    },
    {
      method: 'patch', path: `${o}/complaints/{complaint}`, operationId: 'changeComplaint', tag: 'complaints', summary: 'Answer a complaint, move its status, set its LAPOR! reference',
      description: `${LEADS} The status moves forward only (baru → diproses → selesai); an answer to a new complaint moves it to diproses; a closed complaint takes only its LAPOR! reference. Audited (without the text).`,
      security: STAFF, body: ['ComplaintPatch', complaintPatchSchema], responses: { 200: json(complaintStaffViewSchema, 'The complaint now.') },
      errors: [...LEAD_ERRORS, 'invalid_body', 'complaint_not_found', 'complaint_closed', 'complaint_status_invalid'],
    },
    {
      method: 'put', path: `${o}/complaints-settings`, operationId: 'setComplaintSettings', tag: 'complaints', summary: 'Answer deadline and contact erasure',
      description: `${LEADS} Days to answer before a complaint is overdue, and days after closing before its contact is erased. Audited.`,
      security: STAFF, body: ['ComplaintSettings', complaintSettingsSchema], responses: { 200: json(complaintSettingsSchema, 'Saved.') },
      errors: [...LEAD_ERRORS, 'invalid_body'],
    },
  ];
}
