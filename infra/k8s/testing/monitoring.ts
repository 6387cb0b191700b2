import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { k8sRoot } from './overlays';

/** The alert rules, the dashboard and which metrics they read: shared by the manifest test and the system test that scrapes /metrics. */
export const monitoringDir = path.join(k8sRoot, 'components/monitoring');

export interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}

export const alertRuleGroups = (): RuleGroup[] =>
  (parse(readFileSync(path.join(monitoringDir, 'alert-rules.yaml'), 'utf8')) as { spec: { groups: RuleGroup[] } }).spec.groups;

interface Panel {
  id?: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
}
export const dashboard = (): { uid: string; panels: Panel[]; templating: { list: { name: string; type: string; query: string }[] } } =>
  JSON.parse(readFileSync(path.join(monitoringDir, 'event-flow-dashboard.json'), 'utf8'));

/** The dashboard's queries with Grafana's interval variables replaced, so Prometheus tools can parse them. */
export const dashboardQueries = (): string[] =>
  dashboard()
    .panels.flatMap((panel) => panel.targets ?? [])
    .map((target) => target.expr.replace(/\$__rate_interval|\$__range|\$__interval/g, '5m'));

const NOT_METRICS = new Set([
  // aggregations, functions and keywords of PromQL that can stand where a metric name could
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'topk', 'bottomk', 'quantile', 'rate', 'irate', 'increase', 'delta', 'deriv',
  'histogram_quantile', 'min_over_time', 'max_over_time', 'avg_over_time', 'abs', 'clamp_min', 'clamp_max', 'absent', 'vector',
  'scalar', 'time', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
]);

/** Metric names an expression reads (histogram series by their family name: `x_bucket` → `x`). */
export function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // strings (label values)
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/\[[^\]]*\]/g, ''); // ranges
  const names = [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)].map(([name]) => name).filter((name) => !NOT_METRICS.has(name));
  return [...new Set(names.map((name) => name.replace(/_(bucket|count|sum)$/, '')))].sort();
}

/** Every metric the alerts and the dashboard read. */
export const metricsUsed = (): string[] =>
  [...new Set([...alertRuleGroups().flatMap((g) => g.rules.map((r) => r.expr)), ...dashboardQueries()].flatMap(metricsIn))].sort();

/** Served by the NATS exporter beside each node (components/monitoring/nats-exporter.yaml), not by a service. */
export const NATS_EXPORTER_METRICS = ['jetstream_consumer_num_pending'];

/**
 * Metrics the services do not serve yet: stored dead letters and the outbox backlog, as gauges.
 * The alerts and the dashboard already read them; the system test that scrapes /metrics lists
 * those still missing, and fails once one exists, so this list is kept honest (the names must
 * then match, or the rules be renamed).
 */
export const METRICS_EXPECTED_FROM_OTHER_BRANCHES: string[] = [];
