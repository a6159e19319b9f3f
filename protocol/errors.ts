// One error shape for HTTP bodies and socket acknowledgements, with a stable
// code and a message in Indonesian and English.
import type { z } from 'zod';
import type { apiErrorSchema, errorBodySchema } from './schemas-http.ts';

export const ERRORS = {
  invalid_body: [400, 'Isian belum benar. Periksa kolom yang ditandai.', 'Some fields are not right. Check the marked fields.'],
  bad_request: [400, 'Permintaan tidak valid.', 'The request is not valid.'],
  invalid_json: [400, 'Isi permintaan bukan JSON yang valid.', 'The request body is not valid JSON.'],
  payload_too_large: [413, 'Isi permintaan terlalu besar.', 'The request body is too large.'],
  unauthenticated: [401, 'Silakan masuk terlebih dahulu.', 'Please sign in first.'],
  invalid_credentials: [401, 'Nama pengguna atau kata sandi salah.', 'Wrong username or password.'],
  forbidden: [403, 'Anda tidak berhak melakukan tindakan ini.', 'You are not allowed to do this.'],
  bad_origin: [403, 'Permintaan dari asal yang tidak dikenal ditolak.', 'Requests from another origin are refused.'],
  device_not_paired: [403, 'Perangkat ini belum dipasangkan. Minta admin menyetujui kode pemasangan.', 'This device is not paired yet. Ask an admin to approve its pairing code.'],
  rate_limited: [429, 'Terlalu banyak permintaan. Silakan tunggu sebentar.', 'Too many requests. Please wait a moment.'],
  not_found: [404, 'Tidak ditemukan.', 'Not found.'],
  office_not_found: [404, 'Kantor tidak ditemukan.', 'Office not found.'],
  service_not_found: [404, 'Layanan tidak ditemukan.', 'Service not found.'],
  counter_not_found: [404, 'Loket tidak ditemukan.', 'Counter not found.'],
  ticket_not_found: [404, 'Nomor antrean tidak ditemukan.', 'Ticket not found.'],
  holder_key_invalid: [403, 'Kode pada tautan ini tidak cocok dengan nomor antrean. Pindai lagi kode QR pada karcis Anda.', 'The code in this link does not match the ticket. Scan the QR code on your ticket again.'],
  cancel_too_late: [409, 'Nomor antrean ini sudah dipanggil atau selesai, jadi tidak bisa dibatalkan dari ponsel. Silakan temui petugas di loket.', 'This ticket has already been called or finished, so it cannot be cancelled from a phone. Please see the staff at the counter.'],
  survey_not_open: [409, 'Survei hanya bisa diisi setelah pelayanan nomor antrean ini selesai.', 'The survey opens once this ticket has been served.'],
  survey_already_answered: [409, 'Survei untuk nomor antrean ini sudah diisi. Terima kasih!', 'The survey for this ticket has already been answered. Thank you!'],
  complaint_not_found: [404, 'Pengaduan tidak ditemukan. Periksa kode pengaduan Anda.', 'Complaint not found. Check your complaint code.'],
  complaint_closed: [409, 'Pengaduan ini sudah selesai dan tidak bisa diubah lagi.', 'This complaint is closed and cannot be changed.'],
  complaint_status_invalid: [409, 'Status pengaduan hanya bisa maju: baru → diproses → selesai.', 'A complaint\'s status only moves forward: new → in progress → closed.'],
  pairing_not_found: [404, 'Kode pemasangan tidak ditemukan atau sudah kedaluwarsa.', 'Pairing code not found or expired.'],
  // Admin operations (staff, devices, backup, logo): protocol/admin-ops.ts.
  password_change_required: [403, 'Anda harus mengganti kata sandi terlebih dahulu.', 'You must change your password first.'],
  wrong_password: [403, 'Kata sandi saat ini salah.', 'The current password is wrong.'],
  weak_password: [400, 'Kata sandi baru minimal 10 karakter dan tidak boleh sama dengan nama pengguna atau kata sandi lama.', 'The new password needs at least 10 characters and must differ from the username and the old password.'],
  username_taken: [409, 'Nama pengguna ini sudah dipakai.', 'This username is taken.'],
  last_admin: [409, 'Ini admin terakhir kantor ini: tunjuk admin lain dulu.', 'This is the office\'s last admin: make someone else admin first.'],
  unsupported_media_type: [415, 'Jenis berkas tidak didukung. Gunakan PNG, JPEG atau WebP.', 'Unsupported file type. Use PNG, JPEG or WebP.'],
  invalid_backup: [400, 'Berkas cadangan tidak valid atau rusak.', 'The backup file is not valid or is damaged.'],
  restore_not_fresh: [409, 'Pemulihan hanya bisa ke instalasi baru (belum ada antrean dan konfigurasi belum diubah).', 'A restore needs a fresh install (no tickets yet and the configuration unchanged).'],
  queue_empty: [409, 'Tidak ada antrean yang menunggu.', 'No one is waiting.'],
  counter_busy: [409, 'Loket masih melayani nomor lain. Selesaikan dulu.', 'This counter still holds another ticket. Finish it first.'],
  counter_idle: [409, 'Loket tidak sedang memegang nomor antrean.', 'This counter holds no ticket.'],
  counter_paused: [409, 'Loket sedang dijeda.', 'This counter is paused.'],
  counter_taken: [409, 'Loket ini sedang dipakai petugas lain. Minta petugas itu keluar dulu, atau minta pengawas melepaskannya.', 'Another clerk is signed in at this counter. Ask them to sign out first, or ask a supervisor to release it.'],
  counter_not_paused: [409, 'Loket tidak sedang dijeda.', 'This counter is not paused.'],
  service_not_served: [409, 'Loket ini tidak melayani layanan tersebut.', 'This counter does not serve that service.'],
  ticket_not_waiting: [409, 'Nomor antrean ini tidak sedang menunggu.', 'This ticket is not waiting.'],
  invalid_state: [409, 'Tindakan ini tidak bisa dilakukan pada status nomor antrean saat ini.', 'This cannot be done in the ticket\'s current state.'],
  reinstate_window_passed: [409, 'Batas waktu untuk memulihkan nomor antrean ini sudah lewat.', 'The time to reinstate this ticket has passed.'],
  quota_full: [409, 'Kuota layanan ini untuk hari ini sudah penuh.', 'This service is full for today.'],
  service_closed: [409, 'Layanan ini ditutup untuk hari ini.', 'This service is closed for today.'],
  office_closed: [409, 'Kantor sedang tutup.', 'The office is closed now.'],
  day_mismatch: [409, 'Hari layanan sudah berganti. Muat ulang data antrean.', 'The office day has changed. Reload the queue.'],
  stale_revision: [409, 'Bagian ini sudah diubah orang lain sejak Anda membukanya. Tidak ada yang disimpan; periksa perubahannya lalu simpan lagi.', 'Someone else changed this section since you opened it. Nothing was saved; check their change and save again.'],
  service_in_use: [409, 'Layanan ini masih punya antrean hari ini: tutup (nonaktifkan) saja, jangan dihapus.', 'This service still has tickets today: make it inactive instead of deleting it.'],
  counter_in_use: [409, 'Loket ini sedang memegang nomor antrean: selesaikan dulu sebelum menghapusnya.', 'This counter holds a ticket: finish it before deleting the counter.'],
  idempotency_conflict: [409, 'Kunci idempotensi sudah dipakai untuk perintah lain.', 'This idempotency key was used for another command.'],
  invalid_phone: [400, 'Nomor telepon tidak valid. Tulis nomor ponsel Indonesia, misalnya 0812 3456 7890.', 'The phone number is not valid. Write an Indonesian mobile number, e.g. 0812 3456 7890.'],
  notify_channel_unavailable: [409, 'Pemberitahuan lewat saluran ini belum tersedia di kantor ini.', 'Alerts over this channel are not available at this office.'],
  // Online booking (protocol/booking.ts, docs/booking.md).
  booking_disabled: [409, 'Layanan ini tidak bisa dibooking secara daring di kantor ini.', 'This service cannot be booked online at this office.'],
  booking_date_past: [409, 'Tanggal atau jam itu sudah lewat. Pilih slot lain.', 'That date or time has passed. Choose another slot.'],
  booking_day_closed: [409, 'Kantor tutup pada tanggal itu. Pilih hari lain.', 'The office is closed on that date. Choose another day.'],
  booking_day_not_open: [409, 'Tanggal itu belum dibuka untuk booking.', 'That date is not open for booking yet.'],
  booking_slot_not_found: [404, 'Slot waktu itu tidak ada. Pilih salah satu slot yang ditampilkan.', 'That time slot does not exist. Choose one of the slots shown.'],
  booking_slot_full: [409, 'Slot itu sudah penuh. Pilih slot lain.', 'That slot is full. Choose another slot.'],
  booking_slot_blocked: [409, 'Slot itu ditutup oleh kantor. Pilih slot lain.', 'That slot has been closed by the office. Choose another slot.'],
  booking_quota_full: [409, 'Kuota booking daring untuk layanan ini pada tanggal itu sudah penuh.', 'The online places of this service on that date are all taken.'],
  booking_hold_expired: [409, 'Waktu menyimpan slot sudah habis. Silakan pilih slot lagi.', 'The time to keep this slot ran out. Please choose a slot again.'],
  booking_not_found: [404, 'Kode booking tidak ditemukan. Periksa kembali kodenya.', 'Booking code not found. Please check the code.'],
  booking_not_active: [409, 'Booking ini sudah dibatalkan, sudah dipakai, atau sudah lewat waktunya.', 'This booking has been cancelled, already used, or has expired.'],
  booking_already_checked_in: [409, 'Booking ini sudah dipakai untuk mengambil nomor antrean.', 'This booking has already been used to take a ticket.'],
  nik_invalid: [400, 'NIK tidak valid. Periksa kembali NIK Anda.', 'The NIK is not valid. Please check it.'],
  booking_age_ineligible: [409, 'Menurut NIK, usia Anda tidak memenuhi syarat layanan ini. Silakan tanyakan kepada petugas.', 'By the NIK, your age does not meet this service\'s conditions. Please ask the staff.'],
  booking_nik_duplicate: [409, 'NIK ini sudah punya booking untuk layanan ini pada tanggal itu.', 'This NIK already has a booking for this service on that date.'],
  booking_nik_week_limit: [409, 'NIK ini sudah mencapai batas booking dalam minggu itu.', 'This NIK has reached its limit of bookings for that week.'],
  booking_nik_blocked: [409, 'NIK ini tidak bisa booking untuk sementara karena beberapa kali tidak datang. Silakan datang langsung ke kantor.', 'This NIK cannot book for now after several missed bookings. Please come to the office in person.'],
  booking_precheck_missing: [409, 'Ada dokumen wajib yang belum Anda miliki. Siapkan dulu, lalu booking.', 'A required document is missing. Get it first, then book.'],
  pow_invalid: [400, 'Verifikasi keamanan gagal. Muat ulang halaman lalu coba lagi.', 'The security check failed. Reload the page and try again.'],
  pow_reused: [409, 'Verifikasi keamanan ini sudah dipakai. Muat ulang halaman lalu coba lagi.', 'This security check has already been used. Reload the page and try again.'],
  manage_key_invalid: [403, 'Tautan booking ini tidak valid. Buka lagi tautan dari konfirmasi booking Anda.', 'This booking link is not valid. Open the link from your booking confirmation again.'],
  booking_other_office: [409, 'Kode booking ini untuk kantor lain. Silakan datang ke kantor yang tertera pada booking Anda.', 'This booking code is for another office. Please go to the office named in your booking.'],
  booking_other_day: [409, 'Booking ini bukan untuk hari ini.', 'This booking is not for today.'],
  check_in_too_early: [409, 'Terlalu awal untuk check-in. Silakan datang kembali mendekati jam booking Anda.', 'Too early to check in. Please come back closer to your booking time.'],
  check_in_too_late: [409, 'Waktu check-in untuk booking ini sudah lewat. Silakan ambil nomor antrean biasa.', 'The check-in time of this booking has passed. Please take a regular ticket.'],
  // Office boxes that sync to a central deployment (server/sync, docs/sync.md).
  office_on_box: [409, 'Antrean kantor ini dijalankan oleh server kantor sendiri dan hanya dapat diubah di sana; server pusat hanya menampilkannya.', 'This office\'s queue runs on its own office box and can only be changed there; the central server only shows it.'],
  sync_conflict: [409, 'Data yang dikirim berbeda dengan yang sudah tersimpan di server pusat untuk versi yang sama. Tidak ada yang disimpan.', 'What was sent differs from what the central server already holds for the same version. Nothing was stored.'],
  sync_unsupported: [501, 'Server ini tidak menerima sinkronisasi (hanya server pusat dengan PostgreSQL).', 'This server does not accept sync (only a central server on PostgreSQL does).'],
  // GET /offices/{office}/eta-accuracy (protocol/eta-accuracy.ts).
  day_invalid: [400, 'Tanggal tidak valid. Tulis sebagai TTTT-BB-HH, misalnya 2026-03-02.', 'The date is not valid. Write it as YYYY-MM-DD, e.g. 2026-03-02.'],
  day_in_future: [400, 'Tanggal itu belum tiba: angka ketepatan hanya ada untuk hari ini dan hari yang sudah lewat.', 'That date has not come yet: accuracy figures exist for today and past days only.'],
  internal: [500, 'Terjadi kesalahan pada server.', 'Something went wrong on the server.'],
  unavailable: [503, 'Server sedang tidak dapat menyimpan data. Coba lagi.', 'The server cannot store data right now. Try again.'],
} as const satisfies Record<string, readonly [number, string, string]>;

export type ErrorCode = keyof typeof ERRORS;

/** The error of every response and acknowledgement (schema: protocol/schemas-http.ts). */
export type ApiError = z.infer<typeof apiErrorSchema>;

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** One acknowledgement shape for every socket command. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export function apiError(code: ErrorCode, details?: ApiError['details']): ApiError {
  const [, id, en] = ERRORS[code];
  return details && details.length > 0 ? { code, message: { id, en }, details } : { code, message: { id, en } };
}

/** The invalid_body error: nothing saved, each wrong field named with a message in both languages. */
export function invalidBody(fields: NonNullable<ApiError['fields']>): ApiError {
  const [, id, en] = ERRORS.invalid_body;
  return { code: 'invalid_body', message: { id, en }, fields };
}

/** An error of `code` with a message made for this case ("Silakan datang kembali pukul 09.30 WITA."). */
export function apiErrorWith(code: ErrorCode, message: { id: string; en: string }, fields?: ApiError['fields']): ApiError {
  return fields && fields.length > 0 ? { code, message, fields } : { code, message };
}

export function httpStatusOf(code: ErrorCode): number {
  return ERRORS[code][0];
}
