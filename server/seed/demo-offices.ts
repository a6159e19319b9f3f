// Demo seed: the services, counters and rules of two Dukcapil offices, from
// DOMAIN.md ("Demo office", "Requirement checklists"). Every call returns fresh
// objects, so a caller may change what it gets.
//
// Requirement texts read after "Saya membawa …" / "I have brought …".
import type {
  Bilingual,
  CounterConfig,
  OfficeConfig,
  OpeningHours,
  QueueRules,
  Requirement,
  ServiceConfig,
} from '../../protocol/model.ts';

function req(id: string, text: Bilingual, opts: { mandatory?: boolean; staffJudged?: boolean } = {}): Requirement {
  return { id, text, mandatory: opts.mandatory ?? true, staffJudged: opts.staffJudged ?? false };
}

// Items that appear in several checklists.
const kk = (): Requirement => req('kk', { id: 'Kartu Keluarga (KK)', en: 'Family card (KK)' });
const ktpEl = (): Requirement => req('ktp-el', { id: 'KTP-el', en: 'ID card (e-KTP)' });
const ktpElOrangTua = (): Requirement =>
  req('ktp-el-orang-tua', { id: 'KTP-el kedua orang tua', en: "Both parents' ID cards (e-KTP)" });
const formulirF201 = (): Requirement => req('formulir-f-2-01', { id: 'Formulir F-2.01', en: 'Form F-2.01' });
const suratKehilangan = (): Requirement =>
  req('surat-kehilangan-polisi', {
    id: 'Surat keterangan kehilangan dari kepolisian',
    en: 'Police report of loss',
  });

const oneHour = (): Bilingual => ({ id: '1 jam', en: '1 hour' });

