// Reports of an office (supervisors and admins working for it): the figures
// as JSON, each table as CSV, every table as one XLSX workbook, and a
// printable A4 report (the browser's print dialog makes the PDF).
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { OfficeConfig } from '../../protocol/model.ts';
import { REPORT_BREACH_LIMIT, reportExportQuerySchema, reportQuerySchema, type Report, type ReportTable } from '../../protocol/reports.ts';
import type { ReportService } from '../report-service.ts';
import { type HttpContext, requireOfficeRole } from './context.ts';
import { validate } from './errors.ts';

export const REPORT_ROLES = ['admin', 'supervisor'] as const;

type Lang = 'id' | 'en';

/** A spreadsheet must not run a cell as a formula (CSV/XLSX injection): text starting with = + - @ or a control is quoted. */
export function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const s = safeText(v);
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableCsv(t: ReportTable, lang: Lang): string {
  const lines = [t.columns.map((c) => csvField(c.label[lang])).join(','), ...t.rows.map((r) => r.map(csvField).join(','))];
  // A BOM so spreadsheet programs read the UTF-8 (Indonesian text is mostly ASCII, names may not be).
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function reportXlsx(report: Report, lang: Lang): Promise<Buffer> {
  // Loaded on the first export, not at start: exceljs alone is ~180 ms of a start's CPU.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Giliran';
  wb.created = new Date(report.generatedAt);
  for (const t of report.tables) {
    const ws = wb.addWorksheet(t.title[lang].slice(0, 31).replace(/[*?:\\/[\]]/g, ' '));
    ws.addRow([`${report.officeName[lang]} — ${t.title[lang]}`]);
    ws.addRow([`${report.from} … ${report.to}`]);
    const head = ws.addRow(t.columns.map((c) => c.label[lang]));
    head.font = { bold: true };
    for (const r of t.rows) ws.addRow(r.map((v) => (typeof v === 'string' ? safeText(v) : v)));
    t.columns.forEach((c, i) => {
      const column = ws.getColumn(i + 1);
      column.width = Math.min(48, Math.max(10, c.label[lang].length + 2));
      if (c.kind === 'share') column.numFmt = '0.0%';
      else if (c.kind === 'minutes') column.numFmt = '0.0';
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function shown(v: string | number | null, kind: string): string {
  if (v === null) return '–';
  if (typeof v === 'string') return esc(v);
  if (kind === 'share') return `${(v * 100).toFixed(1).replace('.', ',')} %`;
  if (kind === 'minutes') return v.toFixed(1).replace('.', ',');
  return v.toLocaleString('id-ID');
}

/** The printable report: A4, the office's name and logo, every table; the button opens the print dialog (save as PDF there). */
export function reportHtml(report: Report, office: OfficeConfig, nonce: string): string {
  const tables = report.tables
    .filter((t) => t.rows.length > 0)
    .map(
      (t) => `<section><h2>${esc(t.title.id)} <small>${esc(t.title.en)}</small></h2>
<table><thead><tr>${t.columns.map((c) => `<th scope="col">${esc(c.label.id)}</th>`).join('')}</tr></thead>
<tbody>${t.rows.map((r) => `<tr>${r.map((v, i) => `<td class="${typeof v === 'number' ? 'n' : ''}">${shown(v, t.columns[i]?.kind ?? 'text')}</td>`).join('')}</tr>`).join('\n')}</tbody></table></section>`,
    )
    .join('\n');
  const logo = office.logo ? `<img class="logo" src="${esc(office.logo)}" alt="">` : '';
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Laporan ${esc(office.name.id)} ${esc(report.from)} – ${esc(report.to)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
@page { size: A4; margin: 14mm 12mm; }
body { font: 10pt/1.35 system-ui, sans-serif; color: #111; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
header { display: flex; gap: 12px; align-items: center; border-bottom: 2px solid #1d4e89; padding-bottom: 6px; margin-bottom: 10px; }
.logo { height: 48px; width: auto; }
h1 { font-size: 15pt; margin: 0; }
h2 { font-size: 11.5pt; margin: 14px 0 4px; color: #1d4e89; }
h2 small { color: #555; font-weight: normal; }
p.meta { margin: 2px 0; color: #333; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; table-layout: fixed; }
th:first-child, td:first-child { width: 16%; }
th, td { border: 1px solid #bbb; padding: 2px 3px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e8eef6; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
section { break-inside: auto; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
button { font: inherit; font-size: 12pt; padding: 8px 16px; margin: 8px 0; cursor: pointer; }
footer { margin-top: 12px; font-size: 8pt; color: #555; }
@media print { .no-print { display: none; } body { padding: 0; } }
</style></head>
<body>
<header>${logo}<div><h1>Laporan Pelayanan Antrean — ${esc(office.name.id)}</h1>
<p class="meta">${esc(office.name.en)} · Queue service report</p>
<p class="meta">Periode / Period: <strong>${esc(report.from)} s.d. ${esc(report.to)}</strong> · ${report.days} hari kerja / working days${report.live ? ' · sampai saat ini / so far' : ''}</p></div></header>
<main>
<p class="no-print"><button type="button" id="print">Cetak / simpan PDF (Print / save as PDF)</button></p>
${tables}
</main>
<footer>Dibuat / generated ${esc(report.generatedAt)} · p50/p90 dengan galat ≤ ${(report.histogramError * 100).toFixed(1).replace('.', ',')} % (maks dan jumlah tepat) · Giliran</footer>
<script nonce="${nonce}">document.getElementById('print').addEventListener('click', function () { window.print(); });</script>
</body></html>`;
}

export function reportsRouter(ctx: HttpContext, reports: ReportService): Router {
  const r = Router();
  const officeOf = (req: Request): OfficeConfig => {
    const id = String(req.params.office);
    requireOfficeRole(ctx, req, id, REPORT_ROLES);
    return ctx.store.config.get().offices.find((o) => o.id === id)!;
  };
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');
  const fileName = (office: OfficeConfig, from: string, to: string, ext: string, table?: string) => `laporan-${office.id}-${from}_${to}${table ? `-${table}` : ''}.${ext}`;

  r.get('/api/v1/offices/:office/reports', async (req, res) => {
    const office = officeOf(req);
    const q = validate(reportQuerySchema, req.query);
    noStore(res);
    res.json(await reports.report(office, q.from, q.to, { breachLimit: REPORT_BREACH_LIMIT }));
  });

  r.get('/api/v1/offices/:office/reports/export.csv', async (req, res) => {
    const office = officeOf(req);
    const q = validate(reportExportQuerySchema, req.query);
    const report = await reports.report(office, q.from, q.to);
    const table = report.tables.find((t) => t.id === q.table)!;
    noStore(res);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName(office, q.from, q.to, 'csv', q.table)}"`);
    res.send(tableCsv(table, q.lang));
  });

  r.get('/api/v1/offices/:office/reports/export.xlsx', async (req, res) => {
    const office = officeOf(req);
    const q = validate(reportQuerySchema, req.query);
    const report = await reports.report(office, q.from, q.to);
    noStore(res);
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName(office, q.from, q.to, 'xlsx')}"`);
    res.send(await reportXlsx(report, q.lang));
  });

  r.get('/api/v1/offices/:office/reports/print', async (req, res) => {
    const office = officeOf(req);
    const q = validate(reportQuerySchema, req.query);
    const report = await reports.report(office, q.from, q.to);
    const nonce = randomBytes(16).toString('base64');
    noStore(res);
    // Its own policy: the one script (the print button) runs by its nonce; images as the screens allow.
    res.setHeader('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    res.type('html').send(reportHtml(report, office, nonce));
  });

  return r;
}
