export { defaultRouteTableFile, loadRouteTable, parseRouteTable, routeFor, matchesPrefix, type RouteTable, type Route } from './routes';
export { createGateway, startGateway, type Gateway, type GatewayOptions, type RunningGateway } from './gateway';
export { startStack, DEFAULT_INFRA, REPO_ROOT, type Stack, type StackOptions, type StackInstance, type RunningProcessInfo } from './stack';
export { SERVICES, DEFAULT_PORTS, namespaceNames, RAISED_ABUSE_LIMITS, postgresTransportOf, type ServiceName, type ProcessName, type InfraUrls } from './stack-plan';
export { parseReplicas } from './replicas-env';
export { dropNamespaceData } from './namespace-data';
export { groupResidentMemory, residentMemoryKb } from './measure-memory';
export { settled, streamPosition, type EventFlow, type StreamPosition } from './settled';
