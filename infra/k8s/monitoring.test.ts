import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ofKind, type IConfigMap, type IPodMonitor, type IPrometheusRule, type IService } from './testing/models';
import { alertRuleGroups, dashboard, dashboardQueries, metricsIn, metricsUsed, monitoringDir, NATS_EXPORTER_METRICS } from './testing/monitoring';
import { NODE_SERVICES, render } from './testing/overlays';
import { workloads } from './testing/workloads';

/**
 * The alerts are valid Prometheus rules that fire when they should (promtool), the dashboard's
 * queries parse, and production scrapes what they read. (system-tests/metrics.test.ts checks the
 * services' /metrics serve those metrics.)
 */
const PROMTOOL = process.env.PROMTOOL_BIN ?? 'promtool';
const prod = render('prod');
const promtool = (args: string[], cwd: string) => {
  const run = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8' });
  if (run.error) throw new Error(`${PROMTOOL} is not installed: run \`bash infra/install-promtool.sh\` as root (npm test's infra/setup.sh does)`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
};

describe('with promtool', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'microtick-rules-'));
    writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: alertRuleGroups() }));
    copyFileSync(path.join(monitoringDir, 'alert-rules.tests.yaml'), path.join(dir, 'alert-rules.tests.yaml'));
    // The dashboard's queries as recording rules: promtool then parses every one of them.
    const records = dashboardQueries().map((expr, i) => ({ record: `microtick:dashboard_query_${i}`, expr }));
    writeFileSync(path.join(dir, 'dashboard-queries.yaml'), stringify({ groups: [{ name: 'dashboard', rules: records }] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('promtool check rules: the alert rules are valid', () => {
    const { status, output } = promtool(['check', 'rules', 'rules.yaml'], dir);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(status).toBe(0);
  });

  test('promtool test rules: each alert fires on its situation and stays quiet otherwise', () => {
    const { status, output } = promtool(['test', 'rules', 'alert-rules.tests.yaml'], dir);
    expect(output).toMatch(/SUCCESS/);
    expect(status).toBe(0);
  });

  test("every dashboard query is valid PromQL", () => {
    const { status, output } = promtool(['check', 'rules', 'dashboard-queries.yaml'], dir);
    expect(output).toMatch(/SUCCESS/);
    expect(status).toBe(0);
  });

  test('the unit tests cover every alert', () => {
    const tests = readFileSync(path.join(monitoringDir, 'alert-rules.tests.yaml'), 'utf8');
    const tested = new Set([...tests.matchAll(/alertname: (\w+)/g)].map(([, alert]) => alert));
    expect(alertRuleGroups().flatMap((g) => g.rules.map((r) => r.alert)).filter((alert) => !tested.has(alert))).toEqual([]);
  });
});

test('every alert says how bad it is and what happened', () => {
  for (const rule of alertRuleGroups().flatMap((g) => g.rules)) {
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
  }
});

test('the alerts cover what an operator must hear of', () => {
  const alerts = alertRuleGroups().flatMap((g) => g.rules.map((r) => `${r.alert}: ${metricsIn(r.expr).join(' ')}`));
  for (const [alert, metric] of [
    ['MicroTickDeadLetterParked', 'events_handled_total'],
    ['MicroTickDeadLettersWaiting', 'dead_letters'],
    ['MicroTickEventWaitingTooLong', 'listener_oldest_waiting_event_age_seconds'],
    ['MicroTickConsumerFallingBehindRetention', 'consumer_oldest_pending_age_seconds'],
    ['MicroTickOutboxBacklog', 'outbox_pending_rows'],
    ['MicroTickExpirationLate', 'expiration_lateness_seconds'],
    ['MicroTickHttp5xx', 'http_request_duration_seconds'],
    ['MicroTickConsumerLag', 'jetstream_consumer_num_pending'],
  ]) {
    expect(alerts).toContainEqual(expect.stringMatching(new RegExp(`^${alert}: .*\\b${metric}\\b`)));
  }
});

test('the metric-name reader finds metrics, not functions, labels or strings', () => {
  expect(metricsIn('histogram_quantile(0.99, sum by (service, le) (rate(outbox_publish_lag_seconds_bucket{service="x"}[5m]))) > 5')).toEqual(['outbox_publish_lag_seconds']);
  expect(metricsIn('sum by (service) (rate(a_total{status=~"5.."}[5m])) / sum by (service) (rate(a_total[5m])) and b > 0.1')).toEqual(['a_total', 'b']);
});

test('the dashboard is a Grafana dashboard on a Prometheus datasource variable, panels with unique ids', () => {
  const board = dashboard();
  expect(board.uid).toBe('microtick-event-flow');
  expect(board.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
  const ids = board.panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(metricsUsed().length).toBeGreaterThan(5);
});

describe('production', () => {
  test('loads the rules and the dashboard (for Grafana\'s sidecar)', () => {
    expect(ofKind<IPrometheusRule>(prod, 'PrometheusRule').map((r) => r.spec.groups)).toEqual([alertRuleGroups()]);
    const dashboards = ofKind<IConfigMap>(prod, 'ConfigMap').find((c) => c.metadata?.labels?.grafana_dashboard === '1');
    expect(JSON.parse(dashboards?.data?.['event-flow-dashboard.json'] ?? '{}')).toEqual(dashboard());
  });

  test("scrapes every Node service's /metrics on its http port, and NATS's exporter", () => {
    const [services, nats] = ['microtick-services', 'nats'].map((name) => ofKind<IPodMonitor>(prod, 'PodMonitor').find((m) => m.metadata?.name === name));
    for (const service of NODE_SERVICES) {
      const workload = workloads(prod).find((w) => w.name === service);
      const selector = services?.spec.selector.matchLabels ?? {};
      expect(Object.entries(selector).every(([key, value]) => workload?.labels[key] === value)).toBe(true);
      expect(workload?.pod.containers[0]?.ports?.map((p) => p.name)).toContain(services?.spec.podMetricsEndpoints?.[0]?.port);
    }
    expect(services?.spec.podMetricsEndpoints?.[0]?.path).toBe('/metrics');
    const exporter = workloads(prod).find((w) => w.name === 'nats')?.pod.containers.find((c) => c.name === 'nats-exporter');
    expect(exporter?.ports?.map((p) => p.name)).toContain(nats?.spec.podMetricsEndpoints?.[0]?.port);
    expect(exporter?.args).toEqual(expect.arrayContaining(['-jsz=all', 'http://localhost:8222']));
    expect(ofKind<IService>(prod, 'Service').find((s) => s.metadata?.name === 'nats')?.spec?.ports?.map((p) => p.name)).toContain('metrics');
    for (const metric of NATS_EXPORTER_METRICS) expect(metricsUsed()).toContain(metric);
  });
});
