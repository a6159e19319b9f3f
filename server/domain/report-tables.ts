// A merged range as the tables every output shows (console, CSV, XLSX, the
// printable report): one definition of each table's columns. Pure.
import type { Bilingual, OfficeConfig } from '../../protocol/model.ts';
import type { Report, ReportColumn, ReportHour, ReportTable } from '../../protocol/reports.ts';
import { HISTOGRAM_ERROR, PAUSE_KEYS, emptyCell, figuresOf, missingTotals, precheckRows, quantile, standardRows, type Cell, type Figures, type RangeAggregate, type Standards } from './report.ts';

const L = (id: string, en: string): Bilingual => ({ id, en });
const col = (key: string, id: string, en: string, kind: ReportColumn['kind'] = 'count'): ReportColumn => ({ key, label: L(id, en), kind });

const PAUSE_LABELS: Record<string, Bilingual> = { break: L('Istirahat', 'Break'), prayer: L('Salat', 'Prayer'), system_down: L('Sistem mati', 'System down'), other: L('Lainnya', 'Other') };

/** The columns of a row of figures (a service, a day, the office). */
const FIGURE_COLUMNS: [keyof Figures, ReportColumn][] = [
  ['issued', col('issued', 'Diterbitkan', 'Issued')],
  ['served', col('served', 'Dilayani', 'Served')],
  ['noShow', col('noShow', 'Tidak hadir', 'No-show')],
  ['cancelled', col('cancelled', 'Dibatalkan', 'Cancelled')],
  ['transferred', col('transferred', 'Dialihkan', 'Transferred')],
  ['kiosk', col('kiosk', 'Anjungan (datang langsung)', 'Kiosk (walk-in)')],
  ['booking', col('booking', 'Booking daring', 'Online booking')],
  ['counter', col('counter', 'Dari loket', 'Counter-issued')],
  ['priorityShare', col('priorityShare', 'Porsi prioritas', 'Priority share', 'share')],
  ['waitP50', col('waitP50', 'Tunggu p50 (menit)', 'Wait p50 (min)', 'minutes')],
  ['waitP90', col('waitP90', 'Tunggu p90 (menit)', 'Wait p90 (min)', 'minutes')],
  ['waitMax', col('waitMax', 'Tunggu maks (menit)', 'Wait max (min)', 'minutes')],
  ['serviceP50', col('serviceP50', 'Layanan p50 (menit)', 'Service p50 (min)', 'minutes')],
  ['serviceP90', col('serviceP90', 'Layanan p90 (menit)', 'Service p90 (min)', 'minutes')],
  ['serviceMax', col('serviceMax', 'Layanan maks (menit)', 'Service max (min)', 'minutes')],
  ['etaMae', col('etaMae', 'Galat perkiraan (menit)', 'Estimate error, MAE (min)', 'minutes')],
  ['etaInsideShare', col('etaInsideShare', 'Dalam rentang janji', 'Inside promised range', 'share')],
];

type FigureKey = keyof Omit<Figures, 'pauseMinutes'>;
const STAFF_KEYS: FigureKey[] = ['served', 'noShow', 'transferred', 'serviceP50', 'serviceP90', 'serviceMax'];
/** The columns of some figures, in FIGURE_COLUMNS' words. */
const figureColumns = (keys: readonly FigureKey[]): ReportColumn[] => keys.map((k) => FIGURE_COLUMNS.find(([key]) => key === k)![1]);
const figureValues = (f: Figures, keys: readonly FigureKey[]): (number | null)[] => keys.map((k) => f[k]);

function figureCells(c: Cell): (number | null)[] {
  const f = figuresOf(c);
  return FIGURE_COLUMNS.map(([k]) => f[k] as number | null);
}

function nameOf(list: readonly { id: string; name: Bilingual | string }[], id: string): string {
  const x = list.find((s) => s.id === id);
  if (!x) return id;
  return typeof x.name === 'string' ? x.name : x.name.id;
}

function requirementText(office: OfficeConfig, serviceId: string, subcase: string, item: string): string {
  const sub = office.services.find((s) => s.id === serviceId)?.subcases.find((s) => s.id === subcase);
  const req = sub?.requirements.find((r) => r.id === item);
  return req ? req.text.id : item;
}

function subcaseName(office: OfficeConfig, serviceId: string, subcase: string): string {
  return office.services.find((s) => s.id === serviceId)?.subcases.find((s) => s.id === subcase)?.name.id ?? subcase;
}

/** Local "HH:MM" of an instant at the office's offset. */
function localTime(iso: string, offsetMinutes: number): string {
  return new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(11, 16);
}

export interface ReportInput {
  office: OfficeConfig;
  range: RangeAggregate;
  standards: Standards;
  live: boolean;
  now: Date;
  utcOffsetMinutes: number;
}

