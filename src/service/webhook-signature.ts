import { createHmac, randomBytes } from 'node:crypto';

/** A new webhook secret as Standard Webhooks writes it: `whsec_` and base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The `webhook-signature` header of one delivery (docs/api.md "Webhooks", Standard Webhooks):
 * `v1,` and the base64 HMAC-SHA256, keyed with the secret's decoded bytes, of
 * `<webhook-id>.<webhook-timestamp>.<body>`.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}
