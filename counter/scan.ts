// What a scanned code (or a typed one) names: a ticket number ("A001"), a
// ticket id ("2026-11-23/A001") or a tracking URL ending in
// /t/<office>/<day>/<number> (protocol/urls.ts).

export interface TicketRef {
  number: string;
  /** Office day, when the code carries one. */
  day: string | null;
  /** Office id, when the code is a tracking URL. */
  office: string | null;
}

const NUMBER = '([A-Za-z]\\d{3,4})';
const DAY = '(\\d{4}-\\d{2}-\\d{2})';
const URL_RE = new RegExp(`/t/([^/?#]+)/${DAY}/${NUMBER}/?(?:[?#].*)?$`);
const ID_RE = new RegExp(`^${DAY}/${NUMBER}$`);
const NUMBER_RE = new RegExp(`^${NUMBER}$`);

export function parseTicketCode(code: string): TicketRef | null {
  const s = code.trim();
  let m = URL_RE.exec(s);
  if (m) return { office: decodeURIComponent(m[1]!), day: m[2]!, number: m[3]!.toUpperCase() };
  m = ID_RE.exec(s);
  if (m) return { office: null, day: m[1]!, number: m[2]!.toUpperCase() };
  m = NUMBER_RE.exec(s);
  if (m) return { office: null, day: null, number: m[1]!.toUpperCase() };
  return null;
}

/** The reference commands take: the number for today, else the full id. */
export function commandRef(ref: TicketRef, officeDay: string): string {
  return ref.day === null || ref.day === officeDay ? ref.number : `${ref.day}/${ref.number}`;
}
