// Every sentence the kiosk shows, Bahasa Indonesia first (KBBI spelling:
// antrean, silakan). One language per sentence; `{name}` fills via `fill`.
import type { PriorityGroup } from '../protocol/model.ts';
import { messages } from '../ui/i18n.svelte.ts';

export const T = messages({
  langToggle: { id: 'English', en: 'Bahasa Indonesia' },
  langToggleLabel: { id: 'Ganti bahasa ke English', en: 'Switch the language to Bahasa Indonesia' },
  take: { id: 'Ambil nomor antrean', en: 'Take a queue number' },
  takeHint: { id: 'Sentuh layanan yang Anda perlukan.', en: 'Touch the service you need.' },
  free: { id: 'Layanan ini GRATIS — tidak dipungut biaya.', en: 'This service is FREE — no fees are charged.' },
  freeShort: { id: 'Layanan ini GRATIS', en: 'This service is FREE' },
  hoursToday: { id: 'Jam layanan hari ini: {hours}', en: 'Service hours today: {hours}' },
  noHoursToday: { id: 'Hari ini kantor tidak membuka layanan.', en: 'The office does not serve today.' },
  unavailable: { id: 'Tidak tersedia', en: 'Not available' },
  closedBadge: { id: 'Tutup', en: 'Closed' },
  fullBadge: { id: 'Penuh', en: 'Full' },
  staffNote: { id: 'Keterangan petugas: {note}', en: '' },
  loading: { id: 'Memuat layanan…', en: 'Loading the services…' },

  back: { id: 'Kembali', en: 'Back' },
  restart: { id: 'Batal, ke awal', en: 'Cancel, start again' },
  next: { id: 'Lanjut', en: 'Continue' },
  done: { id: 'Selesai', en: 'Done' },

  subcaseTitle: { id: 'Keperluan Anda untuk {service}?', en: 'What do you need for {service}?' },
  subcaseHint: { id: 'Pilih salah satu.', en: 'Choose one.' },

  precheckTitle: { id: 'Periksa dokumen Anda', en: 'Check your documents' },
  precheckHint: { id: 'Apakah Anda membawa dokumen berikut? Jawab setiap baris.', en: 'Have you brought the following? Answer every line.' },
  yes: { id: 'Ya', en: 'Yes' },
  no: { id: 'Tidak', en: 'No' },
  bringing: { id: 'Saya membawa', en: 'I have brought' },
  optional: { id: 'Tidak wajib', en: 'Optional' },
  staffJudged: { id: 'Diperiksa petugas di loket', en: 'Checked by staff at the counter' },
  answerAll: { id: 'Masih ada {n} baris yang belum dijawab. Silakan jawab baris yang ditandai.', en: '{n} lines are not answered yet. Please answer the marked lines.' },
  answerOne: { id: 'Masih ada 1 baris yang belum dijawab. Silakan jawab baris yang ditandai.', en: '1 line is not answered yet. Please answer the marked line.' },
  bringingOne: { id: 'Saya membawa salah satu:', en: 'I have brought one of these:' },
  neither: { id: 'Tidak membawa keduanya', en: 'Neither of them' },
  noneOf: { id: 'Tidak membawa satu pun', en: 'None of them' },

  bringTitle: { id: 'Yang perlu Anda bawa', en: 'What you need to bring' },
  bringLead: {
    id: 'Nomor antrean belum diambil, supaya Anda tidak menunggu sia-sia. Silakan datang lagi dengan membawa:',
    en: 'No number was taken, so that you do not wait for nothing. Please come back with:',
  },
  bringOptional: { id: 'Bawa juga jika ada:', en: 'Also bring, if you have it:' },
  bringQr: { id: 'Pindai kode ini dengan ponsel untuk menyimpan daftarnya.', en: 'Scan this code with a phone to keep the list.' },
  bringStaff: {
    id: 'Merasa dokumen Anda sudah lengkap? Tanyakan kepada petugas di loket Informasi & Pengaduan.',
    en: 'Think your documents are complete? Ask the staff at the Information & complaints counter.',
  },
  bringSlipTitle: { id: 'Yang perlu dibawa untuk {service}', en: 'What to bring for {service}' },
  printList: { id: 'Cetak daftar ini', en: 'Print this list' },
  printing: { id: 'Sedang mencetak…', en: 'Printing…' },
  printedList: { id: 'Daftar sudah dicetak. Silakan ambil kertasnya.', en: 'The list is printed. Please take the paper.' },
  printListFailed: { id: 'Daftar tidak dapat dicetak. Silakan pindai kode QR atau foto layar ini.', en: 'The list could not be printed. Please scan the QR code or take a photo of this screen.' },
  checkAgain: { id: 'Ubah jawaban', en: 'Change my answers' },

  nikTitle: { id: 'Periksa usia dengan NIK (tidak wajib)', en: 'Check the age with the NIK (optional)' },
  nikTitleChild: { id: 'Periksa usia anak dengan NIK anak (tidak wajib)', en: "Check the child's age with the child's NIK (optional)" },
  nikWhy: { id: 'Layanan ini untuk {rule}. NIK hanya dipakai untuk memeriksa usia dan tidak disimpan.', en: 'This service is for {rule}. The NIK is only used to check the age and is not stored.' },
  nikLabel: { id: 'NIK (16 angka)', en: 'NIK (16 digits)' },
  nikCount: { id: '{n} dari 16 angka', en: '{n} of 16 digits' },
  nikDelete: { id: 'Hapus', en: 'Delete' },
  nikDeleteLabel: { id: 'Hapus angka terakhir', en: 'Delete the last digit' },
  nikClear: { id: 'Kosongkan', en: 'Clear' },
  nikCheck: { id: 'Periksa NIK', en: 'Check the NIK' },
  nikSkip: { id: 'Lewati — biar petugas yang memutuskan', en: 'Skip — let the staff decide' },

  ageTitle: { id: 'Usia tidak sesuai', en: 'The age does not fit' },
  ageIs: { id: 'Menurut NIK, usianya {age} tahun.', en: 'According to the NIK, the age is {age}.' },
  ageRule: { id: '{service} untuk {rule}.', en: '{service} is for {rule}.' },
  ageOther: { id: 'Mungkin layanan ini yang Anda perlukan:', en: 'Perhaps this is the service you need:' },
  ageAnyway: { id: 'Tetap ambil nomor — biar petugas yang memutuskan', en: 'Take a number anyway — let the staff decide' },
  ageChooseOther: { id: 'Pilih layanan lain', en: 'Choose another service' },

  priorityTitle: { id: 'Apakah Anda termasuk prioritas?', en: 'Do you belong to a priority group?' },
  priorityHint: { id: 'Kelompok berikut dilayani lebih dulu. Petugas dapat menanyakan buktinya.', en: 'These groups are served first. Staff may ask for proof.' },
  priorityNo: { id: 'Tidak', en: 'No' },
  priorityNoSub: { id: 'Saya bukan prioritas', en: 'I am not in a priority group' },
  priorityYes: { id: 'Saya termasuk prioritas:', en: 'I belong to a priority group:' },

  issuing: { id: 'Sedang mengambil nomor antrean…', en: 'Taking your queue number…' },
  issueFailed: { id: 'Nomor antrean tidak dapat diambil', en: 'The queue number could not be taken' },
  noAnswer: {
    id: 'Kios belum mendapat jawaban dari server, jadi nomor antrean Anda belum pasti. Silakan coba lagi; Anda tidak akan mendapat nomor ganda.',
    en: 'The kiosk got no answer from the server, so your number is not confirmed. Please try again; you will not get a second number.',
  },
  retry: { id: 'Coba lagi', en: 'Try again' },
  waitingConnection: { id: 'Menunggu sambungan…', en: 'Waiting for the connection…' },

  yourNumber: { id: 'Nomor antrean Anda', en: 'Your queue number' },
  ahead: { id: 'Di depan Anda: {n} orang', en: 'People ahead of you: {n}' },
  aheadNone: { id: 'Tidak ada yang menunggu di depan Anda.', en: 'Nobody is waiting ahead of you.' },
  wait: { id: 'Perkiraan waktu tunggu: {wait}', en: 'Estimated wait: {wait}' },
  counters: { id: 'Anda akan dipanggil ke: {counters}', en: 'You will be called to: {counters}' },
  priorityMark: { id: 'Prioritas: {group}', en: 'Priority: {group}' },
  trackQr: { id: 'Pindai untuk memantau antrean di ponsel Anda.', en: 'Scan to follow the queue on your phone.' },
  printed: { id: 'Silakan ambil struk nomor antrean Anda.', en: 'Please take your ticket slip.' },
  printFailed: {
    id: 'Struk tidak dapat dicetak. Silakan ingat nomor Anda atau pindai kode QR dengan ponsel.',
    en: 'The slip could not be printed. Please remember your number or scan the QR code with a phone.',
  },
  listen: { id: 'Perhatikan layar dan panggilan di ruang tunggu.', en: 'Watch the screen and listen for the call in the waiting room.' },

  offlineTitle: { id: 'Kios sedang terputus dari server', en: 'The kiosk has lost its connection to the server' },
  offlineText: {
    id: 'Nomor antrean belum bisa diambil. Kios akan tersambung lagi dengan sendirinya; silakan tunggu sebentar atau tanyakan kepada petugas.',
    en: 'Queue numbers cannot be taken right now. The kiosk will reconnect by itself; please wait a moment or ask a member of staff.',
  },

  idleTitle: { id: 'Masih di sini?', en: 'Are you still there?' },
  idleText: { id: 'Layar akan kembali ke awal dalam {n} detik.', en: 'The screen goes back to the start in {n} seconds.' },
  idleStay: { id: 'Ya, lanjutkan', en: 'Yes, continue' },

  scanTitle: { id: 'Kode pemesanan tidak ditemukan', en: 'Booking code not found' },
  scanText: {
    id: 'Kode yang dipindai tidak dikenal. Silakan ambil nomor antrean lewat layar ini, atau tanyakan kepada petugas.',
    en: 'The scanned code is not known. Please take a queue number on this screen, or ask a member of staff.',
  },
  close: { id: 'Tutup', en: 'Close' },

  pairTitle: { id: 'Kios ini belum dipasangkan', en: 'This kiosk is not paired yet' },
  pairText: {
    id: 'Minta admin menyetujui kode ini di halaman admin, menu Perangkat. Kode berlaku 15 menit; kode baru muncul dengan sendirinya.',
    en: 'Ask an admin to approve this code on the admin page, Devices menu. The code is valid for 15 minutes; a new one appears by itself.',
  },
  pairForbidden: { id: 'Kios ini dipasangkan untuk kantor lain. Minta admin memeriksanya.', en: 'This kiosk is paired to another office. Ask an admin to check it.' },
});

export const AGE_RULE = messages({
  min: { id: 'usia {min} tahun ke atas', en: 'people aged {min} or older' },
  max: { id: 'usia di bawah {limit} tahun', en: 'people under {limit}' },
  range: { id: 'usia {min} sampai {max} tahun', en: 'people aged {min} to {max}' },
});

export const PRIORITY_TEXT: Record<PriorityGroup, { id: string; en: string }> = {
  disabled: { id: 'Penyandang disabilitas', en: 'Person with a disability' },
  elderly: { id: 'Lanjut usia (60 tahun ke atas)', en: 'Elderly (60 or older)' },
  pregnant: { id: 'Ibu hamil', en: 'Pregnant woman' },
  with_child: { id: 'Membawa bayi atau anak kecil', en: 'With a baby or small child' },
  disaster_victim: { id: 'Korban bencana', en: 'Disaster victim' },
};
