'use client';

import { useState, type FormEvent } from 'react';
import type { PayWithToken } from './types';
import styles from './Payment.module.css';

/** The Stripe test tokens the bundled emulator (and real Stripe in test mode) understands. */
export const TEST_CARDS = [
  { token: 'tok_visa', label: 'Visa — succeeds', detail: '4242 4242 4242 4242' },
  { token: 'tok_chargeDeclined', label: 'Declined', detail: '4000 0000 0000 0002 · generic decline' },
  {
    token: 'tok_chargeDeclinedInsufficientFunds',
    label: 'Insufficient funds',
    detail: '4000 0000 0000 9995 · not enough balance',
  },
] as const;

/**
 * Card form for runs without a Stripe publishable key (local runs and tests): pick one of the
 * test cards, so the whole purchase works offline against the emulator.
 */
export function TestCardForm({ amountLabel, pending, onPay }: { amountLabel: string; pending: boolean; onPay: PayWithToken }) {
  const [token, setToken] = useState<string>(TEST_CARDS[0].token);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void onPay(token);
  }

  return (
    <form onSubmit={onSubmit} className={styles.form} aria-label="Payment" data-testid="payment-form">
      <fieldset className={styles.fieldset} disabled={pending}>
        <legend className={styles.legend}>Test card</legend>
        <p className={styles.note}>Test mode: no real card is charged. Choose how the payment should go.</p>
        <div className={styles.options}>
          {TEST_CARDS.map((card) => (
            <label key={card.token} className={styles.option}>
              <input
                type="radio"
                name="card"
                value={card.token}
                checked={token === card.token}
                onChange={() => setToken(card.token)}
              />
              <span className={styles.optionText}>
                <span className={styles.optionLabel}>{card.label}</span>
                <span className={styles.optionDetail}>{card.detail}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <button type="submit" className="button button-block" disabled={pending} data-testid="pay-button">
        {pending ? 'Processing…' : `Pay ${amountLabel}`}
      </button>
    </form>
  );
}
