// Every sentence the TV shows, Bahasa Indonesia first; the second language
// (`i18n.other`) sits beside it in a `.en` span that the profile may hide.
import type { PauseReason } from '../protocol/model.ts';
import { messages } from '../ui/i18n.svelte.ts';

export const T = messages({
  title: { id: 'Layar Antrean', en: 'Queue display' },
  queueNumber: { id: 'Nomor antrean', en: 'Queue number' },
  noCalls: { id: 'Belum ada panggilan', en: 'No calls yet' },
  calledAgain: { id: 'Panggilan ulang', en: 'Called again' },
  goTo: { id: 'silakan ke', en: 'please go to' },
  previous: { id: 'Panggilan sebelumnya', en: 'Previous calls' },
  counters: { id: 'Loket', en: 'Counters' },
  waiting: { id: 'Menunggu', en: 'Waiting' },
  closed: { id: 'Tutup', en: 'Closed' },
  offline: { id: 'Terputus', en: 'Offline' },
  connecting: { id: 'Menghubungkan…', en: 'Connecting' },
  standards: { id: 'Standar waktu penyelesaian', en: 'Service standards' },
  enableSound: { id: 'Aktifkan suara', en: 'Enable sound' },
  soundWhy: {
    id: 'Browser menahan suara sampai layar disentuh sekali. Sentuh tombol ini agar panggilan terdengar.',
    en: 'The browser holds sound back until the screen is touched once. Touch this button so that calls are heard.',
  },
  pairTitle: { id: 'Pasangkan layar ini', en: 'Pair this screen' },
  pairText: {
    id: 'Minta admin menyetujui kode ini di halaman Perangkat. Layar akan tampil sendiri setelah disetujui.',
    en: 'Ask an admin to approve this code on the Devices page. The screen starts by itself once approved.',
  },
});

export const PAUSED = messages<PauseReason>({
  break: { id: 'Istirahat', en: 'On break' },
  prayer: { id: 'Ishoma', en: 'Prayer break' },
  system_down: { id: 'Gangguan', en: 'System down' },
  other: { id: 'Dijeda', en: 'Paused' },
});
