import { price } from './primitives';
import { toCents } from '../money';

describe('price', () => {
  it.each([0.01, 0.29, 1.1, 4.35, 19.99, 999_999.99, 1_000_000])('accepts %p and converts it to cents exactly', (value) => {
    expect(price.safeParse(value).success).toBe(true);
    expect(toCents(value) / 100).toBe(value);
  });

  it.each([0, -1, 0.001, 1e-9, 19.999, 1.005, 0.1 + 0.2, Number.NaN, Number.POSITIVE_INFINITY, 1e300])('rejects %p', (value) => {
    expect(price.safeParse(value).success).toBe(false);
  });
});
