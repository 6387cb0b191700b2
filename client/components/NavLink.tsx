'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import styles from './Header.module.css';

/** A header link that marks itself as the current page. */
export function NavLink({
  href,
  children,
  primary = false,
  matchPrefix = false,
}: {
  href: string;
  children: ReactNode;
  primary?: boolean;
  /** Also current on pages below `href` (e.g. /orders/123 for /orders). */
  matchPrefix?: boolean;
}) {
  const pathname = usePathname();
  const current = pathname === href || (matchPrefix && pathname.startsWith(`${href}/`));
  const className = [styles.link, primary ? styles.linkPrimary : '', current ? styles.linkCurrent : '']
    .filter(Boolean)
    .join(' ');
  return (
    <Link href={href} className={className} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}
