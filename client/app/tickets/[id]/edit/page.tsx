import Link from 'next/link';
import { TicketForm } from '@/components/TicketForm';
import { StatusPanel } from '@/components/StatusPanel';
import { apiGetOrFail, requireUser } from '@/lib/server-api';
import type { Ticket } from '@/lib/types';
import styles from '../../tickets.module.css';

export const metadata = { title: 'Edit ticket' };

export default async function EditTicketPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/tickets/${id}/edit`;
  const user = await requireUser(path);
  const ticket = await apiGetOrFail<Ticket>(`/api/tickets/${encodeURIComponent(id)}`, path);

  if (ticket.userId !== user.id) {
    return (
      <StatusPanel
        tone="warning"
        title="You can only edit your own tickets"
        actions={
          <Link href={`/tickets/${ticket.id}`} className="button">
            Back to the ticket
          </Link>
        }
      />
    );
  }
  if (ticket.orderId) {
    return (
      <StatusPanel
        tone="warning"
        title="This ticket is reserved"
        testId="edit-reserved"
        actions={
          <Link href={`/tickets/${ticket.id}`} className="button">
            Back to the ticket
          </Link>
        }
      >
        <p>A buyer is paying for it right now, so it can’t be changed. If the reservation lapses, you can edit it again.</p>
      </StatusPanel>
    );
  }

  return (
    <div className={styles.formPage}>
      <h1>Edit ticket</h1>
      <p className="muted">Changes show up on the listing right away.</p>
      <div className="card">
        <TicketForm ticket={ticket} />
      </div>
    </div>
  );
}
