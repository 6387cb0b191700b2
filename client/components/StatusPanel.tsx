import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';
import styles from './StatusPanel.module.css';

const ICONS: Record<'danger' | 'warning' | 'success' | 'neutral' | 'info', IconName> = {
  danger: 'alert',
  warning: 'clock',
  success: 'check',
  neutral: 'search',
  info: 'info',
};

/** A centred panel for a page-level state: errors, not found, expired, paid. */
export function StatusPanel({
  tone,
  title,
  children,
  actions,
  testId,
  headingLevel = 1,
}: {
  tone: keyof typeof ICONS;
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
  headingLevel?: 1 | 2;
}) {
  const Heading = headingLevel === 1 ? 'h1' : 'h2';
  return (
    <section className={`${styles.panel} ${styles[tone]}`} data-testid={testId}>
      <div className={styles.icon} aria-hidden="true">
        <Icon name={ICONS[tone]} size={28} />
      </div>
      <Heading className={styles.title}>{title}</Heading>
      <div className={styles.body}>{children}</div>
      {actions ? <div className={styles.actions}>{actions}</div> : null}
    </section>
  );
}