export function demoServices(): ServiceConfig[] {
  const noQuota = (): ServiceConfig['quota'] => ({ walkIn: null, online: null });
  return [
    {
      id: 'ktp-el',
      prefix: 'A',
      name: { id: 'Perekaman & Pencetakan KTP-el', en: 'ID card (e-KTP): record, print, replace' },
      description: {
        id: 'Perekaman data dan pencetakan KTP-el baru, serta penggantian KTP-el yang hilang, rusak, atau datanya berubah.',
        en: 'Recording and printing a first e-KTP, and replacing one that is lost, damaged or has changed data.',
      },
      standard: { id: '1 jam setelah perekaman (jika blangko tersedia)', en: '1 hour after recording if blanks are in stock' },
      standardMinutes: 60,
      fee: 0,
      icon: 'id-card',
      subcases: [
        {
          id: 'baru',
          name: { id: 'Baru (pertama kali)', en: 'New (first time)' },
          eligibility: {
            minAge: 17,
            note: {
              id: 'Warga di bawah 17 tahun yang sudah atau pernah menikah juga berhak; petugas yang memutuskan.',
              en: 'Residents under 17 who are or have been married are also eligible; staff decide.',
            },
          },
          requirements: [
            req(
              'usia-17-atau-menikah',
              {
                id: 'Bukti berusia 17 tahun ke atas, atau sudah/pernah menikah (diperiksa petugas)',
                en: 'Proof of being 17 or older, or married / ever married (checked by staff)',
              },
              { staffJudged: true },
            ),
            kk(),
          ],
        },
        {
          id: 'hilang',
          name: { id: 'Hilang', en: 'Lost' },
          requirements: [kk(), suratKehilangan()],
        },
        {
          id: 'rusak',
          name: { id: 'Rusak', en: 'Damaged' },
          requirements: [kk(), req('ktp-el-rusak', { id: 'KTP-el yang rusak', en: 'The damaged ID card (e-KTP)' })],
        },
        {
          id: 'perubahan-data',
          name: { id: 'Perubahan data', en: 'Change of data' },
          requirements: [
            req('kk-data-baru', { id: 'KK yang memuat data baru', en: 'Family card (KK) showing the new data' }),
            req('ktp-el-lama', { id: 'KTP-el lama', en: 'The old ID card (e-KTP)' }),
          ],
        },
      ],
      quota: noQuota(),
      active: true,
    },
    {
      id: 'kk',
      prefix: 'B',
      name: { id: 'Kartu Keluarga (KK)', en: 'Family card: new, change, replace' },
      description: {
        id: 'Penerbitan KK untuk keluarga baru, penambahan anggota keluarga, serta penggantian KK yang hilang atau rusak.',
        en: 'Issuing a family card for a new family, adding a family member, and replacing a lost or damaged card.',
      },
      standard: oneHour(),
      standardMinutes: 60,
      fee: 0,
      icon: 'family',
      subcases: [
        {
          id: 'baru',
          name: { id: 'Baru (keluarga baru)', en: 'New (new family)' },
          requirements: [
            req('buku-nikah', { id: 'Buku nikah / akta perkawinan', en: 'Marriage book / marriage certificate' }),
            req('kk-asal', { id: 'KK asal kedua suami istri', en: 'Family cards (KK) of origin of both spouses' }),
            {
              ...req('surat-pindah', { id: 'Surat keterangan pindah', en: 'Moving letter (surat keterangan pindah)' }),
              condition: {
                id: 'pindah-dari-luar-daerah',
                question: { id: 'Apakah Anda pindah dari kabupaten/kota lain?', en: 'Are you moving here from another regency or city?' },
              },
            },
          ],
        },
        {
          id: 'tambah-anggota',
          name: { id: 'Tambah anggota (kelahiran)', en: 'New member (by birth)' },
          requirements: [
            req('kk-lama', { id: 'KK lama', en: 'The old family card (KK)' }),
            req('akta-kelahiran', { id: 'Akta kelahiran', en: 'Birth certificate' }),
          ],
        },
        {
          id: 'hilang-rusak',
          name: { id: 'Hilang atau rusak', en: 'Lost or damaged' },
          requirements: [
            {
              ...suratKehilangan(),
              alternatives: [{ id: 'kk-rusak', text: { id: 'KK yang rusak', en: 'The damaged family card (KK)' } }],
            },
            ktpEl(),
          ],
        },
      ],
      quota: noQuota(),
      active: true,
    },
    {
      id: 'akta',
      prefix: 'C',
      name: { id: 'Akta Kelahiran / Kematian', en: 'Birth / death certificate' },
      description: {
        id: 'Pencatatan kelahiran dan kematian serta penerbitan aktanya.',
        en: 'Registering a birth or a death and issuing its certificate.',
      },
      standard: oneHour(),
      standardMinutes: 60,
      fee: 0,
      icon: 'certificate',
      subcases: [
        {
          id: 'kelahiran',
          name: { id: 'Akta kelahiran', en: 'Birth certificate' },
          requirements: [
            req('surat-keterangan-lahir', {
              id: 'Surat keterangan lahir dari rumah sakit, dokter, bidan, atau kepala desa/lurah',
              en: 'Birth statement from the hospital, doctor, midwife or village head',
            }),
            {
              ...req('buku-nikah-orang-tua', { id: 'Buku nikah / akta perkawinan orang tua', en: "Parents' marriage book or certificate" }),
              alternatives: [
                {
                  id: 'sptjm',
                  text: { id: 'SPTJM (surat pernyataan tanggung jawab mutlak) yang sudah ditandatangani', en: 'A signed statement of responsibility (SPTJM)' },
                },
              ],
            },
            kk(),
            ktpElOrangTua(),
            formulirF201(),
            req(
              'ktp-el-dua-saksi',
              {
                id: 'KTP-el dua orang saksi (jika diminta oleh kantor)',
                en: "Two witnesses' ID cards (e-KTP), where the office asks for them",
              },
              { mandatory: false },
            ),
          ],
        },
        {
          id: 'kematian',
          name: { id: 'Akta kematian', en: 'Death certificate' },
          requirements: [
            req('surat-keterangan-kematian', {
              id: 'Surat keterangan kematian dari dokter, rumah sakit, atau kepala desa/lurah',
              en: 'Death statement from the doctor, hospital or village head',
            }),
            req('kk-almarhum', { id: 'KK almarhum/almarhumah', en: 'Family card (KK) of the deceased' }),
            req('ktp-el-almarhum', { id: 'KTP-el almarhum/almarhumah', en: 'ID card (e-KTP) of the deceased' }),
            req('ktp-el-pelapor', { id: 'KTP-el pelapor', en: 'ID card (e-KTP) of the person reporting the death' }),
            formulirF201(),
          ],
        },
      ],
      quota: noQuota(),
      active: true,
    },
    {
      id: 'kia',
      prefix: 'D',
      name: { id: 'Kartu Identitas Anak (KIA)', en: 'Child ID card' },
      description: {
        id: 'Penerbitan Kartu Identitas Anak untuk anak di bawah 17 tahun.',
        en: 'Issuing a child ID card for children under 17.',
      },
      standard: oneHour(),
      standardMinutes: 60,
      fee: 0,
      icon: 'child',
      subcases: [
        {
          id: 'balita',
          name: { id: 'Anak di bawah 5 tahun', en: 'Child under 5' },
          eligibility: { maxAge: 4 },
          requirements: [
            req('akta-kelahiran-anak', { id: 'Akta kelahiran anak', en: "The child's birth certificate" }),
            req('kk-orang-tua', { id: 'KK orang tua', en: "Parents' family card (KK)" }),
            ktpElOrangTua(),
          ],
        },
        {
          id: 'anak-5-17',
          name: { id: 'Anak usia 5 sampai di bawah 17 tahun', en: 'Child aged 5 to under 17' },
          eligibility: { minAge: 5, maxAge: 16 },
          requirements: [
            req('akta-kelahiran-anak', { id: 'Akta kelahiran anak', en: "The child's birth certificate" }),
            req('kk-orang-tua', { id: 'KK orang tua', en: "Parents' family card (KK)" }),
            ktpElOrangTua(),
            req(
              'pas-foto-2x3',
              { id: 'Dua lembar pas foto berwarna ukuran 2×3 cm', en: 'Two colour photos, 2×3 cm' },
              { staffJudged: true },
            ),
          ],
        },
      ],
      quota: noQuota(),
      active: true,
    },
    {
      id: 'pindah-datang',
      prefix: 'E',
      name: { id: 'Pindah / Datang', en: 'Moving out / in (SKPWNI)' },
      description: {
        id: 'Surat keterangan pindah (SKPWNI) bagi yang pindah keluar, dan pendaftaran bagi yang datang.',
        en: 'Moving certificate (SKPWNI) for those moving out, and registration for those moving in.',
      },
      standard: oneHour(),
      standardMinutes: 60,
      fee: 0,
      icon: 'moving',
      subcases: [
        {
          id: 'pindah',
          name: { id: 'Pindah (keluar)', en: 'Moving out' },
          requirements: [
            kk(),
            req('ktp-el-yang-pindah', { id: 'KTP-el semua yang pindah', en: 'ID cards (e-KTP) of everyone moving' }),
            req('formulir-f-1-03', { id: 'Formulir F-1.03', en: 'Form F-1.03' }),
          ],
        },
        {
          id: 'datang',
          name: { id: 'Datang (masuk)', en: 'Moving in' },
          requirements: [
            req('skpwni', {
              id: 'SKPWNI (surat keterangan pindah) dari Dukcapil daerah asal',
              en: 'SKPWNI (moving certificate) from the office of origin',
            }),
            ktpEl(),
          ],
        },
      ],
      quota: noQuota(),
      active: true,
    },
    {
      id: 'perubahan-data',
      prefix: 'F',
      name: { id: 'Perubahan Elemen Data', en: 'Correction of data' },
      description: {
        id: 'Perbaikan atau perubahan data kependudukan, misalnya nama, tanggal lahir, pendidikan, atau status perkawinan.',
        en: 'Correcting or changing population data, such as name, date of birth, education or marital status.',
      },
      standard: oneHour(),
      standardMinutes: 60,
      fee: 0,
      icon: 'edit',
      subcases: [
        {
          id: 'perubahan-elemen-data',
          name: { id: 'Perubahan elemen data', en: 'Correction of data' },
          requirements: [
            req('formulir-f-1-06', { id: 'Formulir F-1.06', en: 'Form F-1.06' }),
            req('kk-asli', { id: 'KK asli', en: 'The original family card (KK)' }),
            ktpEl(),
            req('dokumen-pendukung-asli', {
              id: 'Dokumen pendukung asli untuk data yang diubah (akta kelahiran, ijazah, akta perkawinan, putusan pengadilan, dll.)',
              en: 'The original supporting document for the changed data (birth certificate, diploma, marriage certificate, court decision, etc.)',
            }),
          ],
        },
      ],
      quota: noQuota(),
      active: true,
    },
    {
      id: 'informasi',
      prefix: 'G',
      name: { id: 'Informasi & Pengaduan', en: 'Information & complaints' },
      description: {
        id: 'Tanya jawab seputar layanan kependudukan, serta penyampaian pengaduan dan saran.',
        en: 'Questions about population services, and complaints and suggestions.',
      },
      standard: { id: 'Saat itu juga', en: 'At once' },
      fee: 0,
      icon: 'info',
      subcases: [
        {
          id: 'informasi-pengaduan',
          name: { id: 'Informasi dan pengaduan', en: 'Information and complaints' },
          requirements: [],
        },
      ],
      quota: noQuota(),
      active: true,
    },
  ];
}

