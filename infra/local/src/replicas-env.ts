import { isServiceName, MAX_REPLICAS, SERVICES, type ServiceName } from './stack-plan';

/** Parses `REPLICAS=orders=2,tickets=2`; throws a message naming what is wrong. */
export function parseReplicas(text: string | undefined): Partial<Record<ServiceName, number>> {
  const replicas: Partial<Record<ServiceName, number>> = {};
  for (const item of (text ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([a-z]+)=(\d+)$/.exec(item);
    const service = match?.[1] ?? '';
    const count = Number(match?.[2]);
    if (!match || !isServiceName(service)) {
      throw new Error(`REPLICAS: "${item}" should be <service>=<count> with a service among ${SERVICES.join(', ')}`);
    }
    if (count < 1 || count > MAX_REPLICAS) throw new Error(`REPLICAS: ${service} must have 1–${MAX_REPLICAS} replicas, got ${count}`);
    replicas[service] = count;
  }
  return replicas;
}
