import { nextDeadline, ordersToFollow, withNewer } from './live-orders';
import type { Order } from './types';

const order = (id: string, status: Order['status'], version = 0, expiresAt = '2026-01-01T00:15:00.000Z'): Order =>
  ({ id, status, version, expiresAt, userId: 'u', ticket: { id: `t-${id}`, title: 'Seat', price: 10, version: 0 } }) as unknown as Order;

describe('live orders list', () => {
  it('follows only orders that can still change, newest first, at most a few', () => {
    const list = [order('a', 'created'), order('b', 'complete'), order('c', 'awaiting:payment'), order('d', 'cancelled'), order('e', 'created'), order('f', 'created')];
    expect(ordersToFollow(list)).toEqual(['a', 'c', 'e']);
    expect(ordersToFollow(list, 1)).toEqual(['a']);
  });

  it('takes a newer version of an order, never an older one or a stranger', () => {
    const list = [order('a', 'created', 1), order('b', 'created', 0)];
    expect(withNewer(list, order('b', 'cancelled', 1)).map((o) => o.status)).toEqual(['created', 'cancelled']);
    expect(withNewer(list, order('a', 'cancelled', 0))).toBe(list);
    expect(withNewer(list, order('z', 'cancelled', 5))).toBe(list);
  });

  it('knows the next deadline of an unpaid order', () => {
    const now = Date.parse('2026-01-01T00:10:00.000Z');
    const list = [order('a', 'created', 0, '2026-01-01T00:14:00.000Z'), order('b', 'created', 0, '2026-01-01T00:12:00.000Z'), order('c', 'complete', 0, '2026-01-01T00:11:00.000Z')];
    expect(nextDeadline(list, now)).toBe(Date.parse('2026-01-01T00:12:00.000Z'));
    expect(nextDeadline([order('d', 'created', 0, '2026-01-01T00:09:00.000Z')], now)).toBeUndefined();
  });
});
