import { RecentlyFired } from './recently-fired';

describe('RecentlyFired', () => {
  it('remembers a fired order for a while, then forgets it', () => {
    let now = 0;
    const fired = new RecentlyFired(1_000, 100, () => now);
    fired.note('a');
    now = 999;
    expect(fired.has('a')).toBe(true);
    expect(fired.has('b')).toBe(false);
    now = 1_000;
    expect(fired.has('a')).toBe(false);
  });

  it('keeps at most its size, forgetting the oldest first', () => {
    let now = 0;
    const fired = new RecentlyFired(60_000, 2, () => now);
    for (const id of ['a', 'b', 'c']) {
      fired.note(id);
      now += 1;
    }
    expect(['a', 'b', 'c'].map((id) => fired.has(id))).toEqual([false, true, true]);
    // Noting one again makes it the newest.
    fired.note('b');
    fired.note('d');
    expect(['b', 'c', 'd'].map((id) => fired.has(id))).toEqual([true, false, true]);
  });
});
