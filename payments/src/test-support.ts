/** Test helpers: the replica database, the Stripe emulator in-process, and the app wired to both. */
import { randomUUID } from 'node:crypto';
import { durableName, type EventType } from '@microtick/common';
import { createTestDatabase, silentLogger, testAppDeps, waitFor, type ListenerHarness, type TestDatabase } from '@microtick/common/testing';
import { startStripeEmulator, type EmulatorChargeRecord, type RunningStripeEmulator } from '@microtick/stripe-emulator';
import type { Express } from 'express';
import type Stripe from 'stripe';
import { buildApp } from './app';
import { findUnsettled, settlePayment } from './charging/settle-payment';
import { migrationsFolder, orders, schema, type Order } from './db/schema';
import { createStripeClient } from './stripe-client';

export const TEST_WEBHOOK_SECRET = 'whsec_payments_tests';

export interface PaymentsFixture {
  database: TestDatabase<typeof schema>;
  emulator: RunningStripeEmulator;
  /** The SDK pointed at the emulator exactly as main.ts would with STRIPE_SECRET_KEY unset. */
  stripe: Stripe;
  app(overrides?: { stripe?: Stripe; attemptLeaseMs?: number }): Express;
  /** Authorizations and charges the emulator recorded for one order (captured, voided or neither). */
  charges(orderId: string): Promise<EmulatorChargeRecord[]>;
  /** One pass of the settler: captures and voids what orders has decided; returns what it did. */
  settle(): Promise<string[]>;
  close(): Promise<void>;
}

export const stripeClientFor = (url: string, timeoutMs = 10_000): Stripe =>
  createStripeClient({ STRIPE_SECRET_KEY: undefined, STRIPE_API_URL: url, STRIPE_TIMEOUT_MS: timeoutMs, STRIPE_MAX_NETWORK_RETRIES: 2 });

/** For a file's beforeAll: waiting for another jest process to release the database may take a while. */
export const FIXTURE_TIMEOUT_MS = 120_000;

/** Authorizations and charges an emulator recorded for one order. */
export async function emulatorCharges(emulatorUrl: string, orderId: string): Promise<EmulatorChargeRecord[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/charges`)).json()) as EmulatorChargeRecord[];
  return all.filter((charge) => charge.metadata['orderId'] === orderId);
}

/** One per test file: the worker's database (held exclusively until close) and an emulator. */
export async function startPaymentsFixture(options: { latencyMs?: number } = {}): Promise<PaymentsFixture> {
  const database = await createTestDatabase({ name: 'payments', migrationsFolder, schema });
  // The database is named after the jest worker only, so another jest process (a second checkout,
  // a whole-repo run) uses the same one: take turns instead of truncating each other's rows.
  const lock = await database.pool.connect();
  await lock.query('select pg_advisory_lock(hashtext(current_database()))');
  const emulator = await startStripeEmulator({ port: 0, latencyMs: options.latencyMs ?? 0 });
  const stripe = stripeClientFor(emulator.url);
  return {
    database,
    emulator,
    stripe,
    app: (overrides = {}) =>
      buildApp({
        ...testAppDeps(),
        db: database.db,
        stripe: overrides.stripe ?? stripe,
        attemptLeaseMs: overrides.attemptLeaseMs ?? 60_000,
        webhookSecret: TEST_WEBHOOK_SECRET,
      }),
    charges: (orderId) => emulatorCharges(emulator.url, orderId),
    settle: async () => {
      const done: string[] = [];
      for (const id of await findUnsettled(database.db)) {
        const outcome = await settlePayment({ db: database.db, stripe, logger: silentLogger }, id);
        if (outcome) done.push(outcome);
      }
      return done;
    },
    close: async () => {
      await emulator.close();
      await lock.query('select pg_advisory_unlock(hashtext(current_database()))');
      lock.release();
      await database.close();
    },
  };
}

/** Puts an order straight into the replica, as order:created would. */
export async function insertOrder(database: PaymentsFixture['database'], overrides: Partial<Order> = {}): Promise<Order> {
  const [order] = await database.db
    .insert(orders)
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

/** Waits until the service's consumer of `event` has settled every message published so far. */
export async function waitForIdle(harness: ListenerHarness, event: EventType): Promise<void> {
  await waitFor(
    async () => {
      const info = await harness.bus.jsm.consumers.info(harness.bus.stream, durableName('payments', event));
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    { what: `${event} consumer idle` },
  );
}
