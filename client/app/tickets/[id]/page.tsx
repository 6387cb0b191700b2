import type { Metadata } from 'next';
import { unstable_rethrow } from 'next/navigation';
import Link from 'next/link';
import { cache } from 'react';
import { BuyButton } from '@/components/BuyButton';
import { WaitlistPanel } from '@/components/WaitlistPanel';
import { formatMoney } from '@/lib/money';
import { signInHref } from '@/lib/next-path';
import { apiGet, apiGetOptional, getCurrentUser, unwrapOrFail } from '@/lib/server-api';
import type { Order, Ticket, WaitlistEntry } from '@/lib/types';
import { activeEntryFor } from '@/lib/waitlist';
import styles from '../tickets.module.css';

type Props = { params: Promise<{ id: string }> };

/** Fetched once per request for both the metadata and the page. */
const loadTicket = cache((id: string) => apiGet<Ticket>(`/api/tickets/${encodeURIComponent(id)}`));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  try {
    const result = await loadTicket(id);
    return { title: result.ok ? result.data.title : 'Ticket' };
  } catch (error) {
    unstable_rethrow(error);
    return { title: 'Ticket' };
  }
}

/** The signed-in buyer's live order for this ticket, if the reservation is theirs. */
async function myLiveOrderFor(ticketId: string): Promise<Order | undefined> {
  const result = await apiGetOptional<Order[]>('/api/orders');
  if (!result?.ok || !Array.isArray(result.data)) return undefined;
  return result.data.find((order) => order.ticket?.id === ticketId && order.status !== 'cancelled');
}

/** The signed-in buyer's place in this ticket's waiting list (waiting or offered), if any. */
async function myWaitlistEntryFor(ticketId: string): Promise<WaitlistEntry | undefined> {
  const result = await apiGetOptional<WaitlistEntry[]>('/api/orders/waitlist');
  return result?.ok && Array.isArray(result.data) ? activeEntryFor(result.data, ticketId) : undefined;
}

/**
 * What the ticket page says of its availability. A ticket offered to someone on its waiting list
 * is held by no order (`orderId` null) but by the offer (`heldForWaitingList`); the buyer it is
 * offered to knows it is theirs from their own waiting-list entry.
 */
function availabilityOf(ticket: Ticket, entry: WaitlistEntry | undefined): string {
  if (entry?.status === 'offered') return 'Held for you (waiting list)';
  if (ticket.orderId) return 'Reserved';
  return ticket.heldForWaitingList ? 'Offered to its waiting list' : 'Available';
}

export default async function TicketPage({ params }: Props) {
  const { id } = await params;
  const path = `/tickets/${id}`;
  const [result, user] = await Promise.all([loadTicket(id), getCurrentUser()]);
  const ticket = unwrapOrFail(result, path);
  const own = user?.id === ticket.userId;
  const reserved = ticket.orderId !== null && ticket.orderId !== undefined;
  const [myOrder, myEntry] = user && !own ? await Promise.all([reserved ? myLiveOrderFor(ticket.id) : undefined, myWaitlistEntryFor(ticket.id)]) : [undefined, undefined];
  // Offered to someone else: not buyable now, but it can be waited for like a reserved one.
  const offeredToAnother = ticket.heldForWaitingList && myEntry?.status !== 'offered';

  return (
    <>
      <Link href="/" className="back-link">
        ← All tickets
      </Link>
      <div className={styles.detail}>
        <section aria-labelledby="ticket-title">
          <div className={styles.poster}>
            <span className={styles.posterLabel}>Ticket</span>
            <h1 id="ticket-title" data-testid="ticket-title">
              {ticket.title}
            </h1>
          </div>
          <dl className={styles.facts}>
            <div className={styles.fact}>
              <dt>Availability</dt>
              <dd data-testid="ticket-availability">{availabilityOf(ticket, myEntry)}</dd>
            </div>
            <div className={styles.fact}>
              <dt>Seller</dt>
              <dd>{own ? 'You' : 'A MicroTick member'}</dd>
            </div>
          </dl>
        </section>

        <aside className={`card ${styles.aside}`} aria-label="Purchase">
          <div>
            <p className={styles.priceLabel}>Price</p>
            <p className={styles.price} data-testid="ticket-detail-price">
              {formatMoney(ticket.price)}
            </p>
          </div>

          {reserved ? (
            <div className="alert alert-warning" role="status" data-testid="ticket-reserved">
              {myOrder?.status === 'complete' ? (
                <p>
                  You bought this ticket. <Link href={`/orders/${myOrder.id}`}>View your order</Link>.
                </p>
              ) : myOrder ? (
                <p>
                  You’ve reserved this ticket. <Link href={`/orders/${myOrder.id}`}>Go to your order</Link> to pay for it.
                </p>
              ) : own ? (
                <p>A buyer has reserved or bought this ticket. If a reservation lapses unpaid, it goes back on sale.</p>
              ) : (
                <p>This ticket is reserved or sold. If the reservation lapses unpaid, it goes back on sale.</p>
              )}
            </div>
          ) : offeredToAnother ? (
            <p className="alert alert-warning" role="status" data-testid="ticket-offered">
              This ticket is being offered to the first buyer on its waiting list. If they don’t take it in time, it goes to the next in line, then back on sale.
            </p>
          ) : null}

          {user && !own && !myOrder ? <WaitlistPanel ticketId={ticket.id} entry={myEntry} reserved={reserved || offeredToAnother} /> : null}

          {own ? (
            <div>
              {reserved ? (
                <>
                  <button type="button" className="button button-secondary button-block" disabled aria-describedby="edit-reason">
                    Edit
                  </button>
                  <p id="edit-reason" className={styles.reason}>
                    You can’t edit a ticket while it’s reserved.
                  </p>
                </>
              ) : (
                <Link href={`/tickets/${ticket.id}/edit`} className="button button-secondary button-block">
                  Edit
                </Link>
              )}
              <p className={styles.reason}>This is your listing, so you can’t buy it.</p>
            </div>
          ) : reserved || offeredToAnother ? null : user ? (
            <>
              <BuyButton ticketId={ticket.id} />
              <p className={styles.note}>Buying reserves the ticket for you while you pay.</p>
            </>
          ) : (
            <>
              <Link href={signInHref(path)} className="button button-block">
                Sign in to buy
              </Link>
              <p className={styles.note}>
                New here? <Link href={`/auth/signup?next=${encodeURIComponent(path)}`}>Create an account</Link>.
              </p>
            </>
          )}
        </aside>
      </div>
    </>
  );
}
