/** One line of the results table: a figure, its baseline from the same run, and its target. */
export interface ResultRow {
  measure: string;
  microtick: string;
  baseline: string;
  /** MicroTick ÷ baseline, where a ratio means something. */
  ratio?: number;
  target: string;
  /** Undefined: informational, no target. */
  met?: boolean;
  /** The target is a correctness guarantee, not a speed: missing it fails the run. */
  guarantee?: boolean;
}

export const verdict = (row: ResultRow): string => (row.met === undefined ? '' : row.met ? 'met' : '**MISSED**');

/** The rows as a Markdown table, ready for the README. */
export function markdownTable(rows: readonly ResultRow[]): string {
  const header = ['Measure', 'MicroTick', 'Baseline (bare Express + 1 statement)', 'Ratio', 'Target', 'Result'];
  const lines = rows.map((row) => [row.measure, row.microtick, row.baseline, row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`, row.target, verdict(row)]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
