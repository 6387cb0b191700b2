/**
 * The replicas of one upstream, picked round-robin. A replica that refused a connection is
 * skipped for `cooldownMs` (passive health checking, as a Kubernetes Service drops a pod that
 * fails its probe), so a crashed replica costs one failed request, not every other one.
 * When every replica is cooling down, they are tried anyway: better a fast 502 than none.
 */
export class UpstreamPool {
  private next = 0;
  private readonly downUntil = new Map<string, number>();

  constructor(
    readonly targets: readonly string[],
    private readonly cooldownMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {
    if (targets.length === 0) throw new Error('an upstream needs at least one target');
  }

  pick(): string {
    const time = this.now();
    for (let tried = 0; tried < this.targets.length; tried++) {
      const target = this.advance();
      if ((this.downUntil.get(target) ?? 0) <= time) return target;
    }
    return this.advance();
  }

  markDown(target: string): void {
    if (this.targets.includes(target)) this.downUntil.set(target, this.now() + this.cooldownMs);
  }

  private advance(): string {
    const target = this.targets[this.next % this.targets.length] as string;
    this.next = (this.next + 1) % this.targets.length;
    return target;
  }
}
