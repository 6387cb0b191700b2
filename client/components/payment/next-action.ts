import { loadStripe } from '@stripe/stripe-js/pure';

/**
 * Runs the extra step a card asked for (3-D Secure) with Stripe.js, from the PaymentIntent's
 * client secret. Stripe then tells payments by webhook; the order page follows by itself.
 * Resolves with an error message, or null when the step was completed.
 */
export async function completeNextAction(publishableKey: string, clientSecret: string): Promise<string | null> {
  const stripe = await loadStripe(publishableKey).catch(() => null);
  if (!stripe) return 'Stripe could not be loaded to confirm this payment; please try again.';
  const { error } = await stripe.handleNextAction({ clientSecret });
  return error ? (error.message ?? 'The payment could not be confirmed.') : null;
}