function demoHours(): OpeningHours {
  const day = (): Array<[string, string]> => [['08:00', '15:00']];
  return {
    mon: day(),
    tue: day(),
    wed: day(),
    thu: day(),
    fri: [
      ['08:00', '12:00'],
      ['13:00', '15:30'],
    ],
  };
}

function demoCounters(): CounterConfig[] {
  const counter = (n: number, services: string[]): CounterConfig => ({
    id: String(n),
    name: `Loket ${n}`,
    word: 'loket',
    services,
  });
  return [
    counter(1, ['ktp-el', 'kia']),
    counter(2, ['kk', 'pindah-datang']),
    counter(3, ['akta', 'perubahan-data']),
    counter(4, ['informasi', 'ktp-el', 'kk', 'akta', 'kia', 'pindah-datang', 'perubahan-data']),
  ];
}

function demoRules(): QueueRules {
  return {
    priorityPerRegular: 2,
    reinstateWindowMinutes: 30,
    noShowAfterRecalls: 3,
    noShowAfterMinutes: 10,
    defaultServiceMinutes: 10,
    etaSampleSize: 20,
    // The demo runs at any hour.
    enforceHours: false,
  };
}

function demoOffice(id: string, name: Bilingual, shortName: string, timeZone: string): OfficeConfig {
  return {
    id,
    name,
    shortName,
    timeZone,
    hours: demoHours(),
    services: demoServices(),
    counters: demoCounters(),
    rules: demoRules(),
    complaintChannel: {
      id: 'Pengaduan: SP4N-LAPOR! di lapor.go.id, loket Informasi & Pengaduan, atau kotak saran di ruang tunggu.',
      en: 'Complaints: SP4N-LAPOR! at lapor.go.id, the Information & complaints counter, or the suggestion box in the waiting room.',
    },
    marquee: {
      id: 'Layanan ini GRATIS — tidak dipungut biaya. Silakan ambil nomor antrean dan tunggu panggilan ke loket. Laporkan setiap pungutan melalui SP4N-LAPOR!',
      en: 'This service is FREE — no fees are charged. Please take a queue number and wait to be called to a counter. Report any request for payment through SP4N-LAPOR!',
    },
    kiosk: { idleSeconds: 30 },
    waitTargetMinutes: 60,
    logo: null,
    displays: [
      { id: 'ruang-tunggu', name: 'Ruang tunggu utama', services: [], counters: [], layout: 'landscape', secondLanguage: 'en', historySize: 6, showCounterStates: true, voice: 'clips', reloadAt: '03:00' },
      { id: 'lorong', name: 'Lorong (potret)', services: [], counters: [], layout: 'portrait', secondLanguage: null, historySize: 4, showCounterStates: false, voice: 'off', reloadAt: null },
    ],
  };
}

