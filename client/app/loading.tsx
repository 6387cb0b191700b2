import styles from './loading.module.css';

/** Skeleton shown while a page's data loads. */
export default function Loading() {
  return (
    <div className={styles.wrap} role="status" aria-live="polite" data-testid="loading">
      <span className="visually-hidden">Loading…</span>
      <div className={`${styles.bar} ${styles.heading}`} />
      <div className={`${styles.bar} ${styles.line}`} />
      <div className={styles.grid} aria-hidden="true">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className={styles.card} />
        ))}
      </div>
    </div>
  );
}
