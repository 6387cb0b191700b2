'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiRequest } from '@/lib/browser-api';
import { ordinal } from '@/lib/waitlist';
import { FormAlert } from './FormAlert';

/** Joins the waiting list of a reserved ticket (POST /api/orders/waitlist) and says where in line. */
export function JoinWaitlistButton({ ticketId }: { ticketId: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const [position, setPosition] = useState<number | null>(null);

  async function join() {
    setPending(true);
    setErrors([]);
    const result = await apiRequest<{ position: number }>('POST', '/api/orders/waitlist', { ticketId });
    setPending(false);
    if (result.ok) {
      setPosition(result.data.position);
      router.refresh();
      return;
    }
    setErrors(result.errors.map((e) => e.message));
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
    <div>
      <FormAlert messages={errors} testId="waitlist-error" />
      <button type="button" className="button button-secondary button-block" onClick={join} disabled={pending} data-testid="join-waitlist">
        {pending ? 'Joining…' : 'Join waiting list'}
      </button>
    </div>
  );
}
