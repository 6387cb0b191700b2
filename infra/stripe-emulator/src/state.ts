/**
 * In-memory state. Each secret key is its own Stripe "account": objects created with one key are
 * invisible to another (as with two real accounts), which also lets parallel test files isolate
 * themselves by using distinct `sk_test_…` keys.
 */
import { IdempotencyStore } from './idempotency';
import type { TestCard } from './test-cards';
import type { Charge, EmulatorChargeRecord, PaymentIntent, PaymentMethod, Refund } from './types';
import { WebhookSender, type WebhookEventType } from './webhooks';

export interface StoredPaymentMethod {
  object: PaymentMethod;
  card: TestCard;
}

interface LedgerEntry {
  apiKey: string;
  charge: EmulatorChargeRecord;
}

export class Account {
  /** Payment intents in creation order (lists read it backwards: newest first). */
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly paymentMethods = new Map<string, StoredPaymentMethod>();
  readonly refunds = new Map<string, Refund>();
  readonly idempotency = new IdempotencyStore();

  private detached = false;

  constructor(
    private readonly apiKey: string,
    private readonly ledger: LedgerEntry[],
    private readonly webhooks: WebhookSender,
  ) {}

  /** Sends the webhook event `type` about `intent` as it is now (unless the account was reset). */
  emit(type: WebhookEventType, intent: PaymentIntent, apiVersion: string): void {
    if (!this.detached) this.webhooks.send(type, intent, apiVersion);
  }

  /** Notes a successful charge for `GET /__emulator/charges` (unless the account was reset meanwhile). */
  recordSuccessfulCharge(charge: EmulatorChargeRecord): void {
    if (!this.detached) this.ledger.push({ apiKey: this.apiKey, charge });
  }

  /** Mirrors a refund, a capture or a void into the charge's `GET /__emulator/charges` record. */
  recordChargeChange(charge: Charge, change: { voided?: true } = {}): void {
    const entry = this.ledger.find((item) => item.apiKey === this.apiKey && item.charge.id === charge.id);
    if (entry === undefined) return;
    entry.charge.amountRefunded = charge.amount_refunded;
    entry.charge.refunded = charge.refunded;
    entry.charge.captured = charge.captured;
    entry.charge.amountCaptured = charge.amount_captured;
    if (change.voided) entry.charge.voided = true;
  }

  /** Called on reset, so a request still in flight cannot write into the fresh state. */
  detach(): void {
    this.detached = true;
  }
}

export class EmulatorState {
  private readonly accounts = new Map<string, Account>();
  private ledger: LedgerEntry[] = [];
  /** One webhook endpoint for every account (configure it with `POST /__emulator/webhook_endpoint`). */
  readonly webhooks: WebhookSender;

  constructor(webhooks: WebhookSender = new WebhookSender()) {
    this.webhooks = webhooks;
  }

  account(apiKey: string): Account {
    let account = this.accounts.get(apiKey);
    if (account === undefined) {
      account = new Account(apiKey, this.ledger, this.webhooks);
      this.accounts.set(apiKey, account);
    }
    return account;
  }

  /** Successful charges of one account, or of every account, oldest first. */
  successfulCharges(apiKey?: string): EmulatorChargeRecord[] {
    return this.ledger.filter((entry) => apiKey === undefined || entry.apiKey === apiKey).map((entry) => entry.charge);
  }

  /** Forgets one account, or everything. */
  reset(apiKey?: string): void {
    if (apiKey === undefined) {
      for (const account of this.accounts.values()) account.detach();
      this.accounts.clear();
      this.ledger = [];
    } else {
      this.accounts.get(apiKey)?.detach();
      this.accounts.delete(apiKey);
      // Filter in place: surviving accounts hold a reference to this array.
      const kept = this.ledger.filter((entry) => entry.apiKey !== apiKey);
      this.ledger.splice(0, this.ledger.length, ...kept);
    }
  }
}
