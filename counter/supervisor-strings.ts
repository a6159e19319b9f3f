// Texts of the supervisor view (loaded only by supervisors and admins).
import type { Bilingual } from '../protocol/model.ts';
import { messages } from '../ui/i18n.svelte.ts';
import type { CounterStatus } from './queue-view.ts';

export const sm = messages({
  supCounters: { id: 'Semua loket', en: 'All counters' },
  supStaff: { id: 'Petugas', en: 'Staff' },
  supStatus: { id: 'Status', en: 'State' },
  supTicket: { id: 'Nomor', en: 'Ticket' },
  supSince: { id: 'Sejak', en: 'Since' },
  supServed: { id: 'Dilayani', en: 'Served' },
  supServices: { id: 'Layanan', en: 'Services' },
  supWaiting: { id: 'Menunggu', en: 'Waiting' },
  supOldest: { id: 'Terlama', en: 'Oldest' },
  supEta: { id: 'Perkiraan', en: 'Estimate' },
  supOpen: { id: 'buka', en: 'open' },
  supClosed: { id: 'ditutup', en: 'closed' },
  supClose: { id: 'Tutup…', en: 'Close…' },
  supCloseLabel: { id: 'Tutup layanan {s} untuk hari ini', en: 'Close service {s} for today' },
  supReopen: { id: 'Buka lagi', en: 'Reopen' },
  supReopenLabel: { id: 'Buka lagi layanan {s}', en: 'Reopen service {s}' },
  supTickets: { id: 'Nomor yang menunggu', en: 'Waiting tickets' },
  supMove: { id: 'Pindahkan…', en: 'Move…' },
  supMoveLabel: { id: 'Pindahkan {n}', en: 'Move {n}' },
  supTarget: { id: 'Tujuan', en: 'Target' },
  supNoWaiting: { id: 'Tidak ada nomor yang menunggu.', en: 'No tickets waiting.' },
  moveTitle: { id: 'Pindahkan {n}', en: 'Move {n}' },
  moveGo: { id: 'Pindahkan', en: 'Move' },
  closeTitle: { id: 'Tutup layanan {s} untuk hari ini?', en: 'Close service {s} for today?' },
  closeBody: { id: 'Kios tidak akan memberi nomor baru untuk layanan ini sampai dibuka lagi. Nomor yang sudah menunggu tetap dilayani.', en: 'Kiosks give no new tickets for it until it is reopened. Tickets already waiting are still served.' },
  closeGo: { id: 'Ya, tutup layanan', en: 'Yes, close it' },
  closeReasonDefault: { id: 'Blangko habis', en: 'Out of blank cards' },
  nobody: { id: 'belum ada', en: 'nobody yet' },
  okMoved: { id: '{n} dipindahkan ke {to}.', en: '{n} moved to {to}.' },
  okClosed: { id: 'Layanan {s} ditutup untuk hari ini.', en: 'Service {s} closed for today.' },
  okReopened: { id: 'Layanan {s} dibuka lagi.', en: 'Service {s} reopened.' },
});

export const STATUS: Record<CounterStatus, Bilingual> = {
  idle: { id: 'Siap', en: 'Ready' },
  called: { id: 'Memanggil', en: 'Calling' },
  serving: { id: 'Melayani', en: 'Serving' },
  paused: { id: 'Dijeda', en: 'Paused' },
};
