import {
  clockOffset,
  describeRemaining,
  formatRemaining,
  msRemaining,
  paymentDeadline,
  msUntilNextTick,
  serverTime,
} from './countdown';

describe('server clock offset', () => {
  it('uses the server clock even when the browser clock is wrong', () => {
    const serverNow = Date.parse('2030-01-01T12:00:00.000Z');
    const expiresAt = '2030-01-01T12:15:00.000Z';
    // The browser's clock is five minutes slow.
    const clientAtRender = serverNow - 5 * 60_000;
    const offset = clockOffset(serverNow, clientAtRender);
    expect(offset).toBe(5 * 60_000);

    // Ten seconds later by the browser's clock.
    const now = serverTime(clientAtRender + 10_000, offset);
    expect(msRemaining(expiresAt, now)).toBe(15 * 60_000 - 10_000);
    expect(formatRemaining(msRemaining(expiresAt, now))).toBe('14:50');
  });

  it('works when the browser clock is ahead', () => {
    const offset = clockOffset(1_000, 61_000);
    expect(offset).toBe(-60_000);
    expect(serverTime(61_000, offset)).toBe(1_000);
  });
});

describe('msRemaining', () => {
  it('is never negative', () => {
    expect(msRemaining(1_000, 5_000)).toBe(0);
  });
  it('accepts ISO strings and epoch numbers', () => {
    expect(msRemaining('1970-01-01T00:00:02.000Z', 500)).toBe(1_500);
    expect(msRemaining(2_000, 500)).toBe(1_500);
  });
  it('treats an unparseable deadline as expired', () => {
    expect(msRemaining('not a date', 0)).toBe(0);
  });
});

describe('formatRemaining', () => {
  it('rounds seconds up so 0:00 means expired', () => {
    expect(formatRemaining(15 * 60_000)).toBe('15:00');
    expect(formatRemaining(15 * 60_000 - 1)).toBe('15:00');
    expect(formatRemaining(14 * 60_000 + 59_001)).toBe('15:00');
    expect(formatRemaining(59_000)).toBe('0:59');
    expect(formatRemaining(1)).toBe('0:01');
    expect(formatRemaining(0)).toBe('0:00');
    expect(formatRemaining(-5_000)).toBe('0:00');
  });
  it('shows hours for long windows', () => {
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
  });
});

describe('describeRemaining', () => {
  it('reads naturally', () => {
    expect(describeRemaining(14 * 60_000 + 59_000)).toBe('14 minutes 59 seconds');
    expect(describeRemaining(61_000)).toBe('1 minute 1 second');
    expect(describeRemaining(60_000)).toBe('1 minute');
    expect(describeRemaining(0)).toBe('0 seconds');
    expect(describeRemaining(3_600_000)).toBe('1 hour');
  });
});

describe('msUntilNextTick', () => {
  it('waits until the displayed second changes', () => {
    expect(msUntilNextTick(2_300)).toBe(300);
    expect(msUntilNextTick(2_000)).toBe(1_000);
    expect(msUntilNextTick(0)).toBe(0);
  });
});

describe('paymentDeadline', () => {
  it('closes payment at expiresAt itself, as payments does (no margin)', () => {
    expect(paymentDeadline('2026-01-01T00:15:00.000Z')).toBe(Date.parse('2026-01-01T00:15:00.000Z'));
  });
});
