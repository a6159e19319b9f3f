// What the citizen reads: Bahasa Indonesia on the first line, English on the
// second. A push or SMS arrives when the page may be closed, so the server does
// not know which language the page's toggle was on; two lines (never one mixed
// sentence) let every reader find theirs, and fit one 160-character SMS.
import { formatDate, formatTime, zoneName } from '../../protocol/format.ts';
import type { NotifyKind, PushPayload } from '../../protocol/notify.ts';

export interface AlertFacts {
  number: string;
  kind: NotifyKind;
  /** People ahead (near). */
  ahead?: number;
  /** "Loket 2" (called). */
  counterName?: string;
}

export function alertTitle(f: AlertFacts): string {
  return f.kind === 'called' ? `Giliran ${f.number}: dipanggil / called` : `Giliran ${f.number}: segera / soon`;
}

export function alertText(f: AlertFacts): string {
  if (f.kind === 'called') {
    const where = f.counterName ?? 'loket';
    return `Nomor antrean ${f.number}, silakan ke ${where}.\nNumber ${f.number}, please go to ${where}.`;
  }
  const n = f.ahead ?? 0;
  if (n === 0) return `Nomor antrean ${f.number} berikutnya dipanggil. Silakan mendekat ke loket.\nNumber ${f.number} is next. Please come to the counters.`;
  return `Tinggal ${n} orang lagi sebelum nomor antrean ${f.number}. Silakan bersiap.\n${n} ${n === 1 ? 'person' : 'people'} ahead of number ${f.number}. Please get ready.`;
}

export function pushPayload(f: AlertFacts, url: string, tag: string): PushPayload {
  return { title: alertTitle(f), body: alertText(f), url, tag };
}

export function statusReply(number: string, ahead: number | null, wait: { low: number; high: number } | null, state: string): string {
  if (ahead === null || wait === null) {
    if (state === 'called' || state === 'serving') return `Nomor antrean ${number} sedang dipanggil atau dilayani.\nNumber ${number} has been called or is being served.`;
    return `Nomor antrean ${number} tidak lagi menunggu.\nNumber ${number} is no longer waiting.`;
  }
  const range = wait.low === wait.high ? `${wait.low}` : `${wait.low}–${wait.high}`;
  return `Nomor antrean ${number}: ${ahead} orang di depan Anda, perkiraan ${range} menit.\nNumber ${number}: ${ahead} ahead of you, about ${range} minutes.`;
}

export const CHAT_HELP =
  'Kirim kode dari halaman karcis Anda (mis. "ANTRE kupang A012 kodeXYZ") untuk berlangganan. Balas STATUS untuk posisi, BATAL untuk membatalkan.\nSend the code from your ticket page to subscribe. Reply STATUS for your place, BATAL to cancel.';
export const CHAT_SUBSCRIBED = (number: string) => `Anda akan diberi tahu untuk nomor antrean ${number}. Balas STATUS atau BATAL.\nYou will be told about number ${number}. Reply STATUS or BATAL.`;
export const CHAT_CANCELLED = (number: string) => `Nomor antrean ${number} sudah dibatalkan.\nNumber ${number} has been cancelled.`;
export const CHAT_CANNOT_CANCEL = (number: string) => `Nomor antrean ${number} tidak bisa dibatalkan lagi. Silakan temui petugas.\nNumber ${number} can no longer be cancelled. Please see the staff.`;
export const CHAT_NO_TICKET = 'Belum ada nomor antrean yang terhubung dengan chat ini.\nNo ticket is linked to this chat yet.';

// ---------------------------------------------------------------------------
// Bookings (issue 12): reminders and a slot the office blocked. The slot's
// date and time are in the office's zone, as on the confirmation.

export interface BookingFacts {
  code: string;
  /** The service's name ("KTP-el"). */
  service: string;
  /** Slot start, UTC ISO. */
  slot: string;
  timeZone: string;
  /** Where to book again (the booking page), when the server knows its public address. */
  link?: string | undefined;
}

export type BookingMessageKind = 'day-before' | 'hour-before' | 'blocked';

export function bookingText(kind: BookingMessageKind, f: BookingFacts): string {
  const zone = zoneName(f.timeZone);
  const dateId = formatDate(f.slot, f.timeZone, 'id');
  const dateEn = formatDate(f.slot, f.timeZone, 'en');
  const timeId = `${formatTime(f.slot, f.timeZone, 'id')} ${zone}`;
  const timeEn = `${formatTime(f.slot, f.timeZone, 'en')} ${zone}`;
  if (kind === 'day-before') {
    return `Pengingat: besok ${dateId} pukul ${timeId}, ${f.service}, kode booking ${f.code}. Layanan GRATIS.\nReminder: tomorrow ${dateEn} at ${timeEn}, ${f.service}, booking code ${f.code}. Free of charge.`;
  }
  if (kind === 'hour-before') {
    return `Pengingat: hari ini pukul ${timeId}, ${f.service}, kode booking ${f.code}. Tunjukkan kode di kios. GRATIS.\nReminder: today at ${timeEn}, ${f.service}, booking code ${f.code}. Show the code at the kiosk. Free.`;
  }
  const link = f.link ? ` ${f.link}` : '';
  return `Mohon maaf, slot ${dateId} pukul ${timeId} (${f.service}, kode ${f.code}) dibatalkan oleh kantor, silakan pilih waktu lain.${link}\nSorry, the office cancelled the slot ${dateEn} at ${timeEn} (${f.service}, code ${f.code}); please choose another time.${link}`;
}

/** A complaint's answer or status change, told to a citizen who left a number (docs/complaints.md). */
export interface ComplaintFacts {
  code: string;
  status: 'baru' | 'diproses' | 'selesai' | string;
  /** The answer was added by this change. */
  answered: boolean;
}

const COMPLAINT_STATUS_TEXT: Record<string, { id: string; en: string }> = {
  baru: { id: 'baru', en: 'new' },
  diproses: { id: 'sedang diproses', en: 'being handled' },
  selesai: { id: 'selesai', en: 'closed' },
};

export function complaintText(f: ComplaintFacts): string {
  const s = COMPLAINT_STATUS_TEXT[f.status] ?? { id: f.status, en: f.status };
  const id = f.answered ? `Pengaduan Anda ${f.code} sudah dijawab (status: ${s.id}). Lihat jawabannya dengan kode ${f.code}.` : `Status pengaduan Anda ${f.code}: ${s.id}.`;
  const en = f.answered ? `Your complaint ${f.code} has been answered (status: ${s.en}). See the answer with the code ${f.code}.` : `Your complaint ${f.code} is now ${s.en}.`;
  return `${id}\n${en}`;
}

export function bookingTitle(kind: BookingMessageKind, code: string): string {
  return kind === 'blocked' ? `Booking ${code}: dibatalkan / cancelled` : `Booking ${code}: pengingat / reminder`;
}
