import { TicketForm } from '@/components/TicketForm';
import { requireUser } from '@/lib/server-api';
import styles from '../tickets.module.css';

export const metadata = { title: 'Sell a ticket' };

export default async function NewTicketPage() {
  await requireUser('/tickets/new');
  return (
    <div className={styles.formPage}>
      <h1>Sell a ticket</h1>
      <p className="muted">
        Your listing goes live right away. When someone reserves it, it’s held for them while they pay.
      </p>
      <div className="card">
        <TicketForm />
      </div>
    </div>
  );
}
