import { latestPayment, orderPhase, phaseBadge, statusBadge } from './order-state';

describe('orderPhase', () => {
  it('is payable while the window is open', () => {
    expect(orderPhase('created', 10_000)).toBe('payable');
    expect(orderPhase('awaiting:payment', 1)).toBe('payable');
    expect(orderPhase('created', 10_000, 'failed')).toBe('payable');
  });

  it('shows expired at zero without waiting for the server', () => {
    expect(orderPhase('created', 0)).toBe('expiring');
  });

  it('distinguishes an expired order from one the buyer cancelled', () => {
    expect(orderPhase('cancelled', 0)).toBe('expired');
    expect(orderPhase('cancelled', 60_000)).toBe('cancelled');
    // Reported live at the deadline, while the page's clock estimate is a little behind.
    expect(orderPhase('cancelled', 400)).toBe('expired');
  });

  it('says "confirming" for an authorization orders has not decided on, whatever the clock says', () => {
    expect(orderPhase('created', 5_000, 'authorized')).toBe('confirming');
    expect(orderPhase('created', 0, 'authorized')).toBe('confirming');
  });

  it('is paid only once orders completed the order', () => {
    expect(orderPhase('complete', 0)).toBe('paid');
    expect(orderPhase('complete', 0, 'authorized')).toBe('paid');
  });

  it('tells a voided authorization ("not charged") from a plain expiry', () => {
    expect(orderPhase('cancelled', 0, 'voided')).toBe('voided');
    expect(orderPhase('cancelled', 0, 'authorized')).toBe('voided');
    expect(orderPhase('cancelled', 0, 'failed')).toBe('expired');
  });

  it('asks for the extra step of a card that needs one', () => {
    expect(orderPhase('created', 5_000, 'requires_action')).toBe('action');
  });
});

describe('latestPayment', () => {
  it('is the newest', () => {
    expect(latestPayment([{ status: 'failed' as const }, { status: 'authorized' as const }])?.status).toBe('authorized');
    expect(latestPayment([])).toBeUndefined();
  });
});

describe('phaseBadge', () => {
  it('reads Paid only for a complete order', () => {
    expect(phaseBadge('paid', 'complete', 0)).toEqual({ label: 'Paid', tone: 'success' });
    expect(phaseBadge('confirming', 'created', 1_000).label).toBe('Confirming payment');
    expect(phaseBadge('payable', 'created', 1_000).label).toBe('Awaiting payment');
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