export function buildReport(input: ReportInput): Report {
  const { office, range: r, standards } = input;
  const serviceName = (id: string) => nameOf(office.services, id);
  const serviceIds = [...new Set([...office.services.map((s) => s.id), ...Object.keys(r.services)])].filter((id) => r.services[id] || office.services.some((s) => s.id === id));
  const tables: ReportTable[] = [];

  const f = figuresOf(r.total);
  tables.push({
    id: 'summary',
    title: L('Ringkasan', 'Summary'),
    columns: [col('measure', 'Ukuran', 'Measure', 'text'), col('value', 'Nilai', 'Value', 'text')],
    rows: [
      // Shares as percentages here: the one value column holds figures of every kind.
      ...FIGURE_COLUMNS.map(([k, c]) => (c.kind === 'share' ? [`${c.label.id} / ${c.label.en} (%)`, f[k] == null ? null : Math.round((f[k] as number) * 1000) / 10] : [`${c.label.id} / ${c.label.en}`, f[k] as number | null])),
      ...PAUSE_KEYS.map((k) => [`Jeda: ${PAUSE_LABELS[k]!.id} / Pause: ${PAUSE_LABELS[k]!.en} (menit/min)`, f.pauseMinutes[k] ?? 0]),
      ['Loket menganggur (menit) / Counters idle (min)', f.idleMinutes],
      ['Pelanggaran standar penyelesaian / Completion-standard breaches', r.total.completionBreaches],
      ['Pelanggaran target tunggu / Waiting-target breaches', r.total.waitBreaches],
    ],
  });

  tables.push({
    id: 'services',
    title: L('Per layanan', 'Per service'),
    columns: [col('service', 'Layanan', 'Service', 'text'), ...FIGURE_COLUMNS.map(([, c]) => c)],
    rows: serviceIds.map((id) => [serviceName(id), ...figureCells(r.services[id] ?? emptyCell())]),
  });

  const std = standardRows(r, standards, serviceIds);
  tables.push({
    id: 'standards',
    title: L('Standar pelayanan', 'Service standards'),
    columns: [
      col('service', 'Layanan', 'Service', 'text'),
      col('standard', 'Standar (menit)', 'Standard (min)', 'minutes'),
      col('completed', 'Selesai', 'Completed'),
      col('completionP50', 'Penyelesaian p50 (menit)', 'Completion p50 (min)', 'minutes'),
      col('completionP90', 'Penyelesaian p90 (menit)', 'Completion p90 (min)', 'minutes'),
      col('completionMax', 'Penyelesaian maks (menit)', 'Completion max (min)', 'minutes'),
      col('completionBreaches', 'Melewati standar', 'Over the standard'),
      col('completionBreachShare', 'Porsi melewati standar', 'Share over the standard', 'share'),
      col('waitTarget', 'Target tunggu (menit)', 'Waiting target (min)', 'minutes'),
      col('waits', 'Panggilan', 'Calls'),
      col('waitBreaches', 'Melewati target tunggu', 'Over the waiting target'),
      col('waitBreachShare', 'Porsi melewati target', 'Share over the target', 'share'),
    ],
    rows: std.map((s) => [serviceName(s.serviceId), s.standardMinutes, s.completed, s.completionP50, s.completionP90, s.completionMax, s.completionBreaches, s.completionBreachShare, s.waitTargetMinutes, s.waits, s.waitBreaches, s.waitBreachShare]),
  });

  tables.push({
    id: 'breaches',
    title: L('Pelanggaran standar', 'Breaches of the standards'),
    columns: [
      col('day', 'Tanggal', 'Date', 'text'),
      col('time', 'Jam', 'Time', 'text'),
      col('ticket', 'Nomor antrean', 'Ticket', 'text'),
      col('service', 'Layanan', 'Service', 'text'),
      col('kind', 'Jenis', 'Kind', 'text'),
      col('minutes', 'Menit', 'Minutes', 'minutes'),
      col('limit', 'Batas (menit)', 'Limit (min)', 'minutes'),
    ],
    rows: r.breaches.map((b) => [b.officeDay, localTime(b.at, input.utcOffsetMinutes), b.number, serviceName(b.serviceId), b.kind === 'completion' ? 'Penyelesaian / Completion' : 'Tunggu / Wait', b.minutes, b.limitMinutes]),
  });

  const counterIds = [...new Set([...office.counters.map((c) => c.id), ...Object.keys(r.counters)])].filter((id) => r.counters[id]);
  tables.push({
    id: 'counters',
    title: L('Per loket', 'Per counter'),
    columns: [
      col('counter', 'Loket', 'Counter', 'text'),
      ...figureColumns(STAFF_KEYS),
      col('open', 'Buka (menit)', 'Open (min)', 'minutes'),
      col('idle', 'Menganggur (menit)', 'Idle (min)', 'minutes'),
      ...PAUSE_KEYS.map((k) => col(`pause_${k}`, `Jeda ${PAUSE_LABELS[k]!.id.toLowerCase()} (menit)`, `Pause ${PAUSE_LABELS[k]!.en.toLowerCase()} (min)`, 'minutes')),
    ],
    rows: counterIds.map((id) => {
      const c = figuresOf(r.counters[id]!);
      return [nameOf(office.counters, id), ...figureValues(c, STAFF_KEYS), c.openMinutes, c.idleMinutes, ...PAUSE_KEYS.map((k) => c.pauseMinutes[k] ?? 0)];
    }),
  });

  tables.push({
    id: 'staff',
    title: L('Per petugas', 'Per staff member'),
    columns: [
      col('staff', 'Petugas', 'Staff', 'text'),
      ...figureColumns(['waitP50', ...STAFF_KEYS]),
    ],
    rows: Object.keys(r.staff)
      .sort((a, b) => (r.staffNames[a] ?? a).localeCompare(r.staffNames[b] ?? b))
      .map((id) => {
        const c = figuresOf(r.staff[id]!);
        return [r.staffNames[id] ?? id, ...figureValues(c, ['waitP50', ...STAFF_KEYS])];
      }),
  });

  const hourKeys = Object.keys(r.hours).sort();
  // Averages over the days the office worked (weekends and holidays have no figures).
  const days = Math.max(1, Object.values(r.byDay).filter((c) => c.issued > 0 || c.openSeconds > 0).length);
  tables.push({
    id: 'hours',
    title: L('Per jam', 'Per hour of day'),
    columns: [col('hour', 'Jam', 'Hour', 'text'), col('countersOpen', 'Loket buka (rata-rata)', 'Counters open (mean)', 'minutes'), ...FIGURE_COLUMNS.map(([, c]) => c)],
    rows: hourKeys.map((h) => [`${h}:00`, Math.round((r.hours[h]!.openSeconds / 3600 / days) * 10) / 10, ...figureCells(r.hours[h]!)]),
  });

  tables.push({
    id: 'days',
    title: L('Per hari', 'Per day'),
    columns: [col('day', 'Tanggal', 'Date', 'text'), ...FIGURE_COLUMNS.map(([, c]) => c)],
    rows: Object.keys(r.byDay)
      .sort()
      .filter((d) => r.byDay[d]!.issued > 0 || r.byDay[d]!.served > 0)
      .map((d) => [d, ...figureCells(r.byDay[d]!)]),
  });

  tables.push({
    id: 'precheck',
    title: L('Hasil pra-periksa ("apa yang harus dibawa")', 'Pre-check outcomes ("what to bring")'),
    columns: [
      col('service', 'Layanan', 'Service', 'text'),
      col('subcase', 'Jenis', 'Sub-case', 'text'),
      col('failed', 'Dipulangkan', 'Sent home'),
      col('kiosk', 'Di anjungan', 'At the kiosk'),
      col('booking', 'Saat booking', 'When booking'),
      col('passed', 'Lolos', 'Passed'),
      col('failedShare', 'Porsi dipulangkan', 'Share sent home', 'share'),
      col('topMissing', 'Paling sering kurang', 'Missing most', 'text'),
    ],
    rows: precheckRows(r).map((p) => [serviceName(p.serviceId), subcaseName(office, p.serviceId, p.subcase), p.failed, p.kiosk, p.booking, p.passed, p.failedShare, p.missing.slice(0, 3).map((m) => `${requirementText(office, p.serviceId, p.subcase, m.item)} (${m.count})`).join('; ')]),
  });

  tables.push({
    id: 'missing',
    title: L('Dokumen yang paling sering kurang', 'Documents missing most'),
    columns: [col('document', 'Dokumen', 'Document', 'text'), col('service', 'Layanan', 'Service', 'text'), col('subcase', 'Jenis', 'Sub-case', 'text'), col('count', 'Kali', 'Times')],
    rows: missingTotals(r).map((m) => [requirementText(office, m.serviceId, m.subcase, m.item), serviceName(m.serviceId), subcaseName(office, m.serviceId, m.subcase), m.count]),
  });

  const hours: ReportHour[] = hourKeys.map((h) => {
    const c = r.hours[h]!;
    const w50 = quantile(c.wait, 0.5);
    const w90 = quantile(c.wait, 0.9);
    return { hour: Number(h), issued: c.issued, waitP50: w50 == null ? null : Math.round(w50 / 6) / 10, waitP90: w90 == null ? null : Math.round(w90 / 6) / 10, countersOpen: Math.round((c.openSeconds / 3600 / days) * 10) / 10 };
  });
  const breaches = serviceIds.map((id) => ({
    serviceId: id,
    name: office.services.find((s) => s.id === id)?.name ?? L(id, id),
    completion: r.services[id]?.completionBreaches ?? 0,
    wait: r.services[id]?.waitBreaches ?? 0,
  }));

  return {
    officeId: office.id,
    officeName: office.name,
    from: r.from,
    to: r.to,
    days: Object.values(r.byDay).filter((c) => c.issued > 0 || c.openSeconds > 0).length,
    live: input.live,
    generatedAt: input.now.toISOString(),
    histogramError: Math.round(HISTOGRAM_ERROR * 10000) / 10000,
    breachesTotal: r.breachCount,
    tables,
    charts: { hours, breaches },
  };
}
