import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { Manifest } from './kustomize';
import { StrictFieldChecker } from './strict-fields';

/**
 * The kinds MicroTick deploys (an allow-list: anything else is rejected) with the API version
 * each must use, its schema validation and the module declaring its fields.
 */
const KINDS = {
  ConfigMap: { apiVersion: 'v1', module: 'kubernetes-models/v1/ConfigMap', validate: (m: Manifest) => new ConfigMap(m as unknown as IConfigMap).validate() },
  Secret: { apiVersion: 'v1', module: 'kubernetes-models/v1/Secret', validate: (m: Manifest) => new Secret(m as unknown as ISecret).validate() },
  Service: { apiVersion: 'v1', module: 'kubernetes-models/v1/Service', validate: (m: Manifest) => new Service(m as unknown as IService).validate() },
  Deployment: { apiVersion: 'apps/v1', module: 'kubernetes-models/apps/v1/Deployment', validate: (m: Manifest) => new Deployment(m as unknown as IDeployment).validate() },
  StatefulSet: { apiVersion: 'apps/v1', module: 'kubernetes-models/apps/v1/StatefulSet', validate: (m: Manifest) => new StatefulSet(m as unknown as IStatefulSet).validate() },
  Ingress: { apiVersion: 'networking.k8s.io/v1', module: 'kubernetes-models/networking.k8s.io/v1/Ingress', validate: (m: Manifest) => new Ingress(m as unknown as IIngress).validate() },
  PodDisruptionBudget: {
    apiVersion: 'policy/v1',
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    validate: (m: Manifest) => new PodDisruptionBudget(m as unknown as IPodDisruptionBudget).validate(),
  },
} as const;

type Kind = keyof typeof KINDS;
const isKnownKind = (kind: string): kind is Kind => kind in KINDS;

/** API versions Kubernetes has removed (1.16, 1.22, 1.25): a cluster refuses them. */
export const REMOVED_API_VERSIONS = [/^extensions\/v1beta1$/, /^apps\/v1beta\d+$/, /^networking\.k8s\.io\/v1beta1$/, /^policy\/v1beta1$/];

let strictChecker: StrictFieldChecker | undefined;
const strictFields = () =>
  (strictChecker ??= new StrictFieldChecker(Object.fromEntries(Object.entries(KINDS).map(([kind, { module }]) => [kind, module]))));

/** Everything wrong with one manifest, as readable lines (empty when it would apply cleanly). */
export function manifestProblems(manifest: Manifest): string[] {
  const id = `${manifest.kind}/${manifest.metadata.name}`;
  if (REMOVED_API_VERSIONS.some((removed) => removed.test(manifest.apiVersion))) return [`${id}: ${manifest.apiVersion} was removed from Kubernetes`];
  if (!isKnownKind(manifest.kind)) return [`${id}: kind ${manifest.kind} is not in the allow-list`];
  const { apiVersion, validate } = KINDS[manifest.kind];
  if (manifest.apiVersion !== apiVersion) return [`${id}: use ${apiVersion}, not ${manifest.apiVersion}`];
  const problems: string[] = [];
  try {
    validate(manifest);
  } catch (error) {
    problems.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
  }
  problems.push(...strictFields().unknownFields(manifest).map((problem) => `${id}: ${problem}`));
  return problems;
}

export const ofKind = <T>(manifests: Manifest[], kind: Kind): T[] => manifests.filter((m) => m.kind === kind) as unknown as T[];
export type { IConfigMap, ISecret, IService, IDeployment, IStatefulSet, IIngress, IPodDisruptionBudget };
