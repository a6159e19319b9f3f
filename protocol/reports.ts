// The reports API's shapes (GET /api/v1/offices/{office}/reports…): the
// period asked, and the answer as ready-made tables (the console, CSV, XLSX
// and the printable report all show the same tables) plus the series the
// charts draw. No ticket holder's data: ticket numbers of the day at most.
import { z } from 'zod';
import { bilingualSchema } from './schemas.ts';

/** The longest range one report covers. */
export const REPORT_MAX_DAYS = 366;
/** Breaches the JSON answer lists (the latest); CSV, XLSX and the printable report list every one. */
export const REPORT_BREACH_LIMIT = 1000;

const day = z.iso.date().describe('Office-local date, YYYY-MM-DD.');

export const reportQuerySchema = z
  .object({
    from: day.describe('First office day of the period (inclusive).'),
    to: day.describe('Last office day of the period (inclusive).'),
    lang: z.enum(['id', 'en']).default('id').describe('Language of column titles in exports.'),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < REPORT_MAX_DAYS, { message: `at most ${REPORT_MAX_DAYS} days`, path: ['to'] })
  .meta({ id: 'ReportQuery' });

export const REPORT_TABLES = ['summary', 'services', 'standards', 'breaches', 'counters', 'staff', 'hours', 'days', 'precheck', 'missing'] as const;
export type ReportTableId = (typeof REPORT_TABLES)[number];

export const reportExportQuerySchema = z
  .object({
    from: day,
    to: day,
    lang: z.enum(['id', 'en']).default('id'),
    table: z.enum(REPORT_TABLES).describe('Which table (CSV: one table per file).'),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < REPORT_MAX_DAYS, { message: `at most ${REPORT_MAX_DAYS} days`, path: ['to'] })
  .meta({ id: 'ReportExportQuery' });

const cell = z.union([z.string(), z.number(), z.null()]);

export const reportColumnSchema = z
  .object({
    key: z.string(),
    label: bilingualSchema,
    kind: z.enum(['text', 'count', 'minutes', 'share']).describe("How to show it: 'minutes' one decimal, 'share' 0..1 as a percentage."),
  })
  .meta({ id: 'ReportColumn' });

export const reportTableSchema = z
  .object({
    id: z.enum(REPORT_TABLES),
    title: bilingualSchema,
    columns: z.array(reportColumnSchema),
    rows: z.array(z.array(cell)).describe('One array per row, in column order; null = no figure (nothing measured).'),
  })
  .meta({ id: 'ReportTable' });

export const reportHourSchema = z.object({
  hour: z.number().int().min(0).max(23),
  issued: z.number().int().min(0),
  waitP50: z.number().nullable(),
  waitP90: z.number().nullable(),
  countersOpen: z.number().min(0).describe('Counters open on average over the hour (open seconds / 3600 / days).'),
});

export const reportSchema = z
  .object({
    officeId: z.string(),
    officeName: bilingualSchema,
    from: day,
    to: day,
    days: z.number().int().min(0).describe('Office days with figures in the period.'),
    live: z.boolean().describe('The period includes today: figures so far, computed from the open day.'),
    generatedAt: z.string().meta({ format: 'date-time' }),
    histogramError: z.number().describe('Largest relative error of a p50/p90 (fixed log-spaced buckets); maxima and counts are exact.'),
    breachesTotal: z.number().int().min(0).describe('Every breach in the period; the JSON answer lists the latest REPORT_BREACH_LIMIT (1,000) (the exports list all).'),
    tables: z.array(reportTableSchema),
    charts: z.object({
      hours: z.array(reportHourSchema).describe('Through the day: arrivals, waiting time and counters open per local hour.'),
      breaches: z.array(z.object({ serviceId: z.string(), name: bilingualSchema, completion: z.number().int(), wait: z.number().int() })).describe('Breaches of the standards per service.'),
    }),
  })
  .meta({ id: 'Report', description: 'Figures of an office over a period (server/domain/report.ts; docs/reports.md).' });

export type ReportQuery = z.infer<typeof reportQuerySchema>;
export type ReportColumn = z.infer<typeof reportColumnSchema>;
export type ReportTable = z.infer<typeof reportTableSchema>;
export type ReportHour = z.infer<typeof reportHourSchema>;
export type Report = z.infer<typeof reportSchema>;
