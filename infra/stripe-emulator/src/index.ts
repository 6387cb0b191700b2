export { createStripeEmulator, type StripeEmulatorOptions } from './app';
export { loadConfig, type EmulatorConfig } from './config';
export { startStripeEmulator, type RunningStripeEmulator, type StartStripeEmulatorOptions } from './server';
export { EmulatorState } from './state';
export type { CancellationReason, Charge, EmulatorChargeRecord, ListObject, PaymentIntent, PaymentMethod, Refund } from './types';
export { signatureHeader, WebhookSender, type WebhookDelivery, type WebhookEndpoint, type WebhookEvent, type WebhookEventType } from './webhooks';
