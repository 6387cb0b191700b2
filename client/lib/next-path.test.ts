import { safeNextPath, signInHref } from './next-path';

describe('safeNextPath', () => {
  it('keeps paths on this site', () => {
    expect(safeNextPath('/tickets/abc')).toBe('/tickets/abc');
    expect(safeNextPath(['/orders', '/x'])).toBe('/orders');
    expect(safeNextPath('/?page=2')).toBe('/?page=2');
  });

  it('rejects anything that could leave the site', () => {
    for (const raw of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null, undefined, '/x\n']) {
      expect(safeNextPath(raw)).toBe('/');
    }
  });

  it('does not bounce back to an auth page', () => {
    expect(safeNextPath('/auth/signin')).toBe('/');
  });
});

describe('signInHref', () => {
  it('encodes the way back', () => {
    expect(signInHref('/tickets/1?x=2')).toBe('/auth/signin?next=%2Ftickets%2F1%3Fx%3D2');
    expect(signInHref('//evil')).toBe('/auth/signin');
  });
});
