// Complaint categories, statuses and channels with their words, as plain data
// for the pages and the server (no zod).
import type { Bi } from './survey-data.ts';

export const COMPLAINT_CATEGORIES = ['pelayanan', 'petugas', 'waktu', 'biaya', 'sarana', 'informasi', 'lainnya'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];
export const CATEGORY_WORDS: Record<ComplaintCategory, Bi> = {
  pelayanan: { id: 'Prosedur pelayanan', en: 'Service procedure' },
  petugas: { id: 'Sikap petugas', en: 'Staff conduct' },
  waktu: { id: 'Waktu tunggu / penyelesaian', en: 'Waiting / completion time' },
  biaya: { id: 'Pungutan biaya (layanan ini gratis)', en: 'A fee was asked (the service is free)' },
  sarana: { id: 'Sarana dan prasarana', en: 'Facilities' },
  informasi: { id: 'Informasi tidak jelas', en: 'Unclear information' },
  lainnya: { id: 'Lainnya', en: 'Other' },
};

export const COMPLAINT_STATUSES = ['baru', 'diproses', 'selesai'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];
export const STATUS_WORDS: Record<ComplaintStatus, Bi> = {
  baru: { id: 'Baru', en: 'New' },
  diproses: { id: 'Diproses', en: 'In progress' },
  selesai: { id: 'Selesai', en: 'Closed' },
};

export const COMPLAINT_CHANNELS = ['phone', 'kiosk', 'visit', 'call'] as const;
export type ComplaintChannel = (typeof COMPLAINT_CHANNELS)[number];
export const CHANNEL_WORDS: Record<ComplaintChannel, Bi> = {
  phone: { id: 'Ponsel (halaman antrean)', en: 'Phone (ticket page)' },
  kiosk: { id: 'Kios', en: 'Kiosk' },
  visit: { id: 'Datang langsung', en: 'In person' },
  call: { id: 'Telepon', en: 'Phone call' },
};

/** The service whose kiosk ticket offers the complaint form ("Informasi & Pengaduan", G in the seed). */
export const COMPLAINT_SERVICE_ID = 'informasi';

export const COMPLAINT_TEXT_MAX = 2000;
export const RESPONSE_TEXT_MAX = 2000;
