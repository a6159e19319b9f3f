// Complaints (pengaduan): the record the store keeps, what the phone, the
// kiosk and staff send, what the citizen and the supervisor see. Categories
// and words are in complaints-data.ts (no zod, for the pages).
import { z } from 'zod';
import { COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, COMPLAINT_STATUSES, COMPLAINT_TEXT_MAX, RESPONSE_TEXT_MAX } from './complaints-data.ts';
import { complaintSettingsSchema, whatsappNumberSchema } from './schemas.ts';
import { citizenText } from './survey.ts';

const instant = z.string().meta({ format: 'date-time' });
const who = z.object({ id: z.string(), name: z.string() });

export const complaintContactSchema = z
  .strictObject({
    name: citizenText(80).optional(),
    phone: whatsappNumberSchema.describe('Where the answer is sent (WhatsApp/SMS), E.164.'),
    consent: z.literal(true).describe('The citizen agrees the number is kept until the complaint is closed and then erased.'),
  })
  .meta({ id: 'ComplaintContact' });

export const complaintResponseSchema = z.object({ at: instant, by: who, text: z.string() }).meta({ id: 'ComplaintResponse' });

export const complaintSchema = z
  .object({
    id: z.string(),
    officeId: z.string(),
    code: z.string().describe('The code the citizen follows it by (phone page).'),
    channel: z.enum(COMPLAINT_CHANNELS),
    category: z.enum(COMPLAINT_CATEGORIES),
    text: z.string(),
    ticketId: z.string().nullable().describe('The ticket it was filed from (phone page), else null.'),
    contact: z.object({ name: z.string().optional(), phone: z.string() }).nullable().describe('Erased N days after the complaint is closed.'),
    status: z.enum(COMPLAINT_STATUSES),
    responses: z.array(complaintResponseSchema),
    createdAt: instant,
    updatedAt: instant,
    dueAt: instant.describe('Answer deadline (office setting complaints.answerDays).'),
    closedAt: instant.nullable(),
    contactErasedAt: instant.nullable(),
    laporRef: z.string().nullable().describe('SP4N-LAPOR! reference once forwarded.'),
    recordedBy: who.nullable().describe('The staff member who recorded it from a visit or a call.'),
  })
  .meta({ id: 'Complaint' });
export type Complaint = z.infer<typeof complaintSchema>;

const complaintFields = {
  category: z.enum(COMPLAINT_CATEGORIES),
  text: citizenText(COMPLAINT_TEXT_MAX).describe(`What happened, 1–${COMPLAINT_TEXT_MAX} characters, no markup.`),
  contact: complaintContactSchema.optional(),
};

/** POST /api/v1/track/{office}/{day}/{number}/complaints (the holder key ties it to the ticket). */
export const trackComplaintBodySchema = z.strictObject({ k: z.string().min(1).max(64), ...complaintFields }).meta({ id: 'TrackComplaintBody' });
/** POST /api/v1/offices/{office}/complaints: a kiosk (channel kiosk) or staff (visit / call). */
export const complaintCreateSchema = z.strictObject({ ...complaintFields, channel: z.enum(['visit', 'call']).optional().describe('Staff only: how the complaint came in.') }).meta({ id: 'ComplaintCreateBody' });

/** PATCH /api/v1/offices/{office}/complaints/{id}: supervisor's change. */
export const complaintPatchSchema = z
  .strictObject({
    status: z.enum(COMPLAINT_STATUSES).optional(),
    response: z.string().trim().min(1).max(RESPONSE_TEXT_MAX).optional().describe('An answer to the citizen (shown on the phone page).'),
    laporRef: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9./-]+$/, 'letters, digits, . / - only').nullable().optional(),
  })
  .refine((p) => p.status !== undefined || p.response !== undefined || p.laporRef !== undefined, { message: 'nothing to change', params: { id: 'tidak ada yang diubah' } })
  .meta({ id: 'ComplaintPatch' });

export { complaintSettingsSchema };
export type ComplaintSettings = z.infer<typeof complaintSettingsSchema>;
export const DEFAULT_COMPLAINT_SETTINGS: ComplaintSettings = { answerDays: 5, eraseContactDays: 30 };

/** A complaint as staff see it: the contact masked (last four digits), never whole. */
export const complaintStaffViewSchema = complaintSchema
  .omit({ contact: true })
  .extend({ contact: z.object({ name: z.string().optional(), phoneLast4: z.string() }).nullable(), overdue: z.boolean() })
  .meta({ id: 'ComplaintStaffView' });
export type ComplaintStaffView = z.infer<typeof complaintStaffViewSchema>;

export const complaintListSchema = z.object({ complaints: z.array(complaintStaffViewSchema), overdue: z.number().int(), settings: complaintSettingsSchema }).meta({ id: 'ComplaintList' });

export const complaintListQuerySchema = z.strictObject({
  status: z.enum(COMPLAINT_STATUSES).optional(),
  category: z.enum(COMPLAINT_CATEGORIES).optional(),
  overdue: z.enum(['1']).optional().describe('Only overdue complaints.'),
});

/** What the citizen sees by the code: no contact, the answers. */
export const complaintPublicViewSchema = z
  .object({ code: z.string(), category: z.enum(COMPLAINT_CATEGORIES), text: z.string(), status: z.enum(COMPLAINT_STATUSES), createdAt: instant, responses: z.array(z.object({ at: instant, text: z.string() })), laporRef: z.string().nullable() })
  .meta({ id: 'ComplaintPublicView' });
export type ComplaintPublicView = z.infer<typeof complaintPublicViewSchema>;

export const complaintCreatedSchema = z.object({ code: z.string(), id: z.string(), dueAt: instant }).meta({ id: 'ComplaintCreated' });
export const complaintCodeSchema = z.string().regex(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/, 'a complaint code like ABCD-2345');
