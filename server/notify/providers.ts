// The channels' senders: Web Push (VAPID, aes128gcm, via web-push), a generic
// signed JSON webhook (WhatsApp and SMS gateways) and the WhatsApp Cloud API.
// Each answers one question: taken, retry (when), or failed for good. The
// outbox (notify-service.ts) does the retrying; a sender never loops.
// `web-push` loads on the first push sent (or VAPID pair made), not at start-up (test/server/service-start.test.ts).
import type webpush from 'web-push';

let webpushModule: Promise<typeof webpush> | null = null;
const loadWebpush = (): Promise<typeof webpush> => (webpushModule ??= import('web-push').then((m) => m.default));
import type { PushPayload, PushSubscriptionJSON } from '../../protocol/notify.ts';
import { signBody } from './signature.ts';

export interface OutgoingMessage {
  id: string;
  channel: 'push' | 'whatsapp' | 'sms';
  kind: 'near' | 'called' | 'day-before' | 'hour-before' | 'blocked' | 'complaint';
  officeId: string;
  ticketId: string;
  number: string;
  text: string;
  payload: PushPayload;
  /** E.164 (whatsapp, sms). */
  to?: string;
  /** The citizen started a WhatsApp chat: free text is allowed (24-hour window). */
  chat?: boolean;
  push?: PushSubscriptionJSON;
}

export type SendOutcome =
  | { ok: true; providerId?: string }
  | { ok: false; retry: true; afterMs?: number; reason: string }
  | { ok: false; retry: false; reason: string; gone?: boolean };

export interface Sender {
  send(m: OutgoingMessage): Promise<SendOutcome>;
}

/** Retry-After in ms (seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now(), capMs = 3_600_000): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Math.min(Number(s) * 1000, capMs);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.min(Math.max(0, t - now), capMs);
}

/** 2xx → taken (the caller checks the body); 429 honours Retry-After; 408, 5xx → retry; other 4xx → failed for good. */
function classify(res: Response, what: string): SendOutcome | null {
  if (res.status >= 200 && res.status < 300) return null;
  if (res.status === 429) {
    const afterMs = retryAfterMs(res.headers.get('retry-after'));
    return { ok: false, retry: true, reason: `${what} 429`, ...(afterMs !== undefined ? { afterMs } : {}) };
  }
  if (res.status === 408 || res.status >= 500) return { ok: false, retry: true, reason: `${what} ${res.status}` };
  return { ok: false, retry: false, reason: `${what} ${res.status}`, gone: res.status === 404 || res.status === 410 };
}

