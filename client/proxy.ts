import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy } from '@/lib/content-security-policy';

/**
 * Gives every page view a fresh nonce and its Content-Security-Policy. Next.js reads the policy
 * from the request headers and puts the nonce on the scripts it renders (every page is rendered
 * per request: the layout reads the session). Read at request time, so one build serves both a
 * deployment with a Stripe publishable key and one without.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = contentSecurityPolicy({
    nonce,
    stripe: Boolean(publishableKey()),
    development: process.env.NODE_ENV === 'development',
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

/** As server-api's runtimeEnv: a computed name, so Next does not inline the NEXT_PUBLIC_ value at build time. */
const publishableKey = (): string | undefined => {
  const env: Record<string, string | undefined> = process.env;
  return env['NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY']?.trim() || undefined;
};

export const config = {
  // Pages only: not the API (the gateway sends it to the services, which set their own
  // headers), not static files, not prefetches (their nonce would never be used).
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
