import Link from 'next/link';
import type { CurrentUser } from '@/lib/types';
import { NavLink } from './NavLink';
import { SignOutButton } from './SignOutButton';
import styles from './Header.module.css';

/** Site header: the brand, the navigation for the visitor's state, and who is signed in. */
export function Header({ currentUser }: { currentUser: CurrentUser | null | undefined }) {
  return (
    <header className={styles.header}>
      <div className={styles.inner}>
        <Link href="/" className={styles.brand} aria-label="MicroTick home">
          <span className={styles.logo} aria-hidden="true">
            ◆
          </span>
          MicroTick
        </Link>
        <nav aria-label="Main" className={styles.nav}>
          <ul className={styles.links}>
            {currentUser ? (
              <>
                <li>
                  <NavLink href="/tickets/new">Sell tickets</NavLink>
                </li>
                <li>
                  <NavLink href="/orders" matchPrefix>
                    My orders
                  </NavLink>
                </li>
                <li>
                  <NavLink href="/my-tickets">My tickets</NavLink>
                </li>
                <li>
                  <NavLink href="/checkin">Check in</NavLink>
                </li>
                <li>
                  <NavLink href="/waitlist">Waiting list</NavLink>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink href="/auth/signin">Sign in</NavLink>
                </li>
                <li>
                  <NavLink href="/auth/signup" primary>
                    Sign up
                  </NavLink>
                </li>
              </>
            )}
          </ul>
        </nav>
        {currentUser ? (
          <div className={styles.account}>
            <span className={styles.who} data-testid="current-user" title={currentUser.email}>
              <span className="visually-hidden">Signed in as </span>
              <span className={styles.avatar} aria-hidden="true">
                {currentUser.email.charAt(0).toUpperCase()}
              </span>
              <span className={styles.email}>{currentUser.email}</span>
            </span>
            <SignOutButton className={styles.signOut} />
          </div>
        ) : null}
      </div>
      {currentUser === undefined ? (
        <div className={styles.offline} role="status" data-testid="api-unavailable">
          We can’t reach MicroTick right now, so you may appear signed out. Please try again shortly.
        </div>
      ) : null}
    </header>
  );
}
