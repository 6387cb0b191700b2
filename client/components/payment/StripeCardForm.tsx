'use client';

import { CardElement, Elements, useElements, useStripe } from '@stripe/react-stripe-js';
import { loadStripe } from '@stripe/stripe-js/pure';
import type { Stripe } from '@stripe/stripe-js';
import { useEffect, useState, type FormEvent } from 'react';
import type { PayWithToken } from './types';
import styles from './Payment.module.css';

/**
 * Real card entry with Stripe Elements, used only when a publishable key is configured. It
 * creates a PaymentMethod in the browser and hands its id to the API as the payment token;
 * card details never touch MicroTick's servers. Loaded lazily: runs without a key never
 * download Stripe.js.
 */
const stripePromises = new Map<string, Promise<Stripe | null>>();

function stripeFor(publishableKey: string): Promise<Stripe | null> {
  let promise = stripePromises.get(publishableKey);
  if (!promise) {
    // Resolve to null rather than reject when Stripe.js cannot load (offline, blocked).
    promise = loadStripe(publishableKey).catch(() => null);
    stripePromises.set(publishableKey, promise);
  }
  return promise;
}

function CardForm({ amountLabel, pending, onPay }: { amountLabel: string; pending: boolean; onPay: PayWithToken }) {
  const stripe = useStripe();
  const elements = useElements();
  const [cardError, setCardError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const card = elements?.getElement(CardElement);
    if (!stripe || !card) return;
    setCreating(true);
    setCardError(null);
    const { paymentMethod, error } = await stripe.createPaymentMethod({ type: 'card', card });
    setCreating(false);
    if (error || !paymentMethod) {
      setCardError(error?.message ?? 'Your card details could not be checked.');
      return;
    }
    await onPay(paymentMethod.id);
  }

  const busy = pending || creating;
  return (
    <form onSubmit={onSubmit} className={styles.form} aria-label="Payment" data-testid="payment-form">
      <fieldset className={styles.fieldset} disabled={busy}>
        <legend className={styles.legend}>Card</legend>
        <div className={styles.cardElement}>
          <CardElement options={{ style: { base: { fontSize: '16px' } } }} />
        </div>
        {cardError ? (
          <p className={styles.cardError} role="alert">
            {cardError}
          </p>
        ) : null}
      </fieldset>
      <button type="submit" className="button button-block" disabled={busy || !stripe} data-testid="pay-button">
        {busy ? 'Processing…' : `Pay ${amountLabel}`}
      </button>
    </form>
  );
}

export default function StripeCardForm(props: {
  publishableKey: string;
  amountLabel: string;
  pending: boolean;
  onPay: PayWithToken;
}) {
  const { publishableKey, ...rest } = props;
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    let live = true;
    void stripeFor(publishableKey).then((stripe) => {
      if (live && !stripe) setUnavailable(true);
    });
    return () => {
      live = false;
    };
  }, [publishableKey]);

  if (unavailable) {
    return (
      <div className="alert alert-danger" role="alert" data-testid="payment-unavailable">
        <p>The secure card form could not be loaded. Check your connection and reload the page to try again.</p>
      </div>
    );
  }
  return (
    <Elements stripe={stripeFor(publishableKey)}>
      <CardForm {...rest} />
    </Elements>
  );
}
