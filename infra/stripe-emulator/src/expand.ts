/** Stripe's `expand[]` for the two references a PaymentIntent carries. */
import { invalidRequest } from './errors';
import { optionalStringArray, type FormObject } from './params';
import type { Account } from './state';
import type { PaymentIntent } from './types';

/** The requested expansions, each checked against `allowed`. */
export function parseExpand(params: FormObject, allowed: readonly string[]): string[] {
  const expand = optionalStringArray(params, 'expand') ?? [];
  for (const path of expand) {
    if (!allowed.includes(path)) {
      throw invalidRequest(`This property cannot be expanded (${path}).`, { param: 'expand' });
    }
  }
  return expand;
}

/** A copy of `intent` with `latest_charge` / `payment_method` replaced by the objects when asked. */
export function expandPaymentIntent(account: Account, intent: PaymentIntent, expand: readonly string[]): PaymentIntent {
  const copy = structuredClone(intent);
  if (expand.includes('latest_charge') && typeof intent.latest_charge === 'string') {
    copy.latest_charge = structuredClone(account.charges.get(intent.latest_charge)) ?? intent.latest_charge;
  }
  if (expand.includes('payment_method') && typeof intent.payment_method === 'string') {
    copy.payment_method = structuredClone(account.paymentMethods.get(intent.payment_method)?.object) ?? intent.payment_method;
  }
  return copy;
}
