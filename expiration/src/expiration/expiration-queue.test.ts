import { publishRetryDelayMs } from './expiration-queue';

describe('publishRetryDelayMs', () => {
  it('doubles from one second and stays at a minute', () => {
    expect([1, 2, 3, 4, 6, 7, 8, 10_000].map(publishRetryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 32_000, 60_000, 60_000, 60_000]);
  });
});
