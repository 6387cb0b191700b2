import { WaitlistLive } from '@/components/WaitlistLive';
import { apiGet, apiGetOrFail, requireUser } from '@/lib/server-api';
import type { Ticket, WaitlistEntry } from '@/lib/types';

export const metadata = { title: 'My waiting list' };

export default async function WaitlistPage() {
  await requireUser('/waitlist');
  const data = await apiGetOrFail<WaitlistEntry[]>('/api/orders/waitlist', '/waitlist');
  const entries = Array.isArray(data) ? data : [];
  // Titles for the list; a ticket joined later (from another tab) shows up without one until a reload.
  const ticketIds = [...new Set(entries.map((entry) => entry.ticketId))];
  const tickets = await Promise.all(ticketIds.map((id) => apiGet<Ticket>(`/api/tickets/${encodeURIComponent(id)}`)));
  const titles: Record<string, string> = {};
  tickets.forEach((result) => {
    if (result.ok) titles[result.data.id] = result.data.title;
  });

  return (
    <>
      <h1>My waiting list</h1>
      <p className="muted">
        Tickets you’re in line for. When a reservation ends, the first in line gets the ticket to themselves for a few minutes;
        this page updates by itself.
      </p>
      <WaitlistLive initial={entries} titles={titles} serverNow={Date.now()} />
    </>
  );
}
