import { CopyButton } from './CopyButton';
import styles from './TicketCodeCard.module.css';

/**
 * A paid order's ticket: the QR code to show at the door and the same code as text (for the
 * seller to paste when there is no camera). The SVG comes from our own API and is shown as an
 * image, so nothing in it can run as part of the page.
 */
export function TicketCodeCard({ code, qrSvg }: { code: string; qrSvg: string }) {
  return (
    <section className={`card ${styles.card}`} aria-labelledby="ticket-code-heading" data-testid="ticket-code">
      <div className={styles.text}>
        <h2 id="ticket-code-heading">Your ticket</h2>
        <p className="muted">Show this QR code at the door. The seller scans it, or pastes the code below, to check you in.</p>
        <label htmlFor="ticket-code-text" className={styles.label}>
          Ticket code
        </label>
        <textarea id="ticket-code-text" className={styles.code} readOnly rows={3} value={code} data-testid="ticket-code-text" />
        <CopyButton text={code} label="Copy code" />
      </div>
      <img className={styles.qr} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`} alt="QR code of your ticket" width={220} height={220} data-testid="ticket-qr" />
    </section>
  );
}
