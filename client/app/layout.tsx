import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Header } from '@/components/Header';
import { Footer } from '@/components/Footer';
import { getCurrentUserSafely } from '@/lib/server-api';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'MicroTick — tickets from fans, for fans', template: '%s · MicroTick' },
  description: 'Buy and sell event tickets safely. Reserve a ticket, pay within the window, done.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7fb' },
    { media: '(prefers-color-scheme: dark)', color: '#0f1220' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // undefined: the API could not be reached; the header says so instead of failing the page.
  const currentUser = await getCurrentUserSafely();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Header currentUser={currentUser} />
        <main id="main">{children}</main>
        <Footer />
      </body>
    </html>
  );
}
