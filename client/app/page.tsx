import Link from 'next/link';
import { TicketCard } from '@/components/TicketCard';
import { EmptyState } from '@/components/EmptyState';
import { FormAlert } from '@/components/FormAlert';
import { Pagination } from '@/components/Pagination';
import { TicketSearchForm } from '@/components/TicketSearchForm';
import { apiGet, getCurrentUser } from '@/lib/server-api';
import { PAGE_SIZE } from '@/lib/pagination';
import { isFiltered, listingHref, nextCursor, parseTicketSearch, ticketsApiPath } from '@/lib/ticket-search';
import type { Ticket } from '@/lib/types';
import styles from './page.module.css';

export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const search = parseTicketSearch(await searchParams);
  const [result, currentUser] = await Promise.all([apiGet<Ticket[]>(ticketsApiPath(search, PAGE_SIZE)), getCurrentUser()]);
  // A 400 is a search the API refuses (min above max, a stale cursor): say why, keep the form.
  if (!result.ok && result.status !== 400) throw new Error(`Listing tickets answered ${result.status}`);
  const tickets = result.ok && Array.isArray(result.data) ? result.data : [];
  const next = result.ok ? nextCursor(result.link) : undefined;

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

      <TicketSearchForm key={listingHref({ ...search, cursor: '' })} search={search} />

      {!result.ok ? (
        <FormAlert messages={result.errors.map((error) => error.message)} testId="search-error" />
      ) : tickets.length === 0 ? (
        search.cursor ? (
          <EmptyState title="No more tickets" testId="tickets-empty">
            <p>You’ve reached the end of the list.</p>
            <Link href={listingHref({ ...search, cursor: '' })} className="button button-secondary">
              Back to the first page
            </Link>
          </EmptyState>
        ) : isFiltered(search) ? (
          <EmptyState title="No tickets match your search" testId="tickets-empty">
            <p>Try fewer words or a wider price range.</p>
            <Link href="/" className="button button-secondary">
              Show all tickets
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

      <Pagination
        firstHref={search.cursor ? listingHref({ ...search, cursor: '' }) : undefined}
        nextHref={next ? listingHref({ ...search, cursor: next }) : undefined}
      />
    </>
  );
}
