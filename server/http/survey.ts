// The IKM survey over REST: the phone's status and answer (the holder key is
// the authority, as for "Saya batal datang"), and the IKM report for
// supervisors and admins (JSON, and the printable SKM report as HTML). The
// survey tablet answers through the queue router's /tickets/{ticket}/survey.
// An answer is the answer_survey command: decided by the domain, durable in
// the office day's journal, never broadcast (realtime/feeds.ts).
import { Router, type Request } from 'express';
import type { z } from 'zod';
import { invalidBody } from '../../protocol/errors.ts';
import type { OfficeConfig } from '../../protocol/model.ts';
import { ikmQuerySchema, trackSurveyBodySchema, type IkmReport, type SurveyStatus } from '../../protocol/survey.ts';
import { RESPONDENT_FIELD_NAMES, RESPONDENT_OPTIONS, SURVEY_ELEMENTS, type RespondentField } from '../../protocol/survey-data.ts';
import { trackParamsSchema, trackQuerySchema } from '../../protocol/track-schemas.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { ikmReportOf, type SurveyAnswerRecord } from '../domain/ikm.ts';
import { fieldErrors } from '../validation.ts';
import { requireOfficeRole, type HttpContext } from './context.ts';
import { HttpError, sendError, validate } from './errors.ts';
import { CITIZEN_ACTOR } from './track.ts';

/** Longest report period, days. */
export const IKM_MAX_DAYS = 366;
const REPORT_ROLES = ['admin', 'supervisor'] as const;

/** A body's fields checked with their own bilingual messages (invalid_body), nothing stored when wrong. */
export function validateFields<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new HttpError(invalidBody(fieldErrors(r.error)));
}