/** Online booking of the demo office (docs/booking.md): services A–F, 14 days ahead, opening at 06:00. */
export function demoBooking(): NonNullable<OfficeConfig['booking']> {
  return {
    enabled: true,
    windowDays: 14,
    sameDay: false,
    opensAt: '06:00',
    slotMinutes: 30,
    holdSeconds: 300,
    releaseDelayMinutes: 30,
    checkInBeforeMinutes: 30,
    checkInAfterMinutes: 15,
    perNikPerWeek: 3,
    noShowBlock: { count: 3, days: 30 },
    address: 'Jl. Ahmad Yani No. 1, Kota Kupang, Nusa Tenggara Timur',
  };
}

/** Services A–F bookable, G (information) walk-in only; capacity from counters × slot ÷ 15 minutes. */
function withBooking(office: OfficeConfig): OfficeConfig {
  return {
    ...office,
    booking: demoBooking(),
    services: office.services.map((s) => ('ABCDEF'.includes(s.prefix) ? { ...s, booking: { enabled: true, places: null, serviceMinutes: 15 } } : s)),
  };
}

export function demoOffices(): OfficeConfig[] {
  return [
    withBooking(
      demoOffice(
        'kupang',
        { id: 'Dinas Kependudukan dan Pencatatan Sipil Kota Kupang', en: 'Civil Registration Office, Kupang City' },
        'Dukcapil Kota Kupang',
        'Asia/Makassar',
      ),
    ),
    demoOffice(
      'padang-panjang',
      {
        id: 'Dinas Kependudukan dan Pencatatan Sipil Kota Padang Panjang',
        en: 'Civil Registration Office, Padang Panjang City',
      },
      'Dukcapil Kota Padang Panjang',
      'Asia/Jakarta',
    ),
  ];
}
