'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { toFormErrors, UNEXPECTED_ANSWER } from '@/lib/api-errors';
import { parsePriceInput, priceInputValue } from '@/lib/money';
import type { Ticket } from '@/lib/types';
import { FormAlert } from './FormAlert';
import { FormField } from './FormField';
import styles from './Form.module.css';
import { useApiAction } from './useApiAction';

const FIELDS = ['title', 'price'] as const;

/**
 * Create (POST /api/tickets) or edit (PUT /api/tickets/:id) a ticket. Validation is the API's:
 * its messages appear beside the field they name, anything else in the alert above the form.
 */
export function TicketForm({ ticket }: { ticket?: Ticket }) {
  const router = useRouter();
  const [title, setTitle] = useState(ticket?.title ?? '');
  const [price, setPrice] = useState(ticket ? priceInputValue(ticket.price) : '');
  const { pending, errors: failure, send, fail } = useApiAction();
  const errors = toFormErrors(failure, FIELDS);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = { title: title.trim(), price: parsePriceInput(price) };
    const result = ticket
      ? await send<Ticket>('PUT', `/api/tickets/${encodeURIComponent(ticket.id)}`, body, { leavesOnSuccess: true })
      : await send<Ticket>('POST', '/api/tickets', body, { leavesOnSuccess: true });
    if (!result.ok) return;
    if (!result.data?.id) return fail([UNEXPECTED_ANSWER]);
    router.push(`/tickets/${result.data.id}`);
    router.refresh();
  }

  return (
    <form
      className={styles.form}
      onSubmit={onSubmit}
      noValidate
      aria-label={ticket ? 'Edit ticket' : 'Sell a ticket'}
      data-testid="ticket-form"
    >
      <FormAlert messages={errors.form} />
      <FormField
        id="title"
        label="Title"
        hint="The event, date and seat, e.g. “Arctic Monkeys — Madison Square Garden, Sec 104”."
        value={title}
        maxLength={200}
        autoComplete="off"
        onChange={(e) => setTitle(e.target.value)}
        error={errors.fields.title}
        required
      />
      <FormField
        id="price"
        label="Price"
        hint="In US dollars, at least $0.50 (the smallest amount a card can be charged). Buyers pay exactly this."
        prefix="$"
        inputMode="decimal"
        placeholder="0.00"
        autoComplete="off"
        value={price}
        onChange={(e) => setPrice(e.target.value)}
        error={errors.fields.price}
        required
      />
      <div className={styles.actions}>
        <button type="submit" className="button" disabled={pending}>
          {pending ? 'Saving…' : ticket ? 'Save changes' : 'List ticket'}
        </button>
        <Link href={ticket ? `/tickets/${ticket.id}` : '/'} className="button button-secondary">
          Cancel
        </Link>
      </div>
    </form>
  );
}
