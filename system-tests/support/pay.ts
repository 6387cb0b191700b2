import { waitFor } from '@microtick/common/testing';
import type { ApiClient, ApiError, ApiResponse } from './api-client';
import { EVENTUAL_MS } from './flows';
import type { Payment } from './types';

/**
 * Pays an order as soon as payments has its replica of it: until `order:created` has been
 * applied there, payments answers 404. Any other answer is returned as it is.
 */
export async function payWhenReplicated(buyer: ApiClient, orderId: string, token = 'tok_visa'): Promise<ApiResponse<Payment | ApiError>> {
  return waitFor(
    async () => {
      const response = await buyer.post<Payment | ApiError>('/api/payments', { orderId, token });
      return response.status === 404 ? undefined : response;
    },
    { timeoutMs: EVENTUAL_MS, intervalMs: 100, what: `payments to know order ${orderId}` },
  );
}
