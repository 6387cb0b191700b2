'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { SORTS, isFiltered, listingHref, parseTicketSearch, type TicketSearch } from '@/lib/ticket-search';
import styles from './TicketSearchForm.module.css';

/**
 * Search, price range and sort. Submitting navigates to `/?q=…` with only the fields that are
 * set, so the search is in the URL (shareable, bookmarkable, one history entry per search).
 * Before JavaScript has loaded it is a plain GET form to the same page. The page renders it
 * with a key per search, so Back/Forward show each search's own values.
 */
export function TicketSearchForm({ search }: { search: TicketSearch }) {
  const router = useRouter();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const fields = Object.fromEntries([...new FormData(event.currentTarget)].map(([name, value]) => [name, String(value)]));
    router.push(listingHref(parseTicketSearch(fields)));
  };
  return (
    <form action="/" method="get" onSubmit={submit} role="search" aria-label="Find tickets" className={styles.form} data-testid="ticket-search">
      <div className={styles.query}>
        <label htmlFor="search-q" className={styles.label}>
          Search
        </label>
        <input id="search-q" name="q" type="search" defaultValue={search.q} placeholder="Artist, team, venue…" maxLength={100} className={styles.input} />
      </div>
      <div className={styles.price}>
        <label htmlFor="search-min" className={styles.label}>
          Min price
        </label>
        <input id="search-min" name="minPrice" type="number" inputMode="decimal" min="0" step="0.01" defaultValue={search.minPrice} className={styles.input} />
      </div>
      <div className={styles.price}>
        <label htmlFor="search-max" className={styles.label}>
          Max price
        </label>
        <input id="search-max" name="maxPrice" type="number" inputMode="decimal" min="0" step="0.01" defaultValue={search.maxPrice} className={styles.input} />
      </div>
      <div className={styles.sort}>
        <label htmlFor="search-sort" className={styles.label}>
          Sort
        </label>
        <select id="search-sort" name="sort" defaultValue={search.sort} className={styles.input}>
          {SORTS.map((sort) => (
            <option key={sort.value} value={sort.value}>
              {sort.label}
            </option>
          ))}
        </select>
      </div>
      <div className={styles.actions}>
        <button type="submit" className="button">
          Search
        </button>
        {isFiltered(search) || search.sort !== 'newest' ? (
          <Link href="/" className="button button-secondary">
            Clear
          </Link>
        ) : null}
      </div>
    </form>
  );
}
