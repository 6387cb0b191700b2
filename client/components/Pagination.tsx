import Link from 'next/link';
import { pageHref } from '@/lib/pagination';
import styles from './Pagination.module.css';

/** Previous / next links; renders nothing when there is only one page. */
export function Pagination({ path, page, hasNext }: { path: string; page: number; hasNext: boolean }) {
  if (page <= 1 && !hasNext) return null;
  return (
    <nav className={styles.pagination} aria-label="Pagination">
      {page > 1 ? (
        <Link href={pageHref(path, page - 1)} className="button button-secondary" rel="prev">
          ← Previous
        </Link>
      ) : (
        <span />
      )}
      <span className={styles.current} aria-current="page">
        Page {page}
      </span>
      {hasNext ? (
        <Link href={pageHref(path, page + 1)} className="button button-secondary" rel="next">
          Next →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
