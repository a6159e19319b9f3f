// The IKM survey's questions and answer words (PermenPANRB 14/2017; DOMAIN.md)
// and the text rules every citizen text field shares, as plain data: the
// survey page, the phone page and the server read the same lists. No zod
// here, so pages that import it stay small.

export interface Bi {
  id: string;
  en: string;
}

/** The nine elements of PermenPANRB 14/2017, in the regulation's order (U1…U9). */
export const SURVEY_ELEMENTS = [
  { id: 'persyaratan', name: { id: 'Persyaratan', en: 'Requirements' }, question: { id: 'Apakah persyaratan pelayanan sesuai dengan jenis layanannya?', en: 'Do the requirements fit the service?' } },
  { id: 'prosedur', name: { id: 'Sistem, mekanisme dan prosedur', en: 'System and procedure' }, question: { id: 'Apakah prosedur pelayanan mudah?', en: 'Was the procedure easy?' } },
  { id: 'waktu', name: { id: 'Waktu penyelesaian', en: 'Completion time' }, question: { id: 'Apakah pelayanan selesai dengan cepat?', en: 'Was the service quick?' } },
  { id: 'biaya', name: { id: 'Biaya/tarif', en: 'Fee' }, question: { id: 'Apakah biaya pelayanan wajar? (Layanan ini gratis.)', en: 'Was the fee fair? (This service is free.)' } },
  { id: 'produk', name: { id: 'Produk spesifikasi jenis pelayanan', en: 'Product of the service' }, question: { id: 'Apakah hasil pelayanan sesuai dengan standar pelayanan?', en: 'Did you get what the service standard promises?' } },
  { id: 'kompetensi', name: { id: 'Kompetensi pelaksana', en: 'Staff competence' }, question: { id: 'Apakah petugas mampu melayani dengan baik?', en: 'Were the staff able to serve you well?' } },
  { id: 'perilaku', name: { id: 'Perilaku pelaksana', en: 'Staff conduct' }, question: { id: 'Apakah petugas sopan dan ramah?', en: 'Were the staff polite and friendly?' } },
  { id: 'pengaduan', name: { id: 'Penanganan pengaduan, saran dan masukan', en: 'Complaint handling' }, question: { id: 'Apakah pengaduan dan saran ditangani dengan baik?', en: 'Are complaints and suggestions handled well?' } },
  { id: 'sarana', name: { id: 'Sarana dan prasarana', en: 'Facilities' }, question: { id: 'Bagaimana kualitas sarana dan prasarana?', en: 'How good are the facilities?' } },
] as const satisfies readonly { id: string; name: Bi; question: Bi }[];

export const SURVEY_ELEMENT_COUNT = 9;
export type SurveyElementId = (typeof SURVEY_ELEMENTS)[number]['id'];

/** The four answers of every element, 1 (worst) … 4 (best), each with a word (the form draws a face for each). */
export const SCORE_WORDS: readonly { score: 1 | 2 | 3 | 4; word: Bi }[] = [
  { score: 1, word: { id: 'Tidak baik', en: 'Poor' } },
  { score: 2, word: { id: 'Kurang baik', en: 'Fair' } },
  { score: 3, word: { id: 'Baik', en: 'Good' } },
  { score: 4, word: { id: 'Sangat baik', en: 'Very good' } },
];

/** Respondent characteristics the regulation asks for; each optional. */
export const RESPONDENT_OPTIONS = {
  ageGroup: [
    { id: 'lt20', label: { id: '< 20 tahun', en: 'under 20' } },
    { id: '20-29', label: { id: '20–29 tahun', en: '20–29' } },
    { id: '30-39', label: { id: '30–39 tahun', en: '30–39' } },
    { id: '40-49', label: { id: '40–49 tahun', en: '40–49' } },
    { id: '50-59', label: { id: '50–59 tahun', en: '50–59' } },
    { id: '60+', label: { id: '60 tahun ke atas', en: '60 and over' } },
  ],
  sex: [
    { id: 'l', label: { id: 'Laki-laki', en: 'Male' } },
    { id: 'p', label: { id: 'Perempuan', en: 'Female' } },
  ],
  education: [
    { id: 'sd', label: { id: 'SD ke bawah', en: 'Primary or less' } },
    { id: 'smp', label: { id: 'SMP', en: 'Junior high' } },
    { id: 'sma', label: { id: 'SMA/SMK', en: 'Senior high' } },
    { id: 'd3', label: { id: 'D1–D3', en: 'Diploma' } },
    { id: 's1', label: { id: 'D4/S1', en: "Bachelor's" } },
    { id: 's2', label: { id: 'S2 ke atas', en: "Master's or higher" } },
  ],
  occupation: [
    { id: 'pns', label: { id: 'PNS/ASN', en: 'Civil servant' } },
    { id: 'tni-polri', label: { id: 'TNI/Polri', en: 'Military/police' } },
    { id: 'swasta', label: { id: 'Pegawai swasta', en: 'Private employee' } },
    { id: 'wirausaha', label: { id: 'Wirausaha', en: 'Self-employed' } },
    { id: 'pelajar', label: { id: 'Pelajar/Mahasiswa', en: 'Student' } },
    { id: 'lainnya', label: { id: 'Lainnya', en: 'Other' } },
  ],
} as const;

export type RespondentField = keyof typeof RESPONDENT_OPTIONS;
export const RESPONDENT_FIELDS = Object.keys(RESPONDENT_OPTIONS) as RespondentField[];
export const RESPONDENT_FIELD_NAMES: Record<RespondentField, Bi> = {
  ageGroup: { id: 'Usia', en: 'Age' },
  sex: { id: 'Jenis kelamin', en: 'Sex' },
  education: { id: 'Pendidikan', en: 'Education' },
  occupation: { id: 'Pekerjaan', en: 'Occupation' },
};

/** Longest survey comment, characters. */
export const SURVEY_COMMENT_MAX = 500;

/**
 * Markup in a citizen's text (a tag, a script URL, an inline handler): refused
 * at the boundary rather than stored and escaped later. Plain "<" or ">"
 * (e.g. "antre > 2 jam") is fine: only something a browser would read as a
 * tag or a script is not.
 */
export function hasMarkup(text: string): boolean {
  return /<\s*\/?\s*[a-z!?]/i.test(text) || /javascript\s*:/i.test(text) || /\bon[a-z]+\s*=/i.test(text) || /&#x?[0-9a-f]+;?/i.test(text);
}

/** The message of the markup refusal (zod custom issues carry it; server/validation.ts reads `params.id`). */
export const MARKUP_MESSAGE: Bi = { id: 'teks tidak boleh berisi kode atau tag HTML', en: 'text must not contain code or HTML tags' };
