import type { AnyListener } from '@microtick/common';
import { expirationComplete } from './expiration-complete.listener';
import { expirationOfferExpired } from './expiration-offer-expired.listener';
import { paymentCreated } from './payment-created.listener';
import { ticketCreated } from './ticket-created.listener';
import { ticketUpdated } from './ticket-updated.listener';

export const listeners: readonly AnyListener[] = [ticketCreated, ticketUpdated, expirationComplete, paymentCreated, expirationOfferExpired];