async function post(url: string, init: RequestInit, timeoutMs: number, what: string): Promise<{ res: Response; text: string } | SendOutcome> {
  try {
    const res = await fetch(url, { ...init, method: 'POST', redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    // Reading the body is inside the timeout too: a provider that sends headers and then stalls is a timeout.
    const text = await res.text();
    return { res, text };
  } catch (err) {
    const e = err as Error;
    return { ok: false, retry: true, reason: e.name === 'TimeoutError' ? `${what} timed out` : `${what} unreachable (${e.name})` };
  }
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------

export interface WebhookConfig {
  url: string;
  secret: string;
  timeoutMs: number;
}

/**
 * The generic webhook: POST {url} with `{ id, channel, to, text, kind, office, ticket, number, createdAt }`,
 * headers `X-Giliran-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>` and `Idempotency-Key: <id>`.
 * The provider answers 2xx with JSON `{ "id": "<the same id>", "providerId"?: "…" }`; a 2xx without
 * that (an HTML page of a captive portal, a proxy) is not taken and is retried.
 */
export class WebhookSender implements Sender {
  constructor(private readonly cfg: WebhookConfig) {}

  async send(m: OutgoingMessage): Promise<SendOutcome> {
    const body = JSON.stringify({ id: m.id, channel: m.channel, to: m.to, text: m.text, kind: m.kind, office: m.officeId, ticket: m.ticketId, number: m.number });
    const got = await post(this.cfg.url, { headers: { 'content-type': 'application/json', 'X-Giliran-Signature': signBody(this.cfg.secret, body), 'Idempotency-Key': m.id }, body }, this.cfg.timeoutMs, 'webhook');
    if (!('res' in got)) return got;
    const bad = classify(got.res, 'webhook');
    if (bad) return bad;
    const answer = jsonOf(got.text) as { id?: unknown; providerId?: unknown } | undefined;
    if (!answer || typeof answer !== 'object' || answer.id !== m.id) return { ok: false, retry: true, reason: 'webhook answered 2xx without the message id' };
    return { ok: true, ...(typeof answer.providerId === 'string' ? { providerId: answer.providerId.slice(0, 256) } : {}) };
  }
}

// ---------------------------------------------------------------------------

export interface WhatsAppConfig {
  apiUrl: string;
  phoneId: string;
  token: string;
  /** "name:language" of an approved template with body parameters {{1}} number, {{2}} text. */
  template?: string;
  timeoutMs: number;
}

/**
 * WhatsApp Cloud API: POST {apiUrl}/{phoneId}/messages, Bearer token. A chat the citizen started
 * gets free text; an alert to a number given on the page uses the template when one is set
 * (WhatsApp only lets a business start a conversation with a template). Our message id goes in
 * `biz_opaque_callback_data`, which the Cloud API returns in its status webhooks.
 */
export class WhatsAppCloudSender implements Sender {
  constructor(private readonly cfg: WhatsAppConfig) {}

  async send(m: OutgoingMessage): Promise<SendOutcome> {
    if (!m.to) return { ok: false, retry: false, reason: 'no number' };
    const to = m.to.replace(/^\+/, '');
    const [name, language] = this.cfg.template?.split(':') ?? [];
    const message =
      !m.chat && name && language
        ? { type: 'template', template: { name, language: { code: language }, components: [{ type: 'body', parameters: [{ type: 'text', text: m.number }, { type: 'text', text: m.text.replace(/\n/g, ' ') }] }] } }
        : { type: 'text', text: { preview_url: false, body: m.text } };
    const body = JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, ...message, biz_opaque_callback_data: m.id });
    const url = `${this.cfg.apiUrl.replace(/\/+$/, '')}/${encodeURIComponent(this.cfg.phoneId)}/messages`;
    const got = await post(url, { headers: { 'content-type': 'application/json', authorization: `Bearer ${this.cfg.token}` }, body }, this.cfg.timeoutMs, 'whatsapp');
    if (!('res' in got)) return got;
    const bad = classify(got.res, 'whatsapp');
    if (bad) return bad;
    const answer = jsonOf(got.text) as { messages?: Array<{ id?: unknown }> } | undefined;
    const wamid = answer?.messages?.[0]?.id;
    if (typeof wamid !== 'string') return { ok: false, retry: true, reason: 'whatsapp answered 2xx without a message id' };
    return { ok: true, providerId: wamid.slice(0, 256) };
  }
}

// ---------------------------------------------------------------------------

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushConfig {
  vapid: VapidKeys;
  subject: string;
  timeoutMs: number;
  /** Hosts a subscription's endpoint may have ("." prefix: that domain's subdomains). */
  allowedHosts: readonly string[];
}

export function endpointAllowed(endpoint: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const host = url.hostname.toLowerCase();
  return allowed.some((a) => {
    const rule = a.toLowerCase();
    const hostOk = rule.startsWith('.') ? host.endsWith(rule) && host.length > rule.length : host === rule.split(':')[0];
    if (!hostOk) return false;
    // A rule naming a port (a local test receiver, "127.0.0.1:4321") allows plain HTTP to that port only.
    const port = rule.startsWith('.') ? undefined : rule.split(':')[1];
    if (port !== undefined) return url.port === port;
    return url.protocol === 'https:';
  });
}

/** Web Push (RFC 8030) with VAPID (RFC 8292) and an aes128gcm payload (RFC 8291), built by web-push and sent with fetch. */
export class PushSender implements Sender {
  constructor(private readonly cfg: PushConfig) {}

  async send(m: OutgoingMessage): Promise<SendOutcome> {
    const sub = m.push;
    if (!sub) return { ok: false, retry: false, reason: 'no push subscription' };
    if (!endpointAllowed(sub.endpoint, this.cfg.allowedHosts)) return { ok: false, retry: false, reason: 'push endpoint not allowed' };
    const wp = await loadWebpush();
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = wp.generateRequestDetails({ endpoint: sub.endpoint, keys: sub.keys }, JSON.stringify(m.payload), {
        vapidDetails: { subject: this.cfg.subject, publicKey: this.cfg.vapid.publicKey, privateKey: this.cfg.vapid.privateKey },
        TTL: m.kind === 'called' ? 600 : 1800,
        contentEncoding: 'aes128gcm',
        urgency: 'high',
      });
    } catch {
      return { ok: false, retry: false, reason: 'push subscription keys unusable' };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(details.headers)) headers[k] = String(v);
    const got = await post(details.endpoint, { headers, body: details.body ? new Uint8Array(details.body) : null }, this.cfg.timeoutMs, 'push');
    if (!('res' in got)) return got;
    const bad = classify(got.res, 'push');
    if (bad) return bad;
    const location = got.res.headers.get('location');
    return { ok: true, ...(location ? { providerId: location.slice(0, 256) } : {}) };
  }
}

export async function generateVapidKeys(): Promise<VapidKeys> {
  return (await loadWebpush()).generateVAPIDKeys();
}
