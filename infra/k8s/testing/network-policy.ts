import type { INetworkPolicy } from './models';

/**
 * Evaluates Kubernetes NetworkPolicies for the features MicroTick's use (matchLabels pod and
 * namespace selectors, ipBlock with except, numbered and named ports), with the API's semantics:
 * a pod selected by no policy of a type is not isolated for that direction; once selected, only
 * what some rule allows gets through, and a connection needs both the sender's egress and the
 * receiver's ingress. MicroTick's own pods live in one namespace; pods elsewhere are not subject
 * to these policies.
 */
export const APP_NAMESPACE = 'microtick';

export interface Peer {
  namespace: string;
  labels: Record<string, string>;
  /** An address outside the cluster (the internet, a private network), instead of a pod. */
  ip?: string;
}
export interface Destination extends Peer {
  ports: { name?: string; containerPort: number }[];
}

type Rule = { peers?: PolicyPeer[]; ports?: { port?: number | string; protocol?: string }[] };
type PolicyPeer = NonNullable<NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number]['from']>[number];
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };

const matches = (selector: Selector | undefined, labels: Record<string, string>): boolean => {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions are not implemented by this evaluator');
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
};

const ipToNumber = (ip: string): number => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const inCidr = (ip: string, cidr: string): boolean => {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipToNumber(ip) / size) === Math.floor(ipToNumber(base) / size);
};

function peerMatches(rulePeer: PolicyPeer, peer: Peer): boolean {
  if (rulePeer.ipBlock) return !!peer.ip && inCidr(peer.ip, rulePeer.ipBlock.cidr) && !(rulePeer.ipBlock.except ?? []).some((cidr) => inCidr(peer.ip as string, cidr));
  if (peer.ip) return false;
  const namespaceOk = rulePeer.namespaceSelector ? matches(rulePeer.namespaceSelector, { 'kubernetes.io/metadata.name': peer.namespace }) : peer.namespace === APP_NAMESPACE;
  return namespaceOk && matches(rulePeer.podSelector, peer.labels);
}

function portMatches(rule: Rule, port: number, protocol: string, destination: Destination): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.port === port;
    return destination.ports.some((named) => named.name === p.port && named.containerPort === port);
  });
}

const rulesOf = (policies: INetworkPolicy[], pod: Peer, direction: 'Ingress' | 'Egress'): Rule[] | undefined => {
  if (pod.namespace !== APP_NAMESPACE || pod.ip) return undefined;
  const selecting = policies.filter((p) => (p.spec?.policyTypes ?? ['Ingress']).includes(direction) && matches(p.spec?.podSelector, pod.labels));
  if (!selecting.length) return undefined; // not isolated in this direction
  return selecting.flatMap((p) =>
    direction === 'Ingress' ? (p.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (p.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports })),
  );
};

/** Whether `from` may open a connection to `to` on `port`. */
export function allows(policies: INetworkPolicy[], from: Peer, to: Destination, port: number, protocol = 'TCP'): boolean {
  const allowedBy = (rules: Rule[] | undefined, other: Peer) =>
    rules === undefined || rules.some((rule) => (!rule.peers?.length || rule.peers.some((peer) => peerMatches(peer, other))) && portMatches(rule, port, protocol, to));
  return allowedBy(rulesOf(policies, from, 'Egress'), to) && allowedBy(rulesOf(policies, to, 'Ingress'), from);
}

/** Whether a policy other than a namespace-wide one (default deny, DNS) names this pod. */
export const namedBySomePolicy = (policies: INetworkPolicy[], pod: Peer): boolean =>
  policies.some((p) => Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length > 0 && matches(p.spec?.podSelector, pod.labels));
