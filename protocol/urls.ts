// Stable public addresses printed on tickets (QR codes): they must keep working
// across versions, so they live here, in one place.

/** Where a citizen follows a ticket on a phone: /t/<office>/<officeDay>/<number>. */
export function trackPath(officeId: string, ticketId: string): string {
  const [day, number] = ticketId.split('/');
  return `/t/${encodeURIComponent(officeId)}/${day}/${number}`;
}

export function trackUrl(base: string, officeId: string, ticketId: string): string {
  return base.replace(/\/+$/, '') + trackPath(officeId, ticketId);
}
