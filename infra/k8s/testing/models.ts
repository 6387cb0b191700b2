import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { GatewayClass, type IGatewayClass } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass';
import { Gateway, type IGateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { HTTPRoute, type IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { ScaledObject, type IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { ServiceMonitor, type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PodMonitor, type IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule, type IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { validateEnvoyProxy, type IEnvoyProxy } from './envoy-proxy';
import type { Manifest } from './kustomize';
import { StrictFieldChecker } from './strict-fields';

/**
 * The kinds MicroTick deploys (an allow-list: anything else is rejected) with the API version
 * each must use, its schema validation and the module declaring its fields.
 */
const kind = <T>(apiVersion: string, module: string, Model: new (data: T) => { validate(): void }) => ({
  apiVersion,
  module,
  validate: (m: Manifest) => new Model(m as unknown as T).validate(),
});

const KINDS = {
  ConfigMap: kind<IConfigMap>('v1', 'kubernetes-models/v1/ConfigMap', ConfigMap),
  Secret: kind<ISecret>('v1', 'kubernetes-models/v1/Secret', Secret),
  Service: kind<IService>('v1', 'kubernetes-models/v1/Service', Service),
  Deployment: kind<IDeployment>('apps/v1', 'kubernetes-models/apps/v1/Deployment', Deployment),
  StatefulSet: kind<IStatefulSet>('apps/v1', 'kubernetes-models/apps/v1/StatefulSet', StatefulSet),
  Job: kind<IJob>('batch/v1', 'kubernetes-models/batch/v1/Job', Job),
  NetworkPolicy: kind<INetworkPolicy>('networking.k8s.io/v1', 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', NetworkPolicy),
  PodDisruptionBudget: kind<IPodDisruptionBudget>('policy/v1', 'kubernetes-models/policy/v1/PodDisruptionBudget', PodDisruptionBudget),
  HorizontalPodAutoscaler: kind<IHorizontalPodAutoscaler>('autoscaling/v2', 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', HorizontalPodAutoscaler),
  GatewayClass: kind<IGatewayClass>('gateway.networking.k8s.io/v1', '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass', GatewayClass),
  Gateway: kind<IGateway>('gateway.networking.k8s.io/v1', '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway', Gateway),
  HTTPRoute: kind<IHTTPRoute>('gateway.networking.k8s.io/v1', '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute', HTTPRoute),
  EnvoyProxy: { apiVersion: 'gateway.envoyproxy.io/v1alpha1', module: require.resolve('./envoy-proxy'), validate: (m: Manifest) => validateEnvoyProxy(m as unknown as IEnvoyProxy) },
  ScaledObject: kind<IScaledObject>('keda.sh/v1alpha1', '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject', ScaledObject),
  ServiceMonitor: kind<IServiceMonitor>('monitoring.coreos.com/v1', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', ServiceMonitor),
  PodMonitor: kind<IPodMonitor>('monitoring.coreos.com/v1', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor', PodMonitor),
  PrometheusRule: kind<IPrometheusRule>('monitoring.coreos.com/v1', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', PrometheusRule),
};

export type Kind = keyof typeof KINDS;
const isKnownKind = (kind: string): kind is Kind => kind in KINDS;

/** API versions Kubernetes has removed (1.16, 1.22, 1.25, 1.26): a cluster refuses them. */
export const REMOVED_API_VERSIONS = [/^extensions\/v1beta1$/, /^apps\/v1beta\d+$/, /^networking\.k8s\.io\/v1beta1$/, /^policy\/v1beta1$/, /^autoscaling\/v2beta\d$/];

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
export type {
  IConfigMap,
  ISecret,
  IService,
  IDeployment,
  IStatefulSet,
  IJob,
  INetworkPolicy,
  IPodDisruptionBudget,
  IHorizontalPodAutoscaler,
  IGatewayClass,
  IGateway,
  IHTTPRoute,
  IEnvoyProxy,
  IScaledObject,
  IServiceMonitor,
  IPodMonitor,
  IPrometheusRule,
};
