// Alerts to citizens (contract C4): what a ticket's holder asks for
// ("tell me when N are ahead", and always at the call), what was sent, the push
// payload, and the provider callbacks the server accepts. zod schemas are the
// one source: types by z.infer, REST bodies, OpenAPI. Pages import the types
// only (`import type`), so zod stays out of their bundles.
import { z } from 'zod';
import { notifyStatusSchema as trackNotifyStatusSchema } from './track-schemas.ts';

export const NOTIFY_CHANNELS = ['page', 'push', 'whatsapp', 'sms'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
export const PHONE_CHANNELS = ['whatsapp', 'sms'] as const;
export type PhoneChannel = (typeof PHONE_CHANNELS)[number];
export const NOTIFY_KINDS = ['near', 'called'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];
export const DELIVERY_STATUSES = ['sent', 'delivered', 'failed'] as const;

export const DEFAULT_THRESHOLD = 3;
export const MAX_THRESHOLD = 20;

const instant = z.string().meta({ format: 'date-time' });
const b64url = (min: number, max: number) => z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+=*$/, 'base64url');

export const notifyChannelSchema = z.enum(NOTIFY_CHANNELS);

/** What a browser's `PushSubscription.toJSON()` gives. */
export const pushSubscriptionSchema = z
  .object({
    endpoint: z.url({ protocol: /^https?$/ }).max(2048).describe("The push service's address for this browser (https; only the push services the server allows)."),
    expirationTime: z.number().nullable().optional(),
    keys: z.strictObject({
      p256dh: b64url(86, 90).describe("The browser's P-256 public key (65 bytes, base64url)."),
      auth: b64url(22, 24).describe('The 16-byte auth secret (base64url).'),
    }),
  })
  .meta({ id: 'PushSubscriptionJSON', description: "A browser's push subscription, as PushSubscription.toJSON() gives it." });

export const phoneInputSchema = z
  .strictObject({
    number: z.string().min(1).max(32).describe('An Indonesian mobile number: 0812…, 62812… or +62812… (spaces, dots and dashes allowed). Stored for today only, never shown whole.'),
    channel: z.enum(PHONE_CHANNELS),
    consent: z.literal(true).describe('The citizen agreed to be messaged on this number today. Required.'),
  })
  .meta({ id: 'PhoneInput' });

const holderKey = z.string().min(1).max(64).describe("The holder key from the ticket's QR link (`?k=`).");

export const notifySubscribeSchema = z
  .strictObject({
    k: holderKey,
    threshold: z.number().int().min(1).max(MAX_THRESHOLD).default(DEFAULT_THRESHOLD).describe(`Alert when this many (or fewer) are ahead; default ${DEFAULT_THRESHOLD}.`),
    push: pushSubscriptionSchema.optional().describe('Web Push subscription of this phone; left out = the one given before is kept.'),
    phone: phoneInputSchema.optional().describe('WhatsApp or SMS number; left out = the one given before is kept.'),
  })
  .meta({ id: 'NotifySubscribeBody' });

export const notifyUnsubscribeSchema = z.strictObject({ k: holderKey }).meta({ id: 'NotifyUnsubscribeBody' });

export const notifyDeliverySchema = z.object({
  kind: z.enum(NOTIFY_KINDS),
  channel: notifyChannelSchema,
  at: instant.describe('When it was sent (or last changed).'),
  status: z.enum(DELIVERY_STATUSES).describe('`sent`: the channel took it; `delivered`: the provider says it reached the phone; `failed`: given up.'),
});

/**
 * The NotifyStatus schema (C4's shape) is declared once, in track-schemas.ts, where the track view
 * (C3) embeds it; two zod schemas with one OpenAPI id cannot live in one document. At the merge of
 * both branches it moves here and track-schemas.ts imports it.
 */
export const notifyStatusSchema = trackNotifyStatusSchema;

export type NotifyStatus = z.infer<typeof notifyStatusSchema>;
export type NotifyDelivery = z.infer<typeof notifyDeliverySchema>;
export type NotifySubscribeBody = z.input<typeof notifySubscribeSchema>;
export type NotifyUnsubscribeBody = z.infer<typeof notifyUnsubscribeSchema>;
export type PushSubscriptionJSON = z.infer<typeof pushSubscriptionSchema>;

export const pushPublicKeySchema = z.object({ key: z.string().describe("The server's VAPID public key (base64url): the `applicationServerKey` of pushManager.subscribe.") });

/** What a push message carries (decrypted by the browser, shown by the page's service worker). */
export const pushPayloadSchema = z
  .object({
    title: z.string(),
    body: z.string().describe('Bahasa Indonesia on the first line, English on the second.'),
    url: z.string().describe("The ticket's page."),
    tag: z.string().describe('One notification per ticket and kind: a repeat replaces, never stacks.'),
  })
  .meta({ id: 'PushPayload' });
export type PushPayload = z.infer<typeof pushPayloadSchema>;

/** What the counter screen shows of the ticket in hand: was its holder told, and how. */
export const counterNotifySchema = z
  .object({
    ticketId: z.string(),
    subscribed: z.boolean(),
    called: z.object({ channel: notifyChannelSchema, status: z.enum(DELIVERY_STATUSES) }).nullable().describe('The best outcome of the call alert, null when none went out.'),
  })
  .meta({ id: 'CounterNotify' });
export type CounterNotify = z.infer<typeof counterNotifySchema>;

// ---------------------------------------------------------------------------
// Provider callbacks (validated like any other input)

/** The generic webhook provider's delivery receipt, signed with `X-Giliran-Signature`. */
export const webhookReceiptSchema = z
  .strictObject({
    id: z.string().min(1).max(200).describe('The message id Giliran sent.'),
    status: z.enum(['sent', 'delivered', 'read', 'failed']),
    at: z.iso.datetime({ offset: true }).optional(),
    error: z.string().max(500).optional(),
  })
  .meta({ id: 'WebhookReceipt' });

const waText = z.object({ body: z.string().max(4096) });
export const whatsappWebhookSchema = z
  .object({
    object: z.literal('whatsapp_business_account'),
    entry: z
      .array(
        z.object({
          id: z.string(),
          changes: z
            .array(
              z.object({
                field: z.string(),
                value: z.object({
                  messaging_product: z.literal('whatsapp'),
                  metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string().optional() }).optional(),
                  messages: z
                    .array(z.object({ from: z.string().max(32), id: z.string().max(256), timestamp: z.string().max(20).optional(), type: z.string().max(32), text: waText.optional() }))
                    .max(100)
                    .optional(),
                  statuses: z
                    .array(
                      z.object({
                        id: z.string().max(256),
                        status: z.enum(['sent', 'delivered', 'read', 'failed', 'deleted', 'warning']),
                        timestamp: z.string().max(20).optional(),
                        recipient_id: z.string().max(32).optional(),
                        biz_opaque_callback_data: z.string().max(512).optional(),
                      }),
                    )
                    .max(100)
                    .optional(),
                }),
              }),
            )
            .max(100),
        }),
      )
      .max(100),
  })
  .meta({ id: 'WhatsAppWebhook', description: 'The WhatsApp Cloud API webhook body (messages and statuses).' });
export type WhatsAppWebhook = z.infer<typeof whatsappWebhookSchema>;

export const whatsappVerifyQuerySchema = z.object({
  'hub.mode': z.literal('subscribe'),
  'hub.verify_token': z.string().min(1).max(200),
  'hub.challenge': z.string().min(1).max(200),
});

/** The signature header of the generic webhook (requests and receipts): `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Giliran-Signature';
