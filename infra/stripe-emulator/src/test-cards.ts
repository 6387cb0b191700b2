/**
 * Stripe's documented test cards. Each is reachable as a token (`tok_<name>`) and as a test
 * PaymentMethod (`pm_card_<name>`), exactly like the real test mode.
 * See https://docs.stripe.com/testing#declined-payments for the decline table.
 */

export interface Decline {
  code: string;
  declineCode: string;
  message: string;
  param?: string;
  sellerMessage: string;
}

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  funding: 'credit' | 'debit';
  decline?: Decline;
  /**
   * The issuer asks for 3-D Secure: confirming leaves the intent in `requires_action`; confirming
   * it again stands for the customer having completed the step (Stripe.js in a browser).
   */
  requiresAction?: true;
}

function issuerDecline(declineCode: string, message = 'Your card was declined.'): Decline {
  return {
    code: 'card_declined',
    declineCode,
    message,
    sellerMessage:
      declineCode === 'generic_decline'
        ? 'The bank did not return any further details with this decline.'
        : `The bank returned the decline code \`${declineCode}\`.`,
  };
}

const visa = (last4: string, decline?: Decline): TestCard => ({
  brand: 'visa',
  last4,
  funding: 'credit',
  ...(decline ? { decline } : {}),
});

const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  visa: visa('4242'),
  visa_debit: { brand: 'visa', last4: '5556', funding: 'debit' },
  mastercard: { brand: 'mastercard', last4: '4444', funding: 'credit' },
  amex: { brand: 'amex', last4: '8431', funding: 'credit' },
  threeDSecure2Required: { brand: 'visa', last4: '3184', funding: 'credit', requiresAction: true },
  chargeDeclined: visa('0002', issuerDecline('generic_decline')),
  chargeDeclinedInsufficientFunds: visa(
    '9995',
    issuerDecline('insufficient_funds', 'Your card has insufficient funds.'),
  ),
  chargeDeclinedLostCard: visa('9987', issuerDecline('lost_card')),
  chargeDeclinedStolenCard: visa('9979', issuerDecline('stolen_card')),
  chargeDeclinedExpiredCard: visa('0069', {
    code: 'expired_card',
    declineCode: 'expired_card',
    message: 'Your card has expired.',
    param: 'exp_month',
    sellerMessage: 'The bank returned the decline code `expired_card`.',
  }),
  chargeDeclinedIncorrectCvc: visa('0127', {
    code: 'incorrect_cvc',
    declineCode: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
    param: 'cvc',
    sellerMessage: 'The bank returned the decline code `incorrect_cvc`.',
  }),
  chargeDeclinedProcessingError: visa('0119', {
    code: 'processing_error',
    declineCode: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
    sellerMessage: 'The bank returned the decline code `processing_error`.',
  }),
};

function lookup(name: string): TestCard | undefined {
  return Object.hasOwn(TEST_CARDS, name) ? TEST_CARDS[name] : undefined;
}

/** The test card behind a token such as `tok_visa`, if it is one. */
export function testCardForToken(token: string): TestCard | undefined {
  return token.startsWith('tok_') ? lookup(token.slice('tok_'.length)) : undefined;
}

/** The test card behind a test PaymentMethod id such as `pm_card_visa`, if it is one. */
export function testCardForPaymentMethod(id: string): TestCard | undefined {
  return id.startsWith('pm_card_') ? lookup(id.slice('pm_card_'.length)) : undefined;
}
