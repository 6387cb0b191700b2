import Link from 'next/link';
import { TicketCard } from '@/components/TicketCard';
import { EmptyState } from '@/components/EmptyState';
import { Pagination } from '@/components/Pagination';
import { apiGet, getCurrentUser } from '@/lib/server-api';
import { pageQuery, parsePage, splitPage } from '@/lib/pagination';
import type { Ticket } from '@/lib/types';
import styles from './page.module.css';

export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const page = parsePage((await searchParams).page);
  const { limit, offset } = pageQuery(page);
  const [result, currentUser] = await Promise.all([
    apiGet<Ticket[]>(`/api/tickets?limit=${limit}&offset=${offset}`),
    getCurrentUser(),
  ]);
  if (!result.ok) throw new Error(`Listing tickets answered ${result.status}`);
  const { items: tickets, hasNext } = splitPage(Array.isArray(result.data) ? result.data : []);

  return (
    <>
      <section className={styles.hero}>
        <div>
          <h1>Tickets for sale</h1>
          <p className="muted">
            Reserve a ticket and it’s held for you while you pay. Every listing is from a real fan.
          </p>
        </div>
        {currentUser ? (
          <Link href="/tickets/new" className="button">
            Sell a ticket
          </Link>
        ) : (
          <Link href="/auth/signup" className="button">
            Sign up to buy or sell
          </Link>
        )}
      </section>

      {tickets.length === 0 ? (
        page > 1 ? (
          <EmptyState title="No more tickets" testId="tickets-empty">
            <p>You’ve reached the end of the list.</p>
            <Link href="/" className="button button-secondary">
              Back to the first page
            </Link>
          </EmptyState>
        ) : (
          <EmptyState title="No tickets for sale right now" testId="tickets-empty">
            <p>New listings appear here as soon as they’re posted.</p>
            {currentUser ? (
              <Link href="/tickets/new" className="button">
                List the first ticket
              </Link>
            ) : null}
          </EmptyState>
        )
      ) : (
        <ul className={styles.grid} aria-label="Tickets for sale" data-testid="ticket-list">
          {tickets.map((ticket) => (
            <li key={ticket.id}>
              <TicketCard ticket={ticket} own={currentUser?.id === ticket.userId} />
            </li>
          ))}
        </ul>
      )}

      <Pagination path="/" page={page} hasNext={hasNext} />
    </>
  );
}
