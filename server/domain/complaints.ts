// The complaint rules, pure: a new complaint with its deadline, the status
// flow baru → diproses → selesai with responses, overdue, when a contact is
// erased, and the views (staff: contact masked; citizen: no contact).
// Ids, codes and time come in from the shell.
import { DEFAULT_COMPLAINT_SETTINGS, type Complaint, type ComplaintPublicView, type ComplaintSettings, type ComplaintStaffView } from '../../protocol/complaints.ts';
import { COMPLAINT_STATUSES, type ComplaintCategory, type ComplaintChannel, type ComplaintStatus } from '../../protocol/complaints-data.ts';
import type { OfficeConfig } from '../../protocol/model.ts';

const DAY_MS = 86_400_000;

export function complaintSettingsOf(office: OfficeConfig): ComplaintSettings {
  return office.complaints ?? DEFAULT_COMPLAINT_SETTINGS;
}

export interface NewComplaint {
  channel: ComplaintChannel;
  category: ComplaintCategory;
  text: string;
  ticketId: string | null;
  contact: { name?: string; phone: string } | null;
  recordedBy: { id: string; name: string } | null;
}

export function newComplaint(office: OfficeConfig, input: NewComplaint, ids: { id: string; code: string }, now: Date): Complaint {
  const at = now.toISOString();
  return {
    id: ids.id,
    officeId: office.id,
    code: ids.code,
    channel: input.channel,
    category: input.category,
    text: input.text,
    ticketId: input.ticketId,
    contact: input.contact ? { ...(input.contact.name ? { name: input.contact.name } : {}), phone: input.contact.phone } : null,
    status: 'baru',
    responses: [],
    createdAt: at,
    updatedAt: at,
    dueAt: new Date(now.getTime() + complaintSettingsOf(office).answerDays * DAY_MS).toISOString(),
    closedAt: null,
    contactErasedAt: null,
    laporRef: null,
    recordedBy: input.recordedBy,
  };
}

export interface ComplaintChange {
  status?: ComplaintStatus;
  response?: string;
  laporRef?: string | null;
}

export type ComplaintRefusal = 'complaint_closed' | 'complaint_status_invalid';

/**
 * A supervisor's change. The status only moves forward (a response to a new
 * complaint moves it to diproses); a closed complaint takes no more change
 * but its LAPOR! reference (forwarded after closing).
 */
export function changeComplaint(c: Complaint, change: ComplaintChange, by: { id: string; name: string }, now: Date): Complaint | ComplaintRefusal {
  const onlyRef = change.status === undefined && change.response === undefined;
  if (c.status === 'selesai' && !onlyRef) return 'complaint_closed';
  let status = c.status;
  if (change.status !== undefined) {
    if (COMPLAINT_STATUSES.indexOf(change.status) < COMPLAINT_STATUSES.indexOf(c.status)) return 'complaint_status_invalid';
    status = change.status;
  }
  if (change.response !== undefined && status === 'baru') status = 'diproses';
  const at = now.toISOString();
  return {
    ...c,
    status,
    responses: change.response !== undefined ? [...c.responses, { at, by: { id: by.id, name: by.name }, text: change.response }] : c.responses,
    laporRef: change.laporRef !== undefined ? change.laporRef : c.laporRef,
    closedAt: status === 'selesai' ? (c.closedAt ?? at) : null,
    updatedAt: at,
  };
}

export function isOverdue(c: Complaint, now: Date): boolean {
  return c.status !== 'selesai' && Date.parse(c.dueAt) < now.getTime();
}

/** Whether a closed complaint's contact has outlived its purpose (eraseContactDays after closing). */
export function contactExpired(c: Complaint, settings: ComplaintSettings, now: Date): boolean {
  return c.contact !== null && c.closedAt !== null && Date.parse(c.closedAt) + settings.eraseContactDays * DAY_MS <= now.getTime();
}

export function withoutContact(c: Complaint, now: Date): Complaint {
  return { ...c, contact: null, contactErasedAt: now.toISOString() };
}

export function staffView(c: Complaint, now: Date): ComplaintStaffView {
  const { contact, ...rest } = c;
  return { ...rest, contact: contact ? { ...(contact.name ? { name: contact.name } : {}), phoneLast4: contact.phone.slice(-4) } : null, overdue: isOverdue(c, now) };
}

export function publicView(c: Complaint): ComplaintPublicView {
  return { code: c.code, category: c.category, text: c.text, status: c.status, createdAt: c.createdAt, responses: c.responses.map((r) => ({ at: r.at, text: r.text })), laporRef: c.laporRef };
}

/** The code alphabet: no 0/O, 1/I/L, so a code read aloud or typed is not mistaken. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A complaint code from random bytes (the shell gives them): "ABCD-2345". */
export function codeFrom(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[bytes[i]! % CODE_ALPHABET.length];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

const csvCell = (v: string) => {
  // A cell a spreadsheet would read as a formula is prefixed with ' (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export const CSV_COLUMNS = ['kode', 'tanggal', 'kanal', 'kategori', 'status', 'isi_pengaduan', 'tanggapan_terakhir', 'batas_jawab', 'selesai', 'nomor_antrean', 'referensi_lapor'] as const;

/** CSV for forwarding to SP4N-LAPOR!: no contact, no NIK, no phone. */
export function complaintsCsv(list: readonly Complaint[]): string {
  const rows = list.map((c) =>
    [c.code, c.createdAt, c.channel, c.category, c.status, c.text, c.responses.at(-1)?.text ?? '', c.dueAt, c.closedAt ?? '', c.ticketId ?? '', c.laporRef ?? ''].map(csvCell).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
