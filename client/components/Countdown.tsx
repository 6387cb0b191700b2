import { describeRemaining, formatRemaining } from '@/lib/countdown';
import styles from './OrderView.module.css';

/** The time left to pay; urgent styling in the last minute. */
export function Countdown({ remainingMs }: { remainingMs: number }) {
  const urgent = remainingMs <= 60_000;
  return (
    <div className={`${styles.countdown} ${urgent ? styles.countdownUrgent : ''}`}>
      <span className={styles.countdownLabel} aria-hidden="true">
        Time left to pay
      </span>
      <span
        className={styles.countdownValue}
        role="timer"
        aria-label={`Time left to pay: ${describeRemaining(remainingMs)}`}
        data-testid="countdown"
        data-remaining-ms={Math.round(remainingMs)}
      >
        {formatRemaining(remainingMs)}
      </span>
      <span className={styles.countdownHint}>The ticket is held for you until then.</span>
    </div>
  );
}
