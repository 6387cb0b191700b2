/**
 * The currencies the emulator accepts, with Stripe's minimum charge amounts
 * (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts), so an amount that
 * real Stripe refuses (`amount_too_small`) is refused here too.
 */
import { invalidRequest } from './errors';

interface CurrencyRule {
  /** Minimum charge in the smallest unit. */
  minimum: number;
  symbol: string;
  zeroDecimal?: boolean;
}

const CURRENCIES: Readonly<Record<string, CurrencyRule>> = {
  usd: { minimum: 50, symbol: '$' },
  aud: { minimum: 50, symbol: '$' },
  brl: { minimum: 50, symbol: 'R$' },
  cad: { minimum: 50, symbol: '$' },
  chf: { minimum: 50, symbol: 'CHF ' },
  czk: { minimum: 1500, symbol: 'Kč' },
  dkk: { minimum: 250, symbol: 'kr.' },
  eur: { minimum: 50, symbol: '€' },
  gbp: { minimum: 30, symbol: '£' },
  hkd: { minimum: 400, symbol: '$' },
  inr: { minimum: 50, symbol: '₹' },
  jpy: { minimum: 50, symbol: '¥', zeroDecimal: true },
  mxn: { minimum: 1000, symbol: '$' },
  nok: { minimum: 300, symbol: 'kr' },
  nzd: { minimum: 50, symbol: '$' },
  pln: { minimum: 200, symbol: 'zł' },
  sek: { minimum: 300, symbol: 'kr' },
  sgd: { minimum: 50, symbol: '$' },
};

/** Stripe's ceiling for a single charge in the smallest unit (eight digits). */
const MAXIMUM = 99_999_999;

function format(amount: number, currency: string, rule: CurrencyRule): string {
  const units = rule.zeroDecimal ? String(amount) : (amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
  return `${rule.symbol}${units} ${currency}`;
}

/** An amount in the smallest unit as Stripe writes it in messages, e.g. `$19.99 usd`. */
export function formatAmount(amount: number, currency: string): string {
  const rule = CURRENCIES[currency];
  return rule === undefined ? `${amount} ${currency}` : format(amount, currency, rule);
}

/** Lower-cases and checks `currency`; throws Stripe's "Invalid currency" error. */
export function normalizeCurrency(currency: string): string {
  const code = currency.toLowerCase();
  if (!Object.hasOwn(CURRENCIES, code)) {
    throw invalidRequest(
      `Invalid currency: ${code}. Stripe currently supports these currencies: ${Object.keys(CURRENCIES).join(', ')}`,
      { param: 'currency' },
    );
  }
  return code;
}

/** Stripe's amount checks: ≥ 1, ≥ the currency's minimum charge, ≤ the maximum charge. */
export function checkAmount(amount: number, currency: string): void {
  const rule = CURRENCIES[currency];
  if (amount < 1) {
    throw invalidRequest('This value must be greater than or equal to 1.', { param: 'amount' });
  }
  if (rule === undefined) return;
  if (amount < rule.minimum) {
    throw invalidRequest(`Amount must be at least ${format(rule.minimum, currency, rule)}`, {
      param: 'amount',
      code: 'amount_too_small',
    });
  }
  if (amount > MAXIMUM) {
    throw invalidRequest(`Amount must be no more than ${format(MAXIMUM, currency, rule)}`, {
      param: 'amount',
      code: 'amount_too_large',
    });
  }
}
