'use client';

import Link from 'next/link';
import { StatusPanel } from '@/components/StatusPanel';

/**
 * Shown when a page could not load (the API was unreachable or answered with a server error).
 * Details stay in the server log: production builds hide them from the browser anyway.
 */
export default function PageError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <StatusPanel
      tone="danger"
      title="We couldn’t load this page"
      testId="page-error"
      actions={
        <>
          <button type="button" className="button" onClick={() => retry()}>
            Try again
          </button>
          <Link href="/" className="button button-secondary">
            Go to tickets
          </Link>
        </>
      }
    >
      <p>MicroTick is having trouble reaching its services. This is usually brief — please try again in a moment.</p>
    </StatusPanel>
  );
}
