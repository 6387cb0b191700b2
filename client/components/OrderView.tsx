'use client';

import Link from 'next/link';
import { useState, type ReactNode } from 'react';
import { msRemaining, paymentDeadline } from '@/lib/countdown';
import { formatMoney } from '@/lib/money';
import { signInHref } from '@/lib/next-path';
import { latestPayment, orderPhase, phaseBadge } from '@/lib/order-state';
import type { Order, Payment } from '@/lib/types';
import { Countdown } from './Countdown';
import { FormAlert } from './FormAlert';
import { OrderTicketCode } from './OrderTicketCode';
import { Icon } from './Icon';
import { StatusBadge } from './StatusBadge';
import { StatusPanel } from './StatusPanel';
import { PaymentForm } from './payment/PaymentForm';
import { useApiAction } from './useApiAction';
import { useLiveOrder } from './useLiveOrder';
import { useOrderPayments } from './useOrderPayments';
import { useServerNow } from './useServerNow';
import styles from './OrderView.module.css';

/**
 * One order: the countdown and the payment form while it can be paid, then what is true:
 * "Confirming your payment…" while the card is authorized and orders decides, "Paid" once the
 * order is complete, "not charged" when the reservation ended first and the authorization was
 * voided, or expired/cancelled with the way back to the ticket. The order arrives live from the
 * server (useLiveOrder); nothing polls.
 */
export function OrderView({ order: initialOrder, serverNow, stripeKey }: { order: Order; serverNow: number; stripeKey: string | null }) {
  const order = useLiveOrder(initialOrder);
  const { payments, refresh: refreshPayments } = useOrderPayments(order);
  const [justPaid, setJustPaid] = useState<Payment | null>(null);
  const payment = useApiAction();
  const cancellation = useApiAction();
  const { pending, messages: paymentErrors } = payment;
  const { pending: cancelling, messages: cancelErrors } = cancellation;

  const latest = latestPayment(payments);
  // This page's own answer counts until the list has caught up with it.
  const paymentStatus = latest && (!justPaid || latest.id === justPaid.id) ? latest.status : justPaid?.status;
  const open = order.status === 'created' || order.status === 'awaiting:payment';
  const deadline = paymentDeadline(order.expiresAt);
  const now = useServerNow(serverNow, deadline, open && paymentStatus !== 'authorized');
  const remaining = msRemaining(deadline, now);
  const phase = orderPhase(order.status, remaining, paymentStatus);

  async function pay(token: string) {
    const result = await payment.send<Payment>('POST', '/api/payments', { orderId: order.id, token });
    if (result.ok) {
      setJustPaid(result.data);
      refreshPayments();
      if (result.data.status === 'requires_action' && result.data.clientSecret && stripeKey) {
        // Stripe.js only when a real key is configured (and only now): it shows the bank's step.
        const { completeNextAction } = await import('./payment/next-action');
        const problem = await completeNextAction(stripeKey, result.data.clientSecret);
        if (problem) payment.fail([problem]);
        refreshPayments();
      }
    } else if (result.status === 401) {
      window.location.assign(signInHref(`/orders/${order.id}`));
    } else if (result.status === 400) {
      // The order was cancelled, expired or already authorized meanwhile; the stream shows its state.
      refreshPayments();
    }
  }

  const cancel = () => cancellation.send('DELETE', `/api/orders/${encodeURIComponent(order.id)}`);

  const price = formatMoney(order.ticket.price);
  const badge = phaseBadge(phase, order.status, remaining);
  const ticketHref = `/tickets/${order.ticket.id}`;

  return (
    <div className={styles.page} data-testid="order-view" data-phase={phase}>
      <Link href="/orders" className="back-link">
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

      {phase === 'confirming' ? (
        <section className="card" data-testid="order-confirming" aria-live="polite">
          <h2>Confirming your payment…</h2>
          <p className="muted">Your card is authorized for {price}. The ticket is yours as soon as the order is confirmed, in a moment.</p>
        </section>
      ) : null}

      {phase === 'action' ? (
        <div data-testid="order-action-required">
          <StatusPanel tone="warning" headingLevel={2} title="Your bank asks you to confirm this payment">
            <p>Complete the confirmation your bank shows you; this page updates by itself once the card is authorized.</p>
            <FormAlert messages={paymentErrors} testId="payment-error" />
            <div className={styles.cancelRow}>
              <FormAlert messages={cancelErrors} testId="cancel-error" />
              <button type="button" className="button button-danger" onClick={cancel} disabled={cancelling}>
                {cancelling ? 'Cancelling…' : 'Cancel reservation'}
              </button>
            </div>
          </StatusPanel>
        </div>
      ) : null}

      {phase === 'voided' ? (
        <EndedPanel testId="order-voided" tone="warning" title="Your reservation ended before the payment was confirmed; your card was not charged" ticketHref={ticketHref}>
          <p>The hold on your card is released. If the ticket is still available, you can reserve it again.</p>
        </EndedPanel>
      ) : null}

      {phase === 'paid' ? (
        <section className={`card ${styles.receipt}`} data-testid="receipt" aria-labelledby="receipt-heading">
          <div className={styles.receiptHead}>
            <span className={styles.receiptIcon} aria-hidden="true">
              <Icon name="check" size={26} />
            </span>
            <div>
              <h2 id="receipt-heading">Paid</h2>
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
            {latest?.stripeId ? (
              <div>
                <dt>Payment reference</dt>
                <dd className={styles.mono}>{latest.stripeId}</dd>
              </div>
            ) : null}
            <div>
              <dt>Status</dt>
              <dd>Complete</dd>
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
      {order.status === 'complete' ? <OrderTicketCode orderId={order.id} /> : null}

      {phase === 'expiring' || phase === 'expired' ? (
        <EndedPanel testId="order-expired" tone="warning" title="Your reservation has expired" ticketHref={ticketHref}>
          <p>The payment window closed before the order was paid, so the ticket goes back on sale.</p>
          {phase === 'expiring' ? (
            <p className={styles.pendingNote} role="status" data-testid="order-releasing">
              Releasing the ticket…
            </p>
          ) : (
            <p>If it’s still available, you can reserve it again.</p>
          )}
          <FormAlert messages={paymentErrors} testId="payment-error" />
        </EndedPanel>
      ) : null}

      {phase === 'cancelled' ? (
        <EndedPanel testId="order-cancelled" tone="neutral" title="This order was cancelled" ticketHref={ticketHref}>
          <p>The ticket was released. If it’s still available, you can reserve it again.</p>
        </EndedPanel>
      ) : null}
    </div>
  );
}

/** How an order that can no longer be paid ends: what happened, and the way back to its ticket. */
function EndedPanel({ testId, tone, title, ticketHref, children }: { testId: string; tone: 'warning' | 'neutral'; title: string; ticketHref: string; children: ReactNode }) {
  return (
    <div data-testid={testId}>
      <StatusPanel
        tone={tone}
        headingLevel={2}
        title={title}
        actions={
          <Link href={ticketHref} className="button">
            Back to the ticket
          </Link>
        }
      >
        {children}
      </StatusPanel>
    </div>
  );
}
