/**
 * The payments service's test support, on common's harness (@microtick/common/testing): the
 * worker's database, the Stripe emulator in-process, the app wired to both, its listeners, and
 * a builder for order replicas.
 */
import { randomUUID } from 'node:crypto';
import { silentLogger, testAppDeps, useListenerHarness, useServiceDatabase, type TestDatabase } from '@microtick/common/testing';
import { startStripeEmulator, type EmulatorChargeRecord, type RunningStripeEmulator } from '@microtick/stripe-emulator';
import type { Express } from 'express';
import type Stripe from 'stripe';
import { buildApp } from './app';
import { findUnsettled, settlePayment } from './payments/settle-payment';
import { migrationsFolder, ordersReplica, schema, type OrderReplica } from './db/schema';
import { listeners } from './events/listeners';
import { createStripeClient } from './payments/stripe-client';

export const TEST_WEBHOOK_SECRET = 'whsec_payments_tests';

export type PaymentsTestDatabase = TestDatabase<typeof schema>;

export interface PaymentsFixture {
  /** This jest worker's payments database (common's useServiceDatabase: emptied before each test). */
  readonly database: PaymentsTestDatabase;
  readonly emulator: RunningStripeEmulator;
  /** The SDK pointed at the emulator exactly as main.ts would with STRIPE_SECRET_KEY unset. */
  readonly stripe: Stripe;
  app(overrides?: { stripe?: Stripe; attemptLeaseMs?: number }): Express;
  /** Authorizations and charges the emulator recorded for one order (captured, voided or neither). */
  charges(orderId: string): Promise<EmulatorChargeRecord[]>;
  /** One pass of the settler: captures and voids what orders has decided; returns what it did. */
  settle(): Promise<string[]>;
}

export const stripeClientFor = (url: string, timeoutMs = 10_000): Stripe =>
  createStripeClient({ STRIPE_SECRET_KEY: undefined, STRIPE_API_URL: url, STRIPE_TIMEOUT_MS: timeoutMs, STRIPE_MAX_NETWORK_RETRIES: 2 });

/** Authorizations and charges an emulator recorded for one order. */
export async function emulatorCharges(emulatorUrl: string, orderId: string): Promise<EmulatorChargeRecord[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/charges`)).json()) as EmulatorChargeRecord[];
  return all.filter((charge) => charge.metadata['orderId'] === orderId);
}

/**
 * For a whole test file, called at its top: the worker's payments database (common's
 * useServiceDatabase) and a Stripe emulator started once for the file. The properties are
 * valid inside tests and hooks.
 */
export function usePaymentsFixture(options: { latencyMs?: number } = {}): PaymentsFixture {
  const database = useServiceDatabase({ name: 'payments', migrationsFolder, schema });
  let started: { emulator: RunningStripeEmulator; stripe: Stripe } | undefined;
  beforeAll(async () => {
    const emulator = await startStripeEmulator({ port: 0, latencyMs: options.latencyMs ?? 0 });
    started = { emulator, stripe: stripeClientFor(emulator.url) };
  });
  afterAll(() => started?.emulator.close());
  const emulator = () => {
    if (!started) throw new Error('the Stripe emulator only runs inside tests');
    return started;
  };
  return {
    get database() {
      return database();
    },
    get emulator() {
      return emulator().emulator;
    },
    get stripe() {
      return emulator().stripe;
    },
    app: (overrides = {}) =>
      buildApp({
        ...testAppDeps(),
        db: database().db,
        stripe: overrides.stripe ?? emulator().stripe,
        attemptLeaseMs: overrides.attemptLeaseMs ?? 60_000,
        webhookSecret: TEST_WEBHOOK_SECRET,
      }),
    charges: (orderId) => emulatorCharges(emulator().emulator.url, orderId),
    settle: async () => {
      const done: string[] = [];
      for (const id of await findUnsettled(database().db)) {
        const outcome = await settlePayment({ db: database().db, stripe: emulator().stripe, logger: silentLogger }, id);
        if (outcome) done.push(outcome);
      }
      return done;
    },
  };
}

/** The service's listeners on a private stream, started fresh for each test (after `usePaymentsFixture`). */
export const usePaymentsListeners = (fx: PaymentsFixture) => useListenerHarness({ service: 'payments', database: () => fx.database, listeners });

/** Puts an order straight into the replica, as order:created would. */
export async function insertOrder(database: PaymentsTestDatabase, overrides: Partial<OrderReplica> = {}): Promise<OrderReplica> {
  const [order] = await database.db
    .insert(ordersReplica)
    .values({
      id: randomUUID(),
      version: 0,
      status: 'created',
      userId: randomUUID(),
      expiresAt: new Date(Date.now() + 15 * 60_000),
      priceCents: 1999,
      ...overrides,
    })
    .returning();
  return order!;
}
