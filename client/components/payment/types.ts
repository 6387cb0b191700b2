/** Pays with a card token (test token or Stripe PaymentMethod id); resolves once answered. */
export type PayWithToken = (token: string) => Promise<void>;
