/** Nearest-rank percentiles of a set of samples (milliseconds, usually). */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { n: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN };
}

export const ms = (value: number): string => (Number.isNaN(value) ? '–' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);

export const p50p99 = (summary: Summary): string => `${ms(summary.p50)} / ${ms(summary.p99)}`;

export const perSecond = (value: number): string => `${Math.round(value).toLocaleString('en-US')} req/s`;

/** kB (as /proc reports them) → megabytes of 10⁶ bytes, the unit of the targets. */
export const megabytes = (kb: number): number => (kb * 1024) / 1e6;

export const mb = (kb: number | undefined): string => (kb === undefined ? '–' : `${megabytes(kb).toFixed(0)} MB`);
