'use client';

import dynamic from 'next/dynamic';
import { TestCardForm } from './TestCardForm';
import type { PayWithToken } from './types';
import styles from './Payment.module.css';

const StripeCardForm = dynamic(() => import('./StripeCardForm'), {
  ssr: false,
  loading: () => <p className={styles.note}>Loading secure card form…</p>,
});

/** Stripe Elements when a publishable key is configured; the test-card form otherwise. */
export function PaymentForm({
  stripeKey,
  amountLabel,
  pending,
  onPay,
}: {
  stripeKey: string | null;
  amountLabel: string;
  pending: boolean;
  onPay: PayWithToken;
}) {
  if (stripeKey) {
    return <StripeCardForm publishableKey={stripeKey} amountLabel={amountLabel} pending={pending} onPay={onPay} />;
  }
  return <TestCardForm amountLabel={amountLabel} pending={pending} onPay={onPay} />;
}
