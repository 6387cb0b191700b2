'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { apiRequest } from '@/lib/browser-api';
import { msRemaining, paymentDeadline } from '@/lib/countdown';
import { formatMoney } from '@/lib/money';
import { orderPhase, shouldPoll, statusBadge, type StatusBadge as Badge } from '@/lib/order-state';
import type { Order, Payment } from '@/lib/types';
import { Countdown } from './Countdown';
import { FormAlert } from './FormAlert';
import { Icon } from './Icon';
import { StatusBadge } from './StatusBadge';
import { StatusPanel } from './StatusPanel';
import { PaymentForm } from './payment/PaymentForm';
import { useServerNow } from './useServerNow';
import styles from './OrderView.module.css';

const POLL_MS = 2_000;
/** After a payment is accepted, how long to wait for the order to read "complete". */
const MAX_PAID_POLLS = 30;

/**
 * One order: the countdown and the payment form while it can be paid, then its end state —
 * a receipt, or expired/cancelled with the way back to the ticket. When the countdown hits
 * zero the page shows the expired state at once and polls until the server has cancelled the
 * order; after a payment it polls until the order reads complete.
 */
export function OrderView({ order, serverNow, stripeKey }: { order: Order; serverNow: number; stripeKey: string | null }) {
  const router = useRouter();
  const [payment, setPayment] = useState<Payment | null>(null);
  const [paymentErrors, setPaymentErrors] = useState<string[]>([]);
  const [pending, setPending] = useState(false);
  const [cancelErrors, setCancelErrors] = useState<string[]>([]);
  const [cancelling, setCancelling] = useState(false);

  const open = order.status === 'created' || order.status === 'awaiting:payment';
  const deadline = paymentDeadline(order.expiresAt);
  const now = useServerNow(serverNow, deadline, open && !payment);
  const remaining = msRemaining(deadline, now);
  const phase = orderPhase(order.status, remaining, payment !== null);
  const polling = shouldPoll(phase, order.status);

  useEffect(() => {
    if (!polling) return;
    let polls = 0;
    const timer = setInterval(() => {
      polls += 1;
      if (phase === 'paid' && polls > MAX_PAID_POLLS) {
        clearInterval(timer);
        return;
      }
      router.refresh();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [polling, phase, router]);

  async function pay(token: string) {
    setPending(true);
    setPaymentErrors([]);
    const result = await apiRequest<Payment>('POST', '/api/payments', { orderId: order.id, token });
    setPending(false);
    if (result.ok) {
      setPayment(result.data ?? { id: '', orderId: order.id, stripeId: '' });
      router.refresh();
      return;
    }
    if (result.status === 401) {
      window.location.assign(`/auth/signin?next=${encodeURIComponent(`/orders/${order.id}`)}`);
      return;
    }
    setPaymentErrors(result.errors.map((e) => e.message));
    // 400: the order was cancelled, expired or already paid meanwhile; show its real state.
    if (result.status === 400) router.refresh();
  }

  async function cancel() {
    setCancelling(true);
    setCancelErrors([]);
    const result = await apiRequest<unknown>('DELETE', `/api/orders/${encodeURIComponent(order.id)}`);
    setCancelling(false);
    if (!result.ok) setCancelErrors(result.errors.map((e) => e.message));
    router.refresh();
  }

  const price = formatMoney(order.ticket.price);
  const badge: Badge =
    phase === 'paid'
      ? order.status === 'complete'
        ? statusBadge('complete')
        : { label: 'Paid', tone: 'success' }
      : statusBadge(order.status, remaining <= 0);
  const ticketHref = `/tickets/${order.ticket.id}`;

  return (
    <div className={styles.page} data-testid="order-view" data-phase={phase}>
      <Link href="/orders" className={styles.back}>
        ← My orders
      </Link>
      <header className={styles.summary}>
        <div className={styles.summaryMain}>
          <span className={styles.eyebrow}>Order {order.id.slice(0, 8)}</span>
          <h1 className={styles.title}>{order.ticket.title}</h1>
        </div>
        <div className={styles.summarySide}>
          <span className={styles.amount}>{price}</span>
          <StatusBadge label={badge.label} tone={badge.tone} testId="order-status" />
        </div>
      </header>

      {phase === 'payable' ? (
        <div className={styles.payGrid}>
          <section className="card" aria-label="Time left">
            <Countdown remainingMs={remaining} />
          </section>
          <section className="card" aria-labelledby="pay-heading">
            <h2 id="pay-heading">Pay for your ticket</h2>
            <FormAlert messages={paymentErrors} testId="payment-error" />
            <PaymentForm stripeKey={stripeKey} amountLabel={price} pending={pending} onPay={pay} />
            <div className={styles.cancelRow}>
              <FormAlert messages={cancelErrors} testId="cancel-error" />
              <button type="button" className="button button-danger" onClick={cancel} disabled={cancelling || pending}>
                {cancelling ? 'Cancelling…' : 'Cancel reservation'}
              </button>
            </div>
          </section>
        </div>
      ) : null}

      {phase === 'paid' ? (
        <section className={`card ${styles.receipt}`} data-testid="receipt" aria-labelledby="receipt-heading">
          <div className={styles.receiptHead}>
            <span className={styles.receiptIcon} aria-hidden="true">
              <Icon name="check" size={26} />
            </span>
            <div>
              <h2 id="receipt-heading">Payment received</h2>
              <p className="muted">The ticket is yours. A copy of this receipt stays in My orders.</p>
            </div>
          </div>
          <dl className={styles.receiptLines}>
            <div>
              <dt>Ticket</dt>
              <dd>{order.ticket.title}</dd>
            </div>
            <div>
              <dt>Amount paid</dt>
              <dd data-testid="receipt-amount">{price}</dd>
            </div>
            <div>
              <dt>Order</dt>
              <dd className={styles.mono}>{order.id}</dd>
            </div>
            {payment?.stripeId ? (
              <div>
                <dt>Payment reference</dt>
                <dd className={styles.mono}>{payment.stripeId}</dd>
              </div>
            ) : null}
            <div>
              <dt>Status</dt>
              <dd>{order.status === 'complete' ? 'Complete' : 'Confirming…'}</dd>
            </div>
          </dl>
          <div className={styles.receiptActions}>
            <Link href="/orders" className="button">
              View my orders
            </Link>
            <Link href="/" className="button button-secondary">
              Browse more tickets
            </Link>
          </div>
        </section>
      ) : null}

      {phase === 'expiring' || phase === 'expired' ? (
        <div data-testid="order-expired">
          <StatusPanel
            tone="warning"
            headingLevel={2}
            title="Your reservation has expired"
            actions={
              <Link href={ticketHref} className="button">
                Back to the ticket
              </Link>
            }
          >
            <p>The payment window closed before the order was paid, so the ticket goes back on sale.</p>
            {phase === 'expiring' ? (
              <p className={styles.pendingNote} role="status" data-testid="order-releasing">
                Releasing the ticket…
              </p>
            ) : (
              <p>If it’s still available, you can reserve it again.</p>
            )}
            <FormAlert messages={paymentErrors} testId="payment-error" />
          </StatusPanel>
        </div>
      ) : null}

      {phase === 'cancelled' ? (
        <div data-testid="order-cancelled">
          <StatusPanel
            tone="neutral"
            headingLevel={2}
            title="This order was cancelled"
            actions={
              <Link href={ticketHref} className="button">
                Back to the ticket
              </Link>
            }
          >
            <p>The ticket was released. If it’s still available, you can reserve it again.</p>
          </StatusPanel>
        </div>
      ) : null}
    </div>
  );
}
