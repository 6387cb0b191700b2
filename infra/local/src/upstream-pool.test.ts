import { UpstreamPool } from './upstream-pool';

const setup = (targets: string[], cooldownMs = 1_000) => {
  let now = 0;
  const pool = new UpstreamPool(targets, cooldownMs, () => now);
  return { pool, advance: (ms: number) => (now += ms), pick: (n: number) => Array.from({ length: n }, () => pool.pick()) };
};

describe('UpstreamPool', () => {
  it('takes turns', () => {
    expect(setup(['a', 'b', 'c']).pick(5)).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('skips a replica marked down until its cooldown is over', () => {
    const { pool, pick, advance } = setup(['a', 'b', 'c']);
    pool.markDown('b');
    expect(pick(4)).toEqual(['a', 'c', 'a', 'c']);
    advance(1_000);
    expect(pick(3)).toEqual(['a', 'b', 'c']);
  });

  it('still tries when every replica is down', () => {
    const { pool, pick } = setup(['a', 'b']);
    pool.markDown('a');
    pool.markDown('b');
    expect(pick(2)).toEqual(['a', 'b']);
  });

  it('ignores targets it does not have, and needs at least one', () => {
    const { pool, pick } = setup(['a']);
    pool.markDown('z');
    expect(pick(1)).toEqual(['a']);
    expect(() => new UpstreamPool([])).toThrow(/at least one/);
  });
});
