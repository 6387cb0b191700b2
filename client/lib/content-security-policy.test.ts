import { contentSecurityPolicy } from './content-security-policy';

const directive = (policy: string, name: string) => policy.split('; ').find((part) => part.startsWith(`${name} `));

describe('contentSecurityPolicy', () => {
  it('runs only scripts with the nonce, and nothing from Stripe without a publishable key', () => {
    const policy = contentSecurityPolicy({ nonce: 'abc123', stripe: false, development: false });
    expect(directive(policy, 'script-src')).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(directive(policy, 'frame-src')).toBe("frame-src 'none'");
    expect(directive(policy, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(policy).not.toContain('stripe');
    expect(policy).not.toContain('unsafe-eval');
  });

  it('allows Stripe.js, its frames and its API when a publishable key is set', () => {
    const policy = contentSecurityPolicy({ nonce: 'n', stripe: true, development: false });
    expect(directive(policy, 'script-src')).toContain('https://js.stripe.com');
    expect(directive(policy, 'frame-src')).toBe('frame-src https://js.stripe.com https://hooks.stripe.com');
    expect(directive(policy, 'connect-src')).toBe("connect-src 'self' https://api.stripe.com");
  });

  it("allows eval only in development (React's error overlays)", () => {
    expect(directive(contentSecurityPolicy({ nonce: 'n', stripe: false, development: true }), 'script-src')).toContain("'unsafe-eval'");
  });
});
