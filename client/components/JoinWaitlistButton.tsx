'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ordinal } from '@/lib/waitlist';
import { ActionButton } from './ActionButton';
import { useApiAction } from './useApiAction';

/** Joins the waiting list of a reserved ticket (POST /api/orders/waitlist) and says where in line. */
export function JoinWaitlistButton({ ticketId }: { ticketId: string }) {
  const router = useRouter();
  const { pending, messages: errors, send } = useApiAction();
  const [position, setPosition] = useState<number | null>(null);

  async function join() {
    const result = await send<{ position: number }>('POST', '/api/orders/waitlist', { ticketId });
    if (!result.ok) return;
    setPosition(result.data.position);
    router.refresh();
  }

  if (position !== null) {
    return (
      <p className="alert alert-info" role="status" data-testid="waitlist-joined">
        You’re {ordinal(position)} in line. We’ll offer you the ticket if the reservation ends — follow it on{' '}
        <a href="/waitlist">My waiting list</a>.
      </p>
    );
  }
  return (
    <ActionButton
      pending={pending}
      errors={errors}
      onClick={join}
      label="Join waiting list"
      pendingLabel="Joining…"
      className="button button-secondary button-block"
      testId="join-waitlist"
      errorTestId="waitlist-error"
    />
  );
}
