// GET /api/v1/offices/{office}/eta-accuracy: how good the estimated wait was
// on one office day (server/domain/eta-accuracy.ts; docs/eta.md). Public, so
// figures only: no ticket, number, name, NIK or phone.
import { z } from 'zod';
import { bilingualSchema } from './schemas.ts';

export const etaAccuracyQuerySchema = z
  .object({
    day: z.string().optional().describe('Office-local date, YYYY-MM-DD; default today in the office\'s time zone. Not after today.'),
  })
  .meta({ id: 'EtaAccuracyQuery' });

const figures = {
  calls: z.number().int().min(0).describe('Tickets called (first calls; a recall or a second stay in a queue is not counted again).'),
  ranged: z.number().int().min(0).describe('Of them, tickets that carried a promised range (journals older than the range have none).'),
  meanWaitMinutes: z.number().nullable().describe('Mean real wait, minutes: first call − issue.'),
  maeMinutes: z.number().nullable().describe('Mean absolute error of the promised range (distance of the real wait to its middle), minutes.'),
  maePercent: z.number().nullable().describe('maeMinutes as a percentage of meanWaitMinutes.'),
  insideShare: z.number().min(0).max(1).nullable().describe('Share of ranged calls whose real wait (in whole minutes) fell inside the promised range.'),
  naiveMaeMinutes: z.number().nullable().describe('Mean absolute error of the naive point estimate recorded at issue (people ahead × mean service time ÷ counters), minutes.'),
};

export const etaFiguresSchema = z.object(figures).meta({ id: 'EtaFigures' });

export const etaAccuracySchema = z
  .object({
    officeId: z.string(),
    officeDay: z.iso.date(),
    live: z.boolean().describe('The day is today: figures so far.'),
    office: etaFiguresSchema.describe('The whole office.'),
    services: z.array(z.object({ serviceId: z.string(), name: bilingualSchema, ...figures }).meta({ id: 'EtaServiceFigures' })).describe('Per service, in the office\'s order.'),
  })
  .meta({ id: 'EtaAccuracy', description: 'Error of the estimated wait on one office day; null figures: nothing measured.' });

export type EtaAccuracyResponse = z.infer<typeof etaAccuracySchema>;
