import { expiresAtFor } from './expiry';

describe('expiresAtFor', () => {
  it('adds the payment window to the moment the order is placed', () => {
    expect(expiresAtFor(new Date('2030-01-01T23:59:00.000Z'), 900).toISOString()).toBe('2030-01-02T00:14:00.000Z');
    expect(expiresAtFor(new Date('2030-01-01T00:00:00.250Z'), 1).toISOString()).toBe('2030-01-01T00:00:01.250Z');
  });
});
