// Every sentence the phone page shows, Bahasa Indonesia first, English through
// the toggle; never the two in one sentence. Plain words for an elderly reader.
import { messages } from '../ui/i18n.svelte.ts';

export const T = messages({
  title: { id: 'Antrean Anda', en: 'Your queue number' },
  language: { id: 'English', en: 'Bahasa Indonesia' },
  languageLabel: { id: 'Ganti bahasa ke English', en: 'Switch language to Bahasa Indonesia' },
  yourNumber: { id: 'Nomor antrean Anda', en: 'Your queue number' },
  waiting: { id: 'Menunggu dipanggil', en: 'Waiting to be called' },
  called: { id: 'Anda dipanggil', en: 'You are being called' },
  goTo: { id: 'Silakan ke {counter}', en: 'Please go to {counter}' },
  serving: { id: 'Sedang dilayani di {counter}', en: 'Being served at {counter}' },
  done: { id: 'Selesai dilayani. Terima kasih.', en: 'Service finished. Thank you.' },
  noShow: { id: 'Tidak hadir saat dipanggil', en: 'Not present when called' },
  noShowHelp: { id: 'Silakan tanya petugas di meja informasi.', en: 'Please ask the staff at the information desk.' },
  cancelled: { id: 'Nomor ini dibatalkan', en: 'This number was cancelled' },
  next: { id: 'Anda berikutnya', en: 'You are next' },
  ahead: { id: '{n} orang di depan Anda', en: '{n} people ahead of you' },
  aheadOne: { id: '1 orang di depan Anda', en: '1 person ahead of you' },
  waitLabel: { id: 'Perkiraan waktu tunggu', en: 'Estimated wait' },
  near: { id: 'Tinggal {n} orang lagi. Bersiaplah dan tetap di dekat loket.', en: 'Only {n} more before you. Get ready and stay near the counters.' },
  nearNext: { id: 'Anda berikutnya. Bersiaplah dan tetap di dekat loket.', en: 'You are next. Get ready and stay near the counters.' },
  free: { id: 'Layanan ini GRATIS', en: 'This service is FREE' },
  freeNote: { id: 'Jangan bayar siapa pun.', en: 'Do not pay anyone.' },
  todayOpen: { id: 'Hari ini buka {hours}', en: 'Open today {hours}' },
  todayClosed: { id: 'Hari ini tutup', en: 'Closed today' },
  weekHours: { id: 'Jam buka', en: 'Opening hours' },
  closed: { id: 'Tutup', en: 'Closed' },
  complaint: { id: 'Pengaduan', en: 'Complaints' },
  lastCalls: { id: 'Panggilan terakhir', en: 'Latest calls' },
  connecting: { id: 'Menghubungkan…', en: 'Connecting…' },
  offline: { id: 'Tidak terhubung', en: 'Not connected' },
  dataAge: { id: 'data {age}', en: 'figures from {age}' },
  updated: { id: 'Diperbarui {age}', en: 'Updated {age}' },
  justNow: { id: 'baru saja', en: 'just now' },
  minutesAgo: { id: '{n} menit lalu', en: '{n} minutes ago' },
  minuteAgo: { id: '1 menit lalu', en: '1 minute ago' },
  hoursAgo: { id: '{n} jam lalu', en: '{n} hours ago' },
  readOnly: { id: 'Halaman ini hanya untuk melihat. Untuk membatalkan atau minta diingatkan, pindai kode QR pada karcis Anda.', en: 'This page is view only. To cancel or get reminders, scan the QR code on your ticket.' },
  keyInvalid: { id: 'Tautan ini tidak berlaku. Pindai lagi kode QR pada karcis Anda.', en: 'This link is not valid. Scan the QR code on your ticket again.' },
  notFound: { id: 'Nomor antrean ini tidak ditemukan.', en: 'This queue number was not found.' },
  unavailable: { id: 'Data antrean sedang tidak dapat dibaca. Coba lagi sebentar lagi.', en: 'The queue data cannot be read right now. Try again shortly.' },
  badAddress: { id: 'Alamat halaman ini tidak lengkap.', en: 'The address of this page is incomplete.' },
  okCalled: { id: 'Baik, saya ke sana', en: 'OK, on my way' },
});

/** "sekitar 15–25 menit" / "about 15–25 minutes": one wording on the phone, the kiosk and the receipt (protocol/format.ts). */
export { waitRange } from '../protocol/format.ts';
