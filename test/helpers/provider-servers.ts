// Real HTTP servers on 127.0.0.1 that speak the notify providers' shapes: a
// generic webhook receiver (verifies X-Giliran-Signature, answers with the id)
// and a WhatsApp Cloud API stand-in (Bearer token, /{phone-id}/messages, wamid
// answers). Both record every request, can fail on demand (a status, a
// Retry-After, garbage, or no answer at all) and can call Giliran back with
// signed receipts the way the real providers do.
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  body: any;
  /** The request's signature header checked against the shared secret (webhook), or the Bearer token (Cloud API). */
  authentic: boolean;
}

/** What the server does with one request: answer normally, fail with a status, send garbage, or never answer. */
export type Behaviour = { status: number; headers?: Record<string, string>; body?: string } | 'garbage' | 'hang';

export function hmacHex(secret: string, raw: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

abstract class RecordingServer extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  #script: Behaviour[] = [];
  #hangAll = false;
  #hanging = new Set<ServerResponse>();
  protected server!: Server;
  url = '';

  protected async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let body: unknown = null;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = raw.toString('utf8');
        }
        const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body, authentic: this.authentic(req, raw) };
        this.requests.push(rec);
        this.emit('request', rec);
        const behaviour = this.#hangAll ? 'hang' : (this.#script.shift() ?? null);
        if (behaviour === 'hang') {
          this.#hanging.add(res);
          res.on('close', () => this.#hanging.delete(res));
          return;
        }
        if (behaviour === 'garbage') {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Selamat datang di Wi-Fi kantor</body></html>');
          return;
        }
        if (behaviour) {
          res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers }).end(behaviour.body ?? '{"error":"scripted"}');
          return;
        }
        if (!rec.authentic) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
          return;
        }
        const answer = this.answer(rec);
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  protected abstract authentic(req: IncomingMessage, raw: Buffer): boolean;
  protected abstract answer(rec: RecordedRequest): { status: number; body: unknown };

  /** The next requests get these behaviours, one each, then normal answers again. */
  script(...behaviours: Behaviour[]): void {
    this.#script.push(...behaviours);
  }

  /** Every request from now on is taken and never answered (until `hang(false)`). */
  hang(on = true): void {
    this.#hangAll = on;
  }

  /** Resolves once `n` requests in all have arrived (matching `filter` when given). */
  waitForRequests(n: number, filter: (r: RecordedRequest) => boolean = () => true, timeoutMs = 15_000): Promise<RecordedRequest[]> {
    const matching = () => this.requests.filter(filter);
    if (matching().length >= n) return Promise.resolve(matching());
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('request', on);
        reject(new Error(`timed out waiting for ${n} requests (have ${matching().length})`));
      }, timeoutMs);
      const on = () => {
        if (matching().length >= n) {
          clearTimeout(t);
          this.off('request', on);
          resolve(matching());
        }
      };
      this.on('request', on);
    });
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** The generic JSON webhook provider (an SMS / WhatsApp gateway that speaks Giliran's shape). */
export class WebhookReceiver extends RecordingServer {
  #n = 0;
  private constructor(readonly secret: string) {
    super();
  }

  static async start(secret: string): Promise<WebhookReceiver> {
    const r = new WebhookReceiver(secret);
    await r.listen();
    return r;
  }

  get hookUrl(): string {
    return `${this.url}/hook`;
  }

  protected authentic(req: IncomingMessage, raw: Buffer): boolean {
    return req.headers['x-giliran-signature'] === hmacHex(this.secret, raw);
  }

  protected answer(rec: RecordedRequest): { status: number; body: unknown } {
    return { status: 200, body: { id: (rec.body as { id?: string }).id, providerId: `gw-${++this.#n}` } };
  }

  /** Message ids received, in order (repeats included). */
  ids(): string[] {
    return this.requests.map((r) => (r.body as { id?: string }).id ?? '');
  }

  /** Calls Giliran's receipt endpoint as the provider does; `secret: null` sends it unsigned, a string signs with that secret. */
  async sendReceipt(giliranUrl: string, body: unknown, opts: { secret?: string | null } = {}): Promise<Response> {
    const raw = JSON.stringify(body);
    const secret = opts.secret === undefined ? this.secret : opts.secret;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) headers['x-giliran-signature'] = hmacHex(secret, raw);
    return fetch(`${giliranUrl}/api/v1/notify/webhook/receipt`, { method: 'POST', headers, body: raw });
  }
}

/** A stand-in of the WhatsApp Cloud API (Graph): POST /{version}/{phone-number-id}/messages. */
export class WhatsAppCloudStandIn extends RecordingServer {
  #n = 0;
  private constructor(
    readonly token: string,
    readonly appSecret: string,
    readonly phoneId: string,
  ) {
    super();
  }

  static async start(opts: { token: string; appSecret: string; phoneId: string }): Promise<WhatsAppCloudStandIn> {
    const s = new WhatsAppCloudStandIn(opts.token, opts.appSecret, opts.phoneId);
    await s.listen();
    return s;
  }

  /** What GILIRAN_WHATSAPP_API_URL points at. */
  get apiUrl(): string {
    return `${this.url}/v21.0`;
  }

  protected authentic(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${this.token}` && req.url === `/v21.0/${this.phoneId}/messages`;
  }

  protected answer(rec: RecordedRequest): { status: number; body: unknown } {
    const b = rec.body as { messaging_product?: string; to?: string };
    if (b.messaging_product !== 'whatsapp' || typeof b.to !== 'string') return { status: 400, body: { error: { message: 'bad request', code: 100 } } };
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: b.to, wa_id: b.to }], messages: [{ id: `wamid.TEST${++this.#n}` }] } };
  }

  /** The wamid answered for the i-th accepted send (1-based). */
  wamidOf(i: number): string {
    return `wamid.TEST${i}`;
  }

  async #post(giliranUrl: string, value: Record<string, unknown>, secret: string | null): Promise<Response> {
    const raw = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: this.phoneId, display_phone_number: '6281100000000' }, ...value } }] }],
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) headers['x-hub-signature-256'] = hmacHex(secret, raw);
    return fetch(`${giliranUrl}/api/v1/notify/whatsapp`, { method: 'POST', headers, body: raw });
  }

  /** A status webhook, as the Cloud API sends after a message was delivered (or read, or failed). */
  sendStatus(giliranUrl: string, s: { wamid: string; status: 'sent' | 'delivered' | 'read' | 'failed'; recipient: string; callbackData?: string }, opts: { secret?: string | null } = {}): Promise<Response> {
    const status = { id: s.wamid, status: s.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: s.recipient, ...(s.callbackData ? { biz_opaque_callback_data: s.callbackData } : {}) };
    return this.#post(giliranUrl, { statuses: [status] }, opts.secret === undefined ? this.appSecret : opts.secret);
  }

  /** A message a citizen typed into WhatsApp. */
  sendInbound(giliranUrl: string, from: string, text: string, opts: { secret?: string | null; id?: string } = {}): Promise<Response> {
    const message = { from, id: opts.id ?? `wamid.IN${Date.now()}${Math.random().toString(36).slice(2, 6)}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } };
    return this.#post(giliranUrl, { contacts: [{ profile: { name: 'Warga' }, wa_id: from }], messages: [message] }, opts.secret === undefined ? this.appSecret : opts.secret);
  }
}
