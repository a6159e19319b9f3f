// The IKM rules (PermenPANRB 14/2017) checked against figures worked out by
// hand, the Krejcie–Morgan table against its formula, the survey's one
// answer per served ticket, and the complaint rules.
import { describe, expect, it } from 'vitest';
import { changeComplaint, codeFrom, complaintsCsv, contactExpired, isOverdue, newComplaint, publicView, staffView, withoutContact } from '../../server/domain/complaints.ts';
import { gradeOf, ikmOf, ikmReportOf, KREJCIE_MORGAN, requiredSample, type SurveyAnswerRecord } from '../../server/domain/ikm.ts';
import { kupang, Sim } from '../helpers/domain.ts';

describe('the IKM of a set of answers', () => {
  it('equals the figure worked out by hand from the formula', () => {
    // Four respondents, nine elements (U1…U9):
    const answers = [
      [4, 3, 3, 4, 3, 4, 4, 3, 2],
      [3, 3, 2, 4, 3, 3, 4, 3, 3],
      [4, 4, 3, 4, 4, 4, 3, 2, 3],
      [3, 2, 2, 4, 3, 3, 4, 3, 3],
    ];
    // Element sums: U1 14, U2 12, U3 10, U4 16, U5 13, U6 14, U7 15, U8 11, U9 11.
    // Means (÷4):  3.5, 3.0, 2.5, 4.0, 3.25, 3.5, 3.75, 2.75, 2.75.
    // Sum of means = 29.0; weighted (×1/9) = 29/9 = 3.2222…; ×25 = 80.5555… → 80.56.
    // 76.61 ≤ 80.56 ≤ 88.30: grade B (Baik).
    const r = ikmOf(answers);
    expect(r.respondents).toBe(4);
    expect(r.elementMeans).toEqual([3.5, 3, 2.5, 4, 3.25, 3.5, 3.75, 2.75, 2.75]);
    expect(r.weighted).toBeCloseTo(29 / 9, 12);
    expect(r.index).toBe(80.56);
    expect(r.grade).toBe('B');
    expect(r.gradeName).toEqual({ id: 'Baik', en: 'Good' });
  });

  it('spans 25 (every answer 1) to 100 (every answer 4); no answers gives no index', () => {
    expect(ikmOf([Array(9).fill(1)]).index).toBe(25);
    expect(ikmOf([Array(9).fill(4)]).index).toBe(100);
    expect(ikmOf([Array(9).fill(4)]).grade).toBe('A');
    expect(ikmOf([Array(9).fill(1)]).grade).toBe('D');
    expect(ikmOf([])).toMatchObject({ respondents: 0, index: null, grade: null });
  });

  it('grades at the regulation\'s boundaries', () => {
    expect(gradeOf(88.31).grade).toBe('A');
    expect(gradeOf(88.3).grade).toBe('B');
    expect(gradeOf(76.61).grade).toBe('B');
    expect(gradeOf(76.6).grade).toBe('C');
    expect(gradeOf(65).grade).toBe('C');
    expect(gradeOf(64.99).grade).toBe('D');
    expect(gradeOf(25).grade).toBe('D');
    // Rounded to two decimals first, as printed: 88.305 prints as 88.31 (A).
    expect(gradeOf(88.305).grade).toBe('A');
  });

  it('reports per service and counter, warns when the sample is short, counts the respondents\' profile', () => {
    const a = (serviceId: string, counterId: string, s: number, extra: Partial<SurveyAnswerRecord> = {}): SurveyAnswerRecord => ({ at: '2026-11-23T02:00:00.000Z', serviceId, counterId, scores: Array(9).fill(s), respondent: null, comment: null, ...extra });
    const answers = [a('ktp-el', '1', 4, { respondent: { sex: 'p', ageGroup: '30-39' } }), a('ktp-el', '2', 3, { comment: 'Cepat' }), a('kk', '2', 2, { respondent: { sex: 'l' } })];
    const r = ikmReportOf(answers, 120);
    expect(r.requiredSample).toBe(92);
    expect(r.sampleShort).toBe(true);
    expect(r.overall.index).toBe(75); // means all 3 → 3 × 25
    expect(r.services.map((g) => [g.key, g.respondents, g.index])).toEqual([['kk', 1, 50], ['ktp-el', 2, 87.5]]);
    expect(r.counters.map((g) => [g.key, g.index])).toEqual([['1', 100], ['2', 62.5]]);
    expect(r.comments).toEqual([{ at: '2026-11-23T02:00:00.000Z', serviceId: 'ktp-el', text: 'Cepat' }]);
    expect(r.respondentProfile).toEqual({ sex: { p: 1, l: 1 }, ageGroup: { '30-39': 1 } });
    expect(ikmReportOf(answers, 3).sampleShort).toBe(false);
  });
});

describe('the minimum sample (Krejcie & Morgan 1970)', () => {
  it('holds the table in order, each row within one of the formula s = χ²NP(1−P) / (d²(N−1) + χ²P(1−P))', () => {
    for (let i = 1; i < KREJCIE_MORGAN.length; i++) expect(KREJCIE_MORGAN[i]![0]).toBeGreaterThan(KREJCIE_MORGAN[i - 1]![0]);
    for (const [n, s] of KREJCIE_MORGAN) {
      const formula = (3.841 * n * 0.25) / (0.0025 * (n - 1) + 3.841 * 0.25);
      expect(Math.abs(formula - s), `N=${n}`).toBeLessThanOrEqual(1);
    }
  });

  it('takes the row at or above the visitors (the safe side), everyone under 10, 384 at most', () => {
    expect(requiredSample(0)).toBe(0);
    expect(requiredSample(7)).toBe(7);
    expect(requiredSample(100)).toBe(80);
    expect(requiredSample(101)).toBe(86);
    expect(requiredSample(3000)).toBe(341);
    expect(requiredSample(90_000)).toBe(384);
    expect(requiredSample(5_000_000)).toBe(384);
  });
});

