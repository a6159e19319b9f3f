// Stable public addresses printed on tickets (QR codes): they must keep working
// across versions, so they live here, in one place.

/** Where a citizen follows a ticket on a phone: /t/<office>/<officeDay>/<number>. */
export function trackPath(officeId: string, ticketId: string): string {
  const [day, number] = ticketId.split('/');
  return `/t/${encodeURIComponent(officeId)}/${day}/${number}`;
}

/**
 * The ticket's phone address; with the holder key (server/auth/holder-key.ts)
 * it ends in `?k=KEY` and lets its holder cancel and subscribe. Without the key
 * the page is read-only (old receipts keep working).
 */
export function trackUrl(base: string, officeId: string, ticketId: string, key?: string): string {
  const url = base.replace(/\/+$/, '') + trackPath(officeId, ticketId);
  return key ? `${url}?k=${encodeURIComponent(key)}` : url;
}

/**
 * The text a citizen sends to the office's WhatsApp number to follow a ticket
 * from a chat (server/notify parseChatCode reads it back): the holder key is
 * part of it, so nobody can follow or cancel someone else's ticket.
 */
export function chatCode(officeId: string, number: string, key: string): string {
  return `ANTRE ${officeId} ${number} ${key}`;
}
