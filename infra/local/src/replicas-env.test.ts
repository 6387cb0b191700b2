import { parseReplicas } from './replicas-env';

describe('parseReplicas', () => {
  it('reads REPLICAS=orders=2,tickets=3', () => {
    expect(parseReplicas('orders=2, tickets=3')).toEqual({ orders: 2, tickets: 3 });
  });

  it('is empty when unset', () => {
    expect(parseReplicas(undefined)).toEqual({});
    expect(parseReplicas('')).toEqual({});
  });

  it.each([
    ['gateway=2', /"gateway=2" should be <service>=<count>/],
    ['orders', /"orders" should be/],
    ['orders=two', /"orders=two"/],
    ['orders=0', /1–9 replicas, got 0/],
    ['orders=10', /got 10/],
  ])('rejects %s', (text, message) => {
    expect(() => parseReplicas(text)).toThrow(message);
  });
});