describe('answer_survey', () => {
  const SCORES = [4, 4, 3, 4, 3, 4, 4, 3, 3];
  function finished(): Sim {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    s.callNext('1');
    s.ok({ type: 'finish', counterId: '1', outcome: 'done' });
    return s;
  }

  it('records the answer with the service and the counter that finished the ticket, once', () => {
    const s = finished();
    const commit = s.ok({ type: 'answer_survey', ticket: 'A001', scores: SCORES, respondent: { sex: 'p' }, comment: 'Ramah' });
    expect(commit.events).toEqual([expect.objectContaining({ type: 'survey_answered', ticketId: `${s.state.officeDay}/A001`, serviceId: 'ktp-el', counterId: '1', scores: SCORES, respondent: { sex: 'p' }, comment: 'Ramah' })]);
    expect(s.err({ type: 'answer_survey', ticket: 'A001', scores: SCORES })).toBe('survey_already_answered');
  });

  it('refuses a ticket not served to the end (waiting, cancelled, no-show)', () => {
    const s = new Sim(kupang());
    s.issue('ktp-el');
    expect(s.err({ type: 'answer_survey', ticket: 'A001', scores: SCORES })).toBe('survey_not_open');
    s.ok({ type: 'cancel', ticket: 'A001', reason: 'batal' });
    expect(s.err({ type: 'answer_survey', ticket: 'A001', scores: SCORES })).toBe('survey_not_open');
  });
});

describe('complaint rules', () => {
  const office = { ...kupang(), complaints: { answerDays: 3, eraseContactDays: 10 } };
  const now = new Date('2026-11-23T02:00:00.000Z');
  const lead = { id: 'supervisor', name: 'Kepala Seksi' };
  const base = () => newComplaint(office, { channel: 'phone', category: 'waktu', text: 'Antre terlalu lama', ticketId: '2026-11-23/A001', contact: { phone: '+6281234567890' }, recordedBy: null }, { id: 'c1', code: 'ABCD-2345' }, now);

  it('is due answerDays after filing and overdue after that until closed', () => {
    const c = base();
    expect(c.dueAt).toBe('2026-11-26T02:00:00.000Z');
    expect(isOverdue(c, new Date('2026-11-26T01:59:59Z'))).toBe(false);
    expect(isOverdue(c, new Date('2026-11-26T02:00:01Z'))).toBe(true);
    const closed = changeComplaint(c, { status: 'selesai' }, lead, now);
    expect(typeof closed !== 'string' && isOverdue(closed, new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });

  it('moves forward only; an answer to a new complaint puts it in progress; a closed one takes only its LAPOR! reference', () => {
    const answered = changeComplaint(base(), { response: 'Kami tambah loket.' }, lead, now);
    if (typeof answered === 'string') throw new Error(answered);
    expect(answered.status).toBe('diproses');
    expect(answered.responses).toEqual([{ at: now.toISOString(), by: lead, text: 'Kami tambah loket.' }]);
    expect(changeComplaint(answered, { status: 'baru' }, lead, now)).toBe('complaint_status_invalid');
    const closed = changeComplaint(answered, { status: 'selesai' }, lead, now);
    if (typeof closed === 'string') throw new Error(closed);
    expect(closed.closedAt).toBe(now.toISOString());
    expect(changeComplaint(closed, { response: 'lagi' }, lead, now)).toBe('complaint_closed');
    const ref = changeComplaint(closed, { laporRef: 'LAPOR-2026/123' }, lead, now);
    expect(typeof ref !== 'string' && ref.laporRef).toBe('LAPOR-2026/123');
  });

  it('erases the contact eraseContactDays after closing, not before and never while open', () => {
    const open = base();
    expect(contactExpired(open, office.complaints, new Date('2030-01-01T00:00:00Z'))).toBe(false);
    const closed = changeComplaint(open, { status: 'selesai' }, lead, now);
    if (typeof closed === 'string') throw new Error(closed);
    expect(contactExpired(closed, office.complaints, new Date('2026-12-03T01:59:00Z'))).toBe(false);
    expect(contactExpired(closed, office.complaints, new Date('2026-12-03T02:00:00Z'))).toBe(true);
    const erased = withoutContact(closed, now);
    expect(erased.contact).toBeNull();
    expect(contactExpired(erased, office.complaints, new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });

  it('shows staff the last four digits only, the citizen no contact, and exports no contact', () => {
    const c = base();
    expect(staffView(c, now).contact).toEqual({ phoneLast4: '7890' });
    expect(JSON.stringify(staffView(c, now))).not.toContain('81234567890');
    expect(JSON.stringify(publicView(c))).not.toContain('7890');
    const csv = complaintsCsv([{ ...c, text: '=HYPERLINK("http://x")' }]);
    expect(csv).not.toContain('81234567890');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
  });

  it('makes codes from the unambiguous alphabet', () => {
    const code = codeFrom(new Uint8Array([0, 1, 2, 3, 250, 251, 252, 253]));
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(code).not.toMatch(/[01OIL]/);
  });
});
