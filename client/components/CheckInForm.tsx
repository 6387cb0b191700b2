'use client';

import { useState, type FormEvent } from 'react';
import { ticketIdOfCode } from '@/lib/ticket-code';
import { CameraScanner } from './CameraScanner';
import { FormAlert } from './FormAlert';
import styles from './Form.module.css';
import { useApiAction } from './useApiAction';

type Outcome = { tone: 'success' | 'warning'; message: string } | { tone: 'danger'; messages: string[] };

const timeOf = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * The seller's door: a pasted (or scanned) ticket code is checked in on the ticket it names.
 * The browser only reads which ticket that is; the tickets service decides whether the code is
 * genuine, for a ticket of this seller, and not used yet.
 */
export function CheckInForm() {
  const [code, setCode] = useState('');
  const { pending, send } = useApiAction();
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function checkIn(raw: string) {
    const ticketId = ticketIdOfCode(raw);
    if (!ticketId) {
      setOutcome({ tone: 'danger', messages: ['This is not a ticket code'] });
      return;
    }
    setOutcome(null);
    const result = await send<{ checkedInAt: string }>('POST', `/api/tickets/${ticketId}/checkins`, { code: raw.trim() });
    if (result.ok) {
      setOutcome({ tone: 'success', message: `Checked in at ${timeOf(result.data.checkedInAt)}. Welcome!` });
      setCode('');
    } else if (result.status === 409) {
      const first = (result.body as { checkedInAt?: unknown } | undefined)?.checkedInAt;
      setOutcome({ tone: 'warning', message: typeof first === 'string' ? `Already checked in at ${timeOf(first)}. Do not admit twice.` : 'Already checked in. Do not admit twice.' });
    } else if (result.status === 401) {
      setOutcome({ tone: 'danger', messages: ['This ticket is not one of yours: only its seller can check it in'] });
    } else if (result.status === 404) {
      setOutcome({ tone: 'danger', messages: ['No such ticket'] });
    } else {
      setOutcome({ tone: 'danger', messages: result.errors.map((e) => e.message) });
    }
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void checkIn(code);
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate data-testid="checkin-form">
      <CameraScanner
        onCode={(scanned) => {
          setCode(scanned);
          void checkIn(scanned);
        }}
      />
      <div className={styles.field}>
        <label htmlFor="checkin-code" className={styles.label}>
          Ticket code
        </label>
        <div className={styles.control}>
          <textarea
            id="checkin-code"
            className={styles.input}
            style={{ height: 'auto', padding: '10px 12px', fontFamily: 'var(--font-mono)', fontSize: '0.85rem', resize: 'vertical' }}
            rows={3}
            value={code}
            onChange={(event) => setCode(event.target.value)}
            placeholder="MT1.…"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
      </div>
      {outcome && outcome.tone !== 'danger' ? (
        <div className={`alert alert-${outcome.tone}`} role="status" data-testid={`checkin-${outcome.tone === 'success' ? 'admitted' : 'repeat'}`}>
          <p>{outcome.message}</p>
        </div>
      ) : null}
      {outcome?.tone === 'danger' ? <FormAlert messages={outcome.messages} testId="checkin-error" /> : null}
      <div className={styles.actions}>
        <button type="submit" className="button" disabled={pending || code.trim() === ''}>
          {pending ? 'Checking…' : 'Check in'}
        </button>
      </div>
    </form>
  );
}
