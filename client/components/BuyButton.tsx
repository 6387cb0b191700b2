'use client';

import { OFFERED_TO_SOMEONE_ELSE } from '@/lib/waitlist';
import { ActionButton } from './ActionButton';
import { JoinWaitlistButton } from './JoinWaitlistButton';
import { useOrderTicket } from './useOrderTicket';

/** Reserves the ticket (POST /api/orders) and opens the new order to pay for it. */
export function BuyButton({ ticketId }: { ticketId: string }) {
  const { pending, errors, order } = useOrderTicket(ticketId, `/tickets/${ticketId}`);

  return (
    <div>
      <ActionButton pending={pending} errors={errors} onClick={order} label="Buy" pendingLabel="Reserving…" className="button button-block" testId="buy-button" errorTestId="buy-error" />
      {/* Held for someone on its waiting list: the buyer can still get in line. */}
      {errors.includes(OFFERED_TO_SOMEONE_ELSE) ? (
        <div style={{ marginTop: 'var(--space-3)' }}>
          <JoinWaitlistButton ticketId={ticketId} />
        </div>
      ) : null}
    </div>
  );
}
