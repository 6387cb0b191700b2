'use client';

import { useEffect, useState } from 'react';
import { apiRequest } from '@/lib/browser-api';
import type { TicketCode } from '@/lib/types';
import { TicketCodeCard } from './TicketCodeCard';

/**
 * A complete order's ticket code, fetched when the order is (or becomes, on the live page)
 * complete: GET /api/orders/:id/ticket.
 */
export function OrderTicketCode({ orderId }: { orderId: string }) {
  const [ticket, setTicket] = useState<TicketCode | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    void apiRequest<TicketCode>('GET', `/api/orders/${encodeURIComponent(orderId)}/ticket`).then((result) => {
      if (!current) return;
      if (result.ok) setTicket(result.data);
      else setProblem(result.errors.map((error) => error.message).join('; '));
    });
    return () => {
      current = false;
    };
  }, [orderId]);
  if (ticket) return <TicketCodeCard code={ticket.code} qrSvg={ticket.qrSvg} />;
  return problem ? (
    <p className="muted" role="status" data-testid="ticket-code-problem">
      Your ticket code could not be loaded ({problem}). Reload the page to try again.
    </p>
  ) : null;
}
