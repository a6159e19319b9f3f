// Indonesian mobile numbers: whatever a citizen types (0812-3456-7890,
// 62 812…, +62 812…) to E.164 (+62812…), and the only part ever shown.

/** E.164 of an Indonesian mobile number, or null when it is not one. Mobile numbers start 08 (+628) and have 9–12 digits after the 0. */
export function normalizeIndonesianPhone(input: string): string | null {
  const compact = input.trim().replace(/[\s.\-()]/g, '');
  let national: string;
  if (/^\+62\d+$/.test(compact)) national = compact.slice(3);
  else if (/^62\d+$/.test(compact)) national = compact.slice(2);
  else if (/^0\d+$/.test(compact)) national = compact.slice(1);
  else return null;
  if (!/^8\d{8,11}$/.test(national)) return null;
  return `+62${national}`;
}

/** The last four digits: all a screen, a log or an answer may show of a number. */
export function last4(e164: string): string {
  return e164.slice(-4);
}
