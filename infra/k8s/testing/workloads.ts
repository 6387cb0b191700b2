import type { IIoK8sApiCoreV1Container as Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1PodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
import type { Manifest } from './kustomize';
import { ofKind, type IConfigMap, type IDeployment, type IJob, type ISecret, type IStatefulSet } from './models';

export type { Container, PodSpec };

export interface Workload {
  kind: 'Deployment' | 'StatefulSet' | 'Job';
  name: string;
  replicas: number;
  labels: Record<string, string>;
  pod: PodSpec;
  /** A StatefulSet's volumeClaimTemplates, which its containers mount like volumes. */
  claimTemplates: string[];
}

/** Deployments, StatefulSets and Jobs with their pod templates (schema-validated before use). */
export function workloads(manifests: Manifest[]): Workload[] {
  const all: Workload[] = [];
  for (const kind of ['Deployment', 'StatefulSet', 'Job'] as const) {
    for (const workload of ofKind<IDeployment | IStatefulSet | IJob>(manifests, kind)) {
      const template = workload.spec?.template;
      if (!template?.spec) throw new Error(`${kind}/${workload.metadata?.name} has no pod template`);
      all.push({
        kind,
        name: workload.metadata?.name ?? '',
        replicas: workload.spec && 'replicas' in workload.spec ? workload.spec.replicas ?? 1 : 1,
        labels: template.metadata?.labels ?? {},
        pod: template.spec,
        claimTemplates: (workload.spec && 'volumeClaimTemplates' in workload.spec ? workload.spec.volumeClaimTemplates ?? [] : []).map(
          (claim) => claim.metadata?.name ?? '',
        ),
      });
    }
  }
  return all;
}

export interface ContainerEnvironment {
  /** Every variable the process sees, by name, after Kubernetes' `$(VAR)` expansion. */
  values: Map<string, string>;
  /** Variables whose ConfigMap or Secret is not among the manifests (created by the operator). */
  external: string[];
  /** `$(VAR)` references Kubernetes would leave unexpanded (VAR not defined before). */
  unexpanded: string[];
}

/** The environment Kubernetes gives a container: envFrom first, then env in order. */
export function containerEnvironment(container: Container, manifests: Manifest[]): ContainerEnvironment {
  const configMaps = new Map(ofKind<IConfigMap>(manifests, 'ConfigMap').map((c) => [c.metadata?.name, c.data ?? {}]));
  const secrets = new Map(
    ofKind<ISecret>(manifests, 'Secret').map((s) => [
      s.metadata?.name,
      Object.fromEntries(Object.entries(s.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')])),
    ]),
  );
  const values = new Map<string, string>();
  const external: string[] = [];
  const unexpanded: string[] = [];

  for (const source of container.envFrom ?? []) {
    const data = source.configMapRef ? configMaps.get(source.configMapRef.name) : secrets.get(source.secretRef?.name);
    if (!data) throw new Error(`${container.name}: envFrom names a ConfigMap or Secret that does not exist`);
    for (const [key, value] of Object.entries(data)) values.set(`${source.prefix ?? ''}${key}`, value);
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      values.set(variable.name, expand(variable.value, values, external, unexpanded));
      continue;
    }
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    if (fieldPath) {
      // The pod's own field (its name, …): defined, with a value known only in the cluster.
      values.set(variable.name, `(pod field ${fieldPath})`);
      continue;
    }
    const configMapRef = variable.valueFrom?.configMapKeyRef;
    const secretRef = variable.valueFrom?.secretKeyRef;
    const ref = configMapRef ?? secretRef;
    if (!ref) throw new Error(`${container.name}: ${variable.name} uses a valueFrom this check does not resolve`);
    const data = configMapRef ? configMaps.get(ref.name) : secrets.get(ref.name);
    const value = data?.[ref.key];
    if (value !== undefined) values.set(variable.name, value);
    else if (ref.optional) continue;
    else if (data) throw new Error(`${container.name}: ${variable.name} names key ${ref.key}, which ${ref.name} does not have`);
    else if (!ref.optional) external.push(variable.name);
  }
  return { values, external, unexpanded };
}

/**
 * Kubernetes' dependent-variable expansion: `$(NAME)` of a variable defined before, `$$` escapes.
 * A variable from an operator-created Secret is defined, with a value we cannot know here.
 */
function expand(value: string, defined: Map<string, string>, external: string[], unexpanded: string[]): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    const resolved = defined.get(name);
    if (resolved === undefined && !external.includes(name)) unexpanded.push(name);
    return resolved ?? match;
  });
}

export const containersOf = (workload: Workload): Container[] => [...(workload.pod.initContainers ?? []), ...workload.pod.containers];
