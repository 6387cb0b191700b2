/** Test helper: an emulator on a free port and a real `stripe` SDK client pointed at it. */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { startStripeEmulator, type RunningStripeEmulator, type StartStripeEmulatorOptions } from './server';
import type { EmulatorChargeRecord } from './types';

export interface EmulatorFixture {
  emulator: RunningStripeEmulator;
  /** A fresh test key per call, i.e. a fresh, isolated account. */
  newKey(): string;
  client(key: string, config?: Stripe.StripeConfig): Stripe;
  charges(key?: string): Promise<EmulatorChargeRecord[]>;
  /** A raw call with a Bearer key, for what the SDK would not send. */
  request(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
}

export async function setupEmulator(options: StartStripeEmulatorOptions = {}): Promise<EmulatorFixture> {
  const emulator = await startStripeEmulator({ latencyMs: 0, ...options });
  const request: EmulatorFixture['request'] = (path, { key = 'sk_test_raw', headers, ...init } = {}) =>
    fetch(`${emulator.url}${path}`, {
      ...init,
      headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
    });
  return {
    emulator,
    newKey: () => `sk_test_${randomUUID().replace(/-/g, '')}`,
    client: (key, config = {}) =>
      new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', ...config }),
    async charges(key) {
      const res = await request('/__emulator/charges', { key: key ?? null });
      return (await res.json()) as EmulatorChargeRecord[];
    },
    request,
  };
}

export interface EmulatorSuite extends EmulatorFixture {
  /** A fresh, isolated account: its key and an SDK client for it. */
  account(): { key: string; stripe: Stripe };
}

/**
 * An emulator for the enclosing file or `describe` block: started before its tests, closed after.
 * The returned object is usable at declaration time; its members reach the running emulator.
 */
export function useEmulator(options: StartStripeEmulatorOptions = {}): EmulatorSuite {
  let fixture: EmulatorFixture | undefined;
  beforeAll(async () => {
    fixture = await setupEmulator(options);
  });
  afterAll(async () => {
    await fixture?.emulator.close();
  });
  const running = (): EmulatorFixture => {
    if (!fixture) throw new Error('the emulator starts in beforeAll');
    return fixture;
  };
  return {
    get emulator() {
      return running().emulator;
    },
    newKey: () => running().newKey(),
    client: (key, config) => running().client(key, config),
    charges: (key) => running().charges(key),
    request: (path, init) => running().request(path, init),
    account() {
      const key = running().newKey();
      return { key, stripe: running().client(key) };
    },
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/**
 * `payment_method_data[card][token]` is accepted by Stripe (its token migration path) but absent
 * from the SDK's typings, hence the widened type.
 */
type CardTokenData = Stripe.PaymentIntentCreateParams.PaymentMethodData & { card: { token: string } };

/** Params the payments service sends for a card token. */
export function cardTokenParams(token: string, amount = 1999): Stripe.PaymentIntentCreateParams {
  const paymentMethodData: CardTokenData = { type: 'card', card: { token } };
  return {
    amount,
    currency: 'usd',
    confirm: true,
    payment_method_data: paymentMethodData,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    metadata: { orderId: 'order-1' },
  };
}
