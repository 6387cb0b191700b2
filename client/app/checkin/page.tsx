import { CheckInForm } from '@/components/CheckInForm';
import { requireUser } from '@/lib/server-api';
import styles from '../tickets/tickets.module.css';

export const metadata = { title: 'Check in' };

export default async function CheckInPage() {
  await requireUser('/checkin');
  return (
    <div className={styles.formPage}>
      <h1>Check in</h1>
      <p className="muted">
        Scan the buyer’s QR code, or paste their ticket code. Each ticket gets in once; a second scan says when it was first used.
      </p>
      <div className="card">
        <CheckInForm />
      </div>
    </div>
  );
}
