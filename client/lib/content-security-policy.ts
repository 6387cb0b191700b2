/** Where Stripe.js loads from and talks to (https://docs.stripe.com/security/guide#content-security-policy). */
const STRIPE = {
  script: ['https://js.stripe.com'],
  frame: ['https://js.stripe.com', 'https://hooks.stripe.com'],
  connect: ['https://api.stripe.com'],
};

/**
 * The web client's Content-Security-Policy for one page view. Scripts run only with this
 * response's nonce (Next.js puts it on its own scripts) and what they load ('strict-dynamic'):
 * an injected <script> or inline handler does not run. Stripe.js is allowed only when a
 * publishable key is configured (the card form is otherwise the in-page test form). Styles
 * may be inline (React style attributes, Stripe's Elements); nothing may frame the app.
 */
export function contentSecurityPolicy(options: { nonce: string; stripe: boolean; development: boolean }): string {
  const { nonce, stripe, development } = options;
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // React's development build needs eval for its error overlays; production never does.
    'script-src': ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : []), ...(stripe ? STRIPE.script : [])],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(stripe ? STRIPE.connect : [])],
    'frame-src': stripe ? STRIPE.frame : ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
