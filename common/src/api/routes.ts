import type { RouteDefinition } from './route-definition';
import { orderRoutes } from './orders';
import { paymentRoutes } from './payments';
import { ticketRoutes } from './tickets';
import { userRoutes } from './users';
import { waitlistRoutes } from './waitlist';

/**
 * Every route of the public HTTP API, as the services mount them. docs/openapi.json is built
 * from this list (npm run docs:api), and the authorization matrix and the fuzzer read their
 * route lists from that file: a route added here is described and tested, or a test says what
 * is missing.
 */
export const apiRoutes: readonly RouteDefinition[] = [
  ...Object.values(userRoutes),
  ...Object.values(ticketRoutes),
  ...Object.values(orderRoutes),
  ...Object.values(waitlistRoutes),
  ...Object.values(paymentRoutes),
];
