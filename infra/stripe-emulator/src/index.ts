export { createStripeEmulator, type StripeEmulatorOptions } from './app';
export { loadConfig, type EmulatorConfig } from './config';
export { startStripeEmulator, type RunningStripeEmulator, type StartStripeEmulatorOptions } from './server';
export { EmulatorState } from './state';
export type { Charge, EmulatorChargeRecord, ListObject, PaymentIntent, PaymentMethod, Refund } from './types';
