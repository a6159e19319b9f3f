// What the citizen reads: Bahasa Indonesia on the first line, English on the
// second. A push or SMS arrives when the page may be closed, so the server does
// not know which language the page's toggle was on; two lines (never one mixed
// sentence) let every reader find theirs, and fit one 160-character SMS.
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
