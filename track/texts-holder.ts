// The holder's controls' sentences (cancel, reminders): loaded with those
// controls only, so a read-only visit does not download them.
import { messages } from '../ui/i18n.svelte.ts';

export const H = messages({
  // Cancelling
  cancel: { id: 'Saya batal datang', en: 'I am not coming' },
  cancelQuestion: { id: 'Batalkan nomor {number}?', en: 'Cancel number {number}?' },
  cancelWarn: { id: 'Nomor ini tidak bisa dipakai lagi. Jika ingin dilayani, Anda harus mengambil nomor baru.', en: 'This number cannot be used again. To be served you must take a new number.' },
  cancelYes: { id: 'Ya, batalkan', en: 'Yes, cancel' },
  cancelNo: { id: 'Tidak', en: 'No' },
  failed: { id: 'Gagal. {why}', en: 'Failed. {why}' },
  // Reminders
  notifyTitle: { id: 'Ingatkan saya', en: 'Remind me' },
  notifyWhen: { id: 'Beri tahu saya saat tinggal', en: 'Tell me when there are' },
  people: { id: 'orang', en: 'people left' },
  viaPage: { id: 'Di halaman ini (bunyi dan getar)', en: 'On this page (sound and vibration)' },
  viaPush: { id: 'Notifikasi di ponsel ini', en: 'Notification on this phone' },
  allowPush: { id: 'Izinkan notifikasi', en: 'Allow notifications' },
  pushOn: { id: 'Notifikasi diizinkan', en: 'Notifications allowed' },
  pushDenied: { id: 'Notifikasi ditolak di pengaturan browser.', en: 'Notifications are blocked in the browser settings.' },
  pushUnsupported: { id: 'Browser ini tidak mendukung notifikasi.', en: 'This browser does not support notifications.' },
  viaPhone: { id: 'Pesan ke nomor HP', en: 'Message to a phone number' },
  none: { id: 'Tidak usah', en: 'No message' },
  whatsapp: { id: 'WhatsApp', en: 'WhatsApp' },
  sms: { id: 'SMS', en: 'SMS' },
  phone: { id: 'Nomor HP', en: 'Phone number' },
  consent: { id: 'Saya setuju nomor HP ini dipakai hanya untuk pemberitahuan antrean hari ini.', en: 'I agree that this phone number is used only for today\'s queue messages.' },
  needConsent: { id: 'Centang persetujuan untuk memakai nomor HP.', en: 'Tick the consent box to use a phone number.' },
  needPhone: { id: 'Isi nomor HP yang benar.', en: 'Enter a valid phone number.' },
  save: { id: 'Simpan pengingat', en: 'Save reminder' },
  saved: { id: 'Pengingat aktif: saat tinggal {n} orang.', en: 'Reminder on: when {n} people are left.' },
  toPhone: { id: 'Pesan ke nomor yang berakhiran {last4}.', en: 'Messages to the number ending in {last4}.' },
  stop: { id: 'Hentikan pengingat', en: 'Stop reminders' },
  waLink: { id: 'Kirim nomor antrean ke WhatsApp kantor', en: 'Send the queue number to the office WhatsApp' },
});
