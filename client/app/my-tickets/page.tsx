import Link from 'next/link';
import { EmptyState } from '@/components/EmptyState';
import { Pagination } from '@/components/Pagination';
import { StatusBadge } from '@/components/StatusBadge';
import { formatMoney } from '@/lib/money';
import { PAGE_SIZE } from '@/lib/pagination';
import { canEdit, myTicketsHref, sellerTicketBadge } from '@/lib/seller-ticket';
import { apiGet, apiGetOrFail, requireUser, unwrapOrFail } from '@/lib/server-api';
import { nextCursor } from '@/lib/ticket-search';
import type { SellerSummary, SellerTicket } from '@/lib/types';
import styles from './my-tickets.module.css';

export const metadata = { title: 'My tickets' };

export default async function MyTicketsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).cursor;
  const cursor = typeof raw === 'string' && raw ? raw : undefined;
  const path = myTicketsHref(cursor);
  await requireUser(path);
  const [page, summary] = await Promise.all([
    apiGet<SellerTicket[]>(`/api/tickets/mine?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    apiGetOrFail<SellerSummary>('/api/tickets/mine/summary', path),
  ]);
  // A stale or edited cursor: start again from the first page rather than fail.
  const tickets = !page.ok && page.status === 400 ? [] : unwrapOrFail(page, path);
  const next = page.ok ? nextCursor(page.link) : undefined;

  return (
    <>
      <div className={styles.head}>
        <div>
          <h1>My tickets</h1>
          <p className="muted">Everything you’ve listed, newest first.</p>
        </div>
        <Link href="/tickets/new" className="button">
          Sell a ticket
        </Link>
      </div>

      <dl className={styles.totals} aria-label="Totals" data-testid="seller-totals">
        <div>
          <dt>On sale</dt>
          <dd data-testid="total-available">{summary.available}</dd>
        </div>
        <div>
          <dt>Reserved</dt>
          <dd data-testid="total-reserved">{summary.reserved}</dd>
        </div>
        <div>
          <dt>Sold</dt>
          <dd data-testid="total-sold">{summary.sold}</dd>
        </div>
        <div>
          <dt>Takings</dt>
          <dd data-testid="total-takings">{formatMoney(summary.soldTotal)}</dd>
        </div>
      </dl>

      {tickets.length === 0 ? (
        cursor ? (
          <EmptyState title="No more tickets" testId="my-tickets-empty">
            <Link href={myTicketsHref()} className="button button-secondary">
              Back to the first page
            </Link>
          </EmptyState>
        ) : (
          <EmptyState title="You haven’t listed any tickets yet" testId="my-tickets-empty">
            <p>List a ticket and follow it here from on sale to sold.</p>
            <Link href="/tickets/new" className="button">
              Sell your first ticket
            </Link>
          </EmptyState>
        )
      ) : (
        <ul className={styles.list} aria-label="My tickets" data-testid="my-ticket-list">
          {tickets.map((ticket) => {
            const badge = sellerTicketBadge(ticket.status);
            return (
              <li key={ticket.id} className={styles.row} data-testid="my-ticket-row" data-status={ticket.status}>
                <div className={styles.main}>
                  <Link href={`/tickets/${ticket.id}`} className={styles.title}>
                    {ticket.title}
                  </Link>
                  {ticket.checkedInAt ? (
                    <span className={styles.meta} data-testid="my-ticket-checked-in">
                      Checked in {new Date(ticket.checkedInAt).toLocaleString('en-US', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' })} UTC
                    </span>
                  ) : null}
                </div>
                <span className={styles.price}>{formatMoney(ticket.price)}</span>
                <StatusBadge label={badge.label} tone={badge.tone} testId="my-ticket-status" />
                {canEdit(ticket) ? (
                  <Link href={`/tickets/${ticket.id}/edit`} className={`button button-secondary ${styles.edit}`} aria-label={`Edit ${ticket.title}`}>
                    Edit
                  </Link>
                ) : (
                  <span className={styles.edit} />
                )}
              </li>
            );
          })}
        </ul>
      )}

      <Pagination firstHref={cursor ? myTicketsHref() : undefined} nextHref={next ? myTicketsHref(next) : undefined} />
    </>
  );
}
