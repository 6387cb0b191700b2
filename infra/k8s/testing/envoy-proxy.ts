/**
 * The part of Envoy Gateway's EnvoyProxy (gateway.envoyproxy.io/v1alpha1) MicroTick sets: the
 * Service of a Gateway's proxies. No published model covers Envoy Gateway's CRDs, so this subset
 * is written from its API reference (https://gateway.envoyproxy.io/docs/api/extension_types/);
 * the unknown-field walker checks manifests against it like against the published models.
 */
export interface IEnvoyProxy {
  apiVersion: 'gateway.envoyproxy.io/v1alpha1';
  kind: 'EnvoyProxy';
  metadata?: { name?: string; namespace?: string; labels?: { [key: string]: string }; annotations?: { [key: string]: string } };
  spec: {
    provider: {
      type: 'Kubernetes';
      kubernetes?: {
        envoyService?: {
          name?: string;
          type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
          annotations?: { [key: string]: string };
        };
      };
    };
  };
}

const SERVICE_TYPES = ['ClusterIP', 'LoadBalancer', 'NodePort'];

/** Throws like the published models' `validate()` when a required field or an enum value is wrong. */
export function validateEnvoyProxy(proxy: IEnvoyProxy): void {
  if (proxy.spec?.provider?.type !== 'Kubernetes') throw new Error('spec.provider.type must be Kubernetes');
  const type = proxy.spec.provider.kubernetes?.envoyService?.type;
  if (type !== undefined && !SERVICE_TYPES.includes(type)) throw new Error(`spec.provider.kubernetes.envoyService.type must be one of ${SERVICE_TYPES.join(', ')}`);
}
