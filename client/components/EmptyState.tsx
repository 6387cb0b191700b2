import type { ReactNode } from 'react';
import { Icon } from './Icon';
import styles from './EmptyState.module.css';

export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <section className={styles.empty} data-testid={testId} aria-label={title}>
      <div className={styles.icon} aria-hidden="true">
        <Icon name="ticket" size={32} />
      </div>
      <h2>{title}</h2>
      <div className={styles.body}>{children}</div>
    </section>
  );
}
