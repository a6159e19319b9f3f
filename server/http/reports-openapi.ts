// The OpenAPI operations of server/http/reports.ts; server/http/openapi.ts adds them to the document.
import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import { REPORT_MAX_DAYS, reportExportQuerySchema, reportQuerySchema, reportSchema } from '../../protocol/reports.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { AdminOperation } from './admin-ops-openapi.ts';

const STAFF = [{ staffSession: [] }];
const ERRORS: ErrorCode[] = ['unauthenticated', 'forbidden', 'office_not_found', 'password_change_required', 'bad_request'];
const WHO = `**Who may call it:** a supervisor or admin working for this office (clerks: 403; another office: 404 \`office_not_found\`). A period of at most ${REPORT_MAX_DAYS} office days, \`from\`..\`to\` inclusive (a wrong date or a longer period: 400 \`bad_request\`, the field named). Closed days are read from their kept aggregates; today is computed live. No NIK, phone number or name of a citizen appears: tickets by their number of the day.`;
const file = (type: string, description: string): ZodOpenApiResponseObject => ({ description, content: { [type]: { schema: z.string().meta({ format: 'binary' }) } } });

export function reportOperations(): AdminOperation[] {
  const o = '/api/v1/offices/{office}/reports';
  return [
    {
      method: 'get', path: o, operationId: 'getReport', tag: 'admin', summary: 'Report of a period',
      description: `${WHO} Issued, served, no-show, cancelled, transferred; waiting and service time p50/p90/max; walk-in vs booking vs counter-issued; priority share; pause time by reason; idle time per counter; the estimate's error; service standards and every breach; pre-check outcomes — per office, service, counter, staff member, hour and day, as tables, and the series of the charts.`,
      security: STAFF, query: reportQuerySchema, responses: { 200: { description: 'The report.', content: { 'application/json': { schema: reportSchema } } } }, errors: ERRORS,
    },
    {
      method: 'get', path: `${o}/export.csv`, operationId: 'exportReportCsv', tag: 'admin', summary: 'One report table as CSV',
      description: `${WHO} UTF-8 with a BOM, a header row in \`lang\`; a text starting with = + - @ is prefixed with ' so a spreadsheet shows it as text.`,
      security: STAFF, query: reportExportQuerySchema, responses: { 200: file('text/csv', 'The table.') }, errors: ERRORS,
    },
    {
      method: 'get', path: `${o}/export.xlsx`, operationId: 'exportReportXlsx', tag: 'admin', summary: 'Every report table as an XLSX workbook',
      description: `${WHO} One worksheet per table (office and period on its first two rows, the header on the third).`,
      security: STAFF, query: reportQuerySchema, responses: { 200: file('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'The workbook.') }, errors: ERRORS,
    },
    {
      method: 'get', path: `${o}/print`, operationId: 'printReport', tag: 'admin', summary: 'The printable report (A4)',
      description: `${WHO} An HTML page with print CSS (A4), the office's name and logo and every table; its button opens the browser's print dialog, where "Save as PDF" makes the PDF.`,
      security: STAFF, query: reportQuerySchema, responses: { 200: file('text/html', 'The page.') }, errors: ERRORS,
    },
  ];
}
