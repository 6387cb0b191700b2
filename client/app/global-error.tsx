'use client';

import './globals.css';

/** Last resort when the root layout itself fails: its own document, minimal and self-styled. */
export default function GlobalError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Something went wrong · MicroTick</title>
        <main id="main" style={{ textAlign: 'center' }}>
          <h1>Something went wrong</h1>
          <p className="muted">MicroTick hit an unexpected problem. Please try again.</p>
          <button type="button" className="button" onClick={() => retry()}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