/** The office days from..to inclusive (calendar dates, no time zone involved). */
export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Reads a period's answers and served tickets from the office days' journals. */
export async function ikmReport(ctx: HttpContext, office: OfficeConfig, from: string, to: string): Promise<IkmReport> {
  const answers: SurveyAnswerRecord[] = [];
  let visitors = 0;
  for (const day of daysOf(from, to)) {
    for (const c of await ctx.store.queue.readCommits(office.id, day)) {
      for (const e of c.events) {
        if (e.type === 'ticket_finished') visitors++;
        else if (e.type === 'survey_answered') answers.push({ at: e.at, serviceId: e.serviceId, counterId: e.counterId, scores: e.scores, respondent: e.respondent, comment: e.comment });
      }
    }
  }
  return { officeId: office.id, from, to, ...ikmReportOf(answers, visitors) };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (x: number | null, d = 2) => (x === null ? '–' : x.toFixed(d).replace('.', ','));

/** The printable SKM report (A4): every text escaped; no NIK, no phone (the answers hold none). */
export function skmHtml(office: OfficeConfig, r: IkmReport): string {
  const name = (id: string, list: readonly { id: string; name: { id: string } | string }[]) => {
    const x = list.find((s) => s.id === id);
    return x ? (typeof x.name === 'string' ? x.name : x.name.id) : id;
  };
  const row = (label: string, g: IkmReport['overall']) =>
    `<tr><th scope="row">${esc(label)}</th><td>${g.respondents}</td>${g.elementMeans.map((m) => `<td>${num(m)}</td>`).join('')}<td><b>${num(g.index)}</b></td><td>${g.grade ? `${g.grade} (${esc(g.gradeName!.id)})` : '–'}</td></tr>`;
  const head = `<tr><th scope="col">Kelompok</th><th scope="col">Responden</th>${SURVEY_ELEMENTS.map((e, i) => `<th scope="col" title="${esc(e.name.id)}">U${i + 1}</th>`).join('')}<th scope="col">IKM</th><th scope="col">Mutu</th></tr>`;
  const profile = (Object.keys(RESPONDENT_OPTIONS) as RespondentField[])
    .map((f) => `<li><b>${esc(RESPONDENT_FIELD_NAMES[f].id)}:</b> ${RESPONDENT_OPTIONS[f].map((o) => `${esc(o.label.id)} ${r.respondentProfile[f]?.[o.id] ?? 0}`).join(' · ')}</li>`)
    .join('');
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Laporan SKM ${esc(office.shortName)} ${esc(r.from)} s.d. ${esc(r.to)}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font: 11pt/1.4 system-ui, sans-serif; color: #111; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
header { display: flex; gap: 12px; align-items: center; border-bottom: 2px solid #111; padding-bottom: 8px; }
header img { height: 56px; }
h1 { font-size: 15pt; margin: 0; } h2 { font-size: 12pt; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; } th, td { border: 1px solid #555; padding: 3px 5px; text-align: right; }
th[scope=row], thead th:first-child { text-align: left; }
.warn { border: 2px solid #a40000; color: #a40000; padding: 6px 10px; font-weight: 600; }
.big { font-size: 20pt; font-weight: 700; }
button { font-size: 12pt; padding: 8px 16px; margin: 12px 0; }
@media print { button { display: none; } }
</style></head>
<body>
<header>${office.logo ? `<img src="${esc(office.logo)}" alt="">` : ''}<div><h1>Laporan Survei Kepuasan Masyarakat (SKM)</h1><div>${esc(office.name.id)}</div><div>Periode ${esc(r.from)} s.d. ${esc(r.to)} · PermenPANRB 14/2017</div></div></header>
<main>
<button type="button" id="print">Cetak / Print</button>
<p>Indeks Kepuasan Masyarakat: <span class="big">${num(r.overall.index)}</span> ${r.overall.grade ? `— mutu ${r.overall.grade} (${esc(r.overall.gradeName!.id)})` : ''}</p>
<p>Responden: ${r.overall.respondents} · Pengunjung dilayani: ${r.visitors} · Sampel minimal (tabel Krejcie–Morgan): ${r.requiredSample}</p>
${r.sampleShort ? `<p class="warn" role="alert">Jumlah responden (${r.overall.respondents}) kurang dari sampel minimal ${r.requiredSample} untuk ${r.visitors} pengunjung: hasil belum mewakili.</p>` : ''}
<h2>Nilai rata-rata per unsur</h2>
<table><thead>${head}</thead><tbody>${row('Seluruh layanan', r.overall)}</tbody></table>
<h2>Per layanan</h2>
<table><thead>${head}</thead><tbody>${r.services.map((g) => row(name(g.key, office.services), g)).join('') || '<tr><td colspan="13">Belum ada jawaban.</td></tr>'}</tbody></table>
<h2>Per loket</h2>
<table><thead>${head}</thead><tbody>${r.counters.map((g) => row(name(g.key, office.counters), g)).join('') || '<tr><td colspan="13">Belum ada jawaban.</td></tr>'}</tbody></table>
<h2>Unsur pelayanan</h2>
<ol>${SURVEY_ELEMENTS.map((e) => `<li>${esc(e.name.id)}</li>`).join('')}</ol>
<p>IKM = rata-rata nilai per unsur × 1/9, dikonversi × 25. Mutu: A 88,31–100 Sangat Baik; B 76,61–88,30 Baik; C 65,00–76,60 Kurang Baik; D 25,00–64,99 Tidak Baik.</p>
<h2>Profil responden</h2><ul>${profile}</ul>
<h2>Saran dan masukan</h2>
<ul>${r.comments.map((c) => `<li>${esc(c.at.slice(0, 10))} · ${esc(name(c.serviceId, office.services))}: ${esc(c.text)}</li>`).join('') || '<li>Tidak ada.</li>'}</ul>
</main>
<script src="/print.js"></script>
</body></html>`;
}

export function surveyRouter(ctx: HttpContext): Router {
  const r = Router();
  const answers = new RateLimiter(ctx.settings?.surveysPerAddressPerMinute ?? 120, 60_000);
  const address = (req: Request) => req.socket.remoteAddress ?? '?';

  const holderTicket = (req: Request, key: string) => {
    const params = validate(trackParamsSchema, { office: req.params.office, day: req.params.day, number: req.params.number });
    if (!ctx.queue.office(params.office)) throw HttpError.of('office_not_found');
    const ticketId = `${params.day}/${params.number}`;
    if (!ctx.track.keyValid(params.office, ticketId, key)) throw HttpError.of('holder_key_invalid');
    return { officeId: params.office, ticketId };
  };

  r.get('/api/v1/track/:office/:day/:number/survey', async (req, res) => {
    const { k } = validate(trackQuerySchema, req.query);
    if (k === undefined) throw HttpError.of('holder_key_invalid');
    const { officeId, ticketId } = holderTicket(req, k);
    const read = await ctx.queue.read(officeId, (state) => {
      const t = state.tickets.get(ticketId);
      if (!t) return null;
      return state.surveyed.has(t.id) ? 'answered' : t.state === 'done' ? 'open' : 'not_finished';
    });
    if (!read.ok) return sendError(res, read.error);
    if (read.data === null) throw HttpError.of('ticket_not_found');
    res.json({ state: read.data } satisfies SurveyStatus);
  });

  r.post('/api/v1/track/:office/:day/:number/survey', async (req, res) => {
    if (!answers.hit(address(req))) throw HttpError.of('rate_limited');
    const body = validateFields(trackSurveyBodySchema, req.body);
    const { officeId, ticketId } = holderTicket(req, body.k);
    const { k: _k, ...fields } = body;
    const done = await ctx.queue.execute(officeId, { type: 'answer_survey', ticket: ticketId, ...fields }, CITIZEN_ACTOR);
    if (!done.ok) return sendError(res, done.error);
    res.json({ state: 'answered' } satisfies SurveyStatus);
  });

  const period = (req: Request, office: OfficeConfig) => {
    const q = validateFields(ikmQuerySchema, req.query);
    if (daysOf(q.from, q.to).length > IKM_MAX_DAYS) throw HttpError.of('bad_request', [{ path: 'to', message: `at most ${IKM_MAX_DAYS} days` }]);
    return ikmReport(ctx, office, q.from, q.to);
  };

  r.get('/api/v1/offices/:office/ikm', async (req, res) => {
    requireOfficeRole(ctx, req, String(req.params.office), REPORT_ROLES);
    const office = ctx.queue.office(String(req.params.office))!;
    res.json(await period(req, office));
  });

  r.get('/api/v1/offices/:office/ikm/report.html', async (req, res) => {
    requireOfficeRole(ctx, req, String(req.params.office), REPORT_ROLES);
    const office = ctx.queue.office(String(req.params.office))!;
    res.type('html').send(skmHtml(office, await period(req, office)));
  });

  return r;
}
