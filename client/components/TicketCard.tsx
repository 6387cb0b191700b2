import Link from 'next/link';
import { formatMoney } from '@/lib/money';
import type { Ticket } from '@/lib/types';
import styles from './TicketCard.module.css';

/** One ticket in the listing; the whole card links to its details. */
export function TicketCard({ ticket, own }: { ticket: Ticket; own: boolean }) {
  return (
    <article className={styles.card} data-testid="ticket-card">
      <div className={styles.top}>
        <span className={styles.stub} aria-hidden="true" />
        {own ? <span className={styles.own}>Your listing</span> : null}
      </div>
      <h2 className={styles.title}>
        <Link href={`/tickets/${ticket.id}`} className={styles.link}>
          {ticket.title}
        </Link>
      </h2>
      <div className={styles.bottom}>
        <span className={styles.price} data-testid="ticket-price">
          {formatMoney(ticket.price)}
        </span>
        <span className={styles.cta} aria-hidden="true">
          View details →
        </span>
      </div>
    </article>
  );
}
