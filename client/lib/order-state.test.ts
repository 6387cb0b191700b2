import { orderPhase, shouldPoll, statusBadge } from './order-state';

describe('orderPhase', () => {
  it('is payable while the window is open', () => {
    expect(orderPhase('created', 10_000)).toBe('payable');
    expect(orderPhase('awaiting:payment', 1)).toBe('payable');
  });

  it('shows expired at zero without waiting for the server', () => {
    expect(orderPhase('created', 0)).toBe('expiring');
  });

  it('distinguishes an expired order from one the buyer cancelled', () => {
    expect(orderPhase('cancelled', 0)).toBe('expired');
    expect(orderPhase('cancelled', 60_000)).toBe('cancelled');
  });

  it('is paid when complete or just paid here, whatever the clock says', () => {
    expect(orderPhase('complete', 0)).toBe('paid');
    expect(orderPhase('created', 0, true)).toBe('paid');
    expect(orderPhase('created', 5_000, true)).toBe('paid');
  });
});

describe('shouldPoll', () => {
  it('polls until an expired order is cancelled', () => {
    expect(shouldPoll('expiring', 'created')).toBe(true);
    expect(shouldPoll('expired', 'cancelled')).toBe(false);
  });
  it('polls until a just-paid order is complete', () => {
    expect(shouldPoll('paid', 'created')).toBe(true);
    expect(shouldPoll('paid', 'complete')).toBe(false);
  });
  it('does not poll an open order', () => {
    expect(shouldPoll('payable', 'created')).toBe(false);
  });
});

describe('statusBadge', () => {
  it('labels every status', () => {
    expect(statusBadge('created')).toEqual({ label: 'Awaiting payment', tone: 'warning' });
    expect(statusBadge('awaiting:payment').label).toBe('Processing payment');
    expect(statusBadge('complete')).toEqual({ label: 'Complete', tone: 'success' });
    expect(statusBadge('cancelled')).toEqual({ label: 'Cancelled', tone: 'danger' });
  });
  it('calls an unpaid order past its deadline expired', () => {
    expect(statusBadge('created', true).label).toBe('Expired');
    expect(statusBadge('complete', true).label).toBe('Complete');
  });
});
