'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { clockOffset, formatRemaining, msRemaining, serverTime } from '@/lib/countdown';
import type { WaitlistEntry } from '@/lib/types';
import { ordinal, waitlistBadge } from '@/lib/waitlist';
import { EmptyState } from './EmptyState';
import { ActionButton } from './ActionButton';
import { StatusBadge } from './StatusBadge';
import { useApiAction } from './useApiAction';
import { useOrderTicket } from './useOrderTicket';
import styles from './WaitlistLive.module.css';

/**
 * The user's waiting-list entries, kept current by the server's event stream
 * (`GET /api/orders/waitlist/events`): an offer appears within moments of the reservation
 * ending, with the time left and an "Order now" button. EventSource reconnects by itself.
 */
export function WaitlistLive({ initial, titles, serverNow }: { initial: WaitlistEntry[]; titles: Record<string, string>; serverNow: number }) {
  const [entries, setEntries] = useState(initial);
  const [live, setLive] = useState(false);
  const now = useTicking(serverNow, entries.some((entry) => entry.status === 'offered'));

  useEffect(() => {
    const source = new EventSource('/api/orders/waitlist/events');
    source.addEventListener('waitlist', (event) => {
      setEntries(JSON.parse((event as MessageEvent<string>).data) as WaitlistEntry[]);
      setLive(true);
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, []);

  if (entries.length === 0) {
    return (
      <EmptyState title="You’re not waiting for any ticket" testId="waitlist-empty">
        <p>On a reserved ticket’s page, choose “Join waiting list” to be next in line.</p>
        <Link href="/" className="button">
          Browse tickets
        </Link>
      </EmptyState>
    );
  }
  return (
    <>
      <p className={styles.live} data-testid="waitlist-live" data-live={live}>
        {live ? 'Live: updates as they happen.' : 'Connecting for live updates…'}
      </p>
      <ul className={styles.list} aria-label="Waiting list" data-testid="waitlist-list">
        {entries.map((entry) => (
          <WaitlistRow key={`${entry.ticketId}-${entry.status}`} entry={entry} title={titles[entry.ticketId]} now={now} />
        ))}
      </ul>
    </>
  );
}

function WaitlistRow({ entry, title, now }: { entry: WaitlistEntry; title: string | undefined; now: number }) {
  const badge = waitlistBadge[entry.status];
  const offered = entry.status === 'offered' && entry.offerExpiresAt;
  return (
    <li className={`${styles.row} ${offered ? styles.offered : ''}`} data-testid="waitlist-row" data-ticket-id={entry.ticketId}>
      <div className={styles.main}>
        <Link href={`/tickets/${entry.ticketId}`} className={styles.title}>
          {title ?? `Ticket ${entry.ticketId.slice(0, 8)}`}
        </Link>
        <span className={styles.meta} data-testid="waitlist-row-detail">
          {entry.status === 'waiting'
            ? `${ordinal(entry.position)} in line`
            : offered
              ? `Held for you: ${formatRemaining(msRemaining(entry.offerExpiresAt!, now))} left`
              : entry.status === 'expired'
                ? 'Your offer passed to the next in line'
                : 'This ticket has been sold or you ordered it'}
        </span>
      </div>
      <StatusBadge label={badge.label} tone={badge.tone} testId="waitlist-row-status" />
      <div className={styles.actions}>{offered ? <OrderNowButton ticketId={entry.ticketId} /> : <LeaveButton entry={entry} />}</div>
    </li>
  );
}

function OrderNowButton({ ticketId }: { ticketId: string }) {
  const { pending, errors, order } = useOrderTicket(ticketId, '/waitlist');
  return <ActionButton pending={pending} errors={errors} onClick={order} label="Order now" pendingLabel="Reserving…" testId="order-now" errorTestId="order-now-error" />;
}

function LeaveButton({ entry }: { entry: WaitlistEntry }) {
  // Stays pending on success: the stream sends the list without this entry once the deletion commits.
  const { pending, send } = useApiAction();
  const label = entry.status === 'waiting' ? 'Leave' : 'Remove';
  const leave = () => send('DELETE', `/api/orders/waitlist/${encodeURIComponent(entry.ticketId)}`, undefined, { leavesOnSuccess: true });
  return (
    <button type="button" className="button button-secondary" onClick={leave} disabled={pending} data-testid="waitlist-leave">
      {label}
    </button>
  );
}

/** The server's time, ticking every second while `running` (an offer is counting down). */
function useTicking(serverNow: number, running: boolean): number {
  const [now, setNow] = useState(serverNow);
  const offset = useRef<number | null>(null);
  useEffect(() => {
    offset.current ??= clockOffset(serverNow, Date.now());
    if (!running) return;
    const tick = () => setNow(serverTime(Date.now(), offset.current ?? 0));
    tick();
    const timer = setInterval(tick, 1_000);
    return () => clearInterval(timer);
  }, [serverNow, running]);
  return now;
}
