import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '@microtick/common';
import { APP_DEPLOYMENTS, NODE_SERVICES, OVERLAYS, render } from './testing/overlays';
import { parseQuantity } from './testing/quantity';
import { containersOf, workloads, type Container, type Workload } from './testing/workloads';

/** How long a service may take to stop after SIGTERM: the default of common's Lifecycle. */
const shutdownTimeoutSeconds = DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000;

const preStopSleepSeconds = (container: Container): number => {
  const command = container.lifecycle?.preStop?.exec?.command ?? [];
  return command[0] === 'sleep' && command[1] ? Number(command[1]) : 0;
};

const containerCases = (overlay: (typeof OVERLAYS)[number]) =>
  workloads(render(overlay)).flatMap((workload) => containersOf(workload).map((container) => ({ overlay, workload, container, id: `${workload.name}/${container.name}` })));
const allContainers = OVERLAYS.flatMap(containerCases);
const appWorkload = (workload: Workload) => (APP_DEPLOYMENTS as readonly string[]).includes(workload.name);

describe.each(allContainers.map((c) => [`${c.overlay}: ${c.id}`, c] as const))('%s', (_, { overlay, workload, container }) => {
  test('runs as a non-root user, without privilege escalation or capabilities', () => {
    const pod = workload.pod.securityContext;
    expect(pod?.runAsNonRoot).toBe(true);
    expect(pod?.runAsUser).toBeGreaterThan(0);
    expect(pod?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
    expect(container.securityContext?.privileged).toBeUndefined();
  });

  test('has a read-only root filesystem (dev: except the containers that compile synced sources)', () => {
    const writableInDev = overlay === 'dev' && appWorkload(workload);
    expect(container.securityContext?.readOnlyRootFilesystem).toBe(!writableInDev);
  });

  test('mounts only volumes its pod or claim templates define', () => {
    const defined = [...(workload.pod.volumes ?? []).map((volume) => volume.name), ...workload.claimTemplates];
    for (const mount of container.volumeMounts ?? []) expect(defined).toContain(mount.name);
  });

  test('requests and limits CPU and memory, requests within limits', () => {
    const { requests = {}, limits = {} } = container.resources ?? {};
    for (const resource of ['cpu', 'memory']) {
      const request = requests[resource];
      const limit = limits[resource];
      expect(request).toBeDefined();
      expect(limit).toBeDefined();
      if (request !== undefined && limit !== undefined) expect(parseQuantity(request)).toBeLessThanOrEqual(parseQuantity(limit));
    }
  });

  (workload.kind === 'Job' ? test.skip : test)('has startup, readiness and liveness probes (a Job runs to completion: none)', () => {
    expect(container.startupProbe).toBeDefined();
    expect(container.readinessProbe).toBeDefined();
    expect(container.livenessProbe).toBeDefined();
  });
});

const serviceContainers = allContainers.filter(({ workload }) => (NODE_SERVICES as readonly string[]).includes(workload.name));

describe.each(serviceContainers.map((c) => [`${c.overlay}: ${c.id}`, c] as const))('%s', (_, { workload, container }) => {
  test('probes the routes every service serves: readiness /readyz, liveness and startup /healthz', () => {
    const port = container.ports?.find((p) => p.name === 'http');
    expect(port).toBeDefined();
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.startupProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
  });

  test('is not killed before it has drained: grace period > preStop sleep + graceful shutdown', () => {
    const sleep = preStopSleepSeconds(container);
    expect(sleep).toBeGreaterThanOrEqual(3);
    expect(workload.pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep + shutdownTimeoutSeconds);
  });

  test('has a writable /tmp', () => {
    const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
    expect(workload.pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
  });
});
