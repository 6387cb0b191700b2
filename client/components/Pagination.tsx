import Link from 'next/link';
import styles from './Pagination.module.css';

/**
 * Links for cursor paging: back to the first page (earlier pages are the browser's back
 * button) and on to the next one. Renders nothing when there is only one page.
 */
export function Pagination({ firstHref, nextHref }: { firstHref?: string | undefined; nextHref?: string | undefined }) {
  if (!firstHref && !nextHref) return null;
  return (
    <nav className={styles.pagination} aria-label="Pagination">
      {firstHref ? (
        <Link href={firstHref} className="button button-secondary">
          ← First page
        </Link>
      ) : (
        <span />
      )}
      <span />
      {nextHref ? (
        <Link href={nextHref} className="button button-secondary" rel="next">
          Next →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
