'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiRequest } from '@/lib/browser-api';
import { signInHref } from '@/lib/next-path';
import type { Order } from '@/lib/types';
import { OFFERED_TO_SOMEONE_ELSE } from '@/lib/waitlist';
import { FormAlert } from './FormAlert';
import { JoinWaitlistButton } from './JoinWaitlistButton';

/** Reserves the ticket (POST /api/orders) and opens the new order to pay for it. */
export function BuyButton({ ticketId }: { ticketId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function buy() {
    setPending(true);
    setErrors([]);
    const result = await apiRequest<Order>('POST', '/api/orders', { ticketId });
    if (result.ok && result.data?.id) {
      router.push(`/orders/${result.data.id}`);
      return;
    }
    if (!result.ok && result.status === 401) {
      window.location.assign(signInHref(`/tickets/${ticketId}`));
      return;
    }
    setErrors(result.ok ? ['Unexpected answer from the server.'] : result.errors.map((e) => e.message));
    setPending(false);
    // Someone else may have reserved it a moment ago: show the ticket as it is now.
    if (!result.ok && result.status === 400) router.refresh();
  }

  return (
    <div>
      <FormAlert messages={errors} testId="buy-error" />
      <button type="button" className="button button-block" onClick={buy} disabled={pending} data-testid="buy-button">
        {pending ? 'Reserving…' : 'Buy'}
      </button>
      {/* Held for someone on its waiting list: the buyer can still get in line. */}
      {errors.includes(OFFERED_TO_SOMEONE_ELSE) ? (
        <div style={{ marginTop: 'var(--space-3)' }}>
          <JoinWaitlistButton ticketId={ticketId} />
        </div>
      ) : null}
    </div>
  );
}
