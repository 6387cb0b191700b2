import type { BadgeTone } from '@/lib/order-state';
import styles from './StatusBadge.module.css';

export function StatusBadge({ label, tone, testId }: { label: string; tone: BadgeTone; testId?: string }) {
  return (
    <span className={`${styles.badge} ${styles[tone]}`} data-testid={testId} data-tone={tone}>
      <span className={styles.dot} aria-hidden="true" />
      {label}
    </span>
  );
}
