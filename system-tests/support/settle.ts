import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsAuthOptions, natsServers } from '@microtick/common';
import { NATS_ADMIN } from '@microtick/common/testing';
import { streamPosition, type EventFlow, type StreamPosition } from '../../infra/local/src/settled';
import { namespaceNames, SERVICES } from '../../infra/local/src/stack-plan';
import type { Stack } from '../../infra/local/src/stack';
import type { StackDatabases } from './stack-databases';

export interface ConsumerBacklog {
  consumer: string;
  /** Not yet delivered. */
  pending: number;
  /** Delivered (or nak'ed for later) and not yet acknowledged. */
  unacknowledged: number;
}

/** Watches the stack's JetStream stream: how far behind each durable consumer is. */
export class BusProbe {
  private constructor(private readonly nc: NatsConnection, private readonly jsm: JetStreamManager, private readonly stream: string) {}

  static async open(natsUrl: string, namespace: string): Promise<BusProbe> {
    const nc = await connect({ servers: natsServers(natsUrl), name: 'system-tests-probe', maxReconnectAttempts: -1, reconnectTimeWait: 250, ...natsAuthOptions(NATS_ADMIN) });
    return new BusProbe(nc, await jetstreamManager(nc), namespaceNames(namespace).stream);
  }

  async backlog(): Promise<ConsumerBacklog[]> {
    const backlog: ConsumerBacklog[] = [];
    for await (const info of this.jsm.consumers.list(this.stream)) {
      backlog.push({ consumer: info.name, pending: info.num_pending, unacknowledged: info.num_ack_pending });
    }
    return backlog;
  }

  async position(): Promise<StreamPosition> {
    return streamPosition(this.jsm, this.stream);
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}

/**
 * The system tests' waits: `settled()` for the whole stack (infra/local/src/settled.ts, which the
 * bench uses too) and common's `retrying()` for assertions that only eventually hold.
 */
export { settled } from '../../infra/local/src/settled';
export { retrying } from '@microtick/common/testing';

/**
 * A stack's work in flight, as `settled()` watches it: its outboxes and its stream, and the
 * captures and voids payments' settler still owes for orders already decided (it works after the
 * events, so a digest taken before it is done would see `payments.payments` change later).
 */
export const eventFlow = (databases: StackDatabases, bus: BusProbe): EventFlow => ({
  unpublished: async () => Object.values(await databases.outboxBacklog()).reduce((sum, rows) => sum + rows, 0) + (await databases.unsettledPayments()),
  stream: () => bus.position(),
});

/** Labels of the service processes whose `/readyz` does not answer 200. */
export async function unreadyServices(stack: Stack): Promise<string[]> {
  const instances = SERVICES.flatMap((service) => stack.services[service] ?? []);
  const ready = await Promise.all(
    instances.map(async (instance) => {
      try {
        const response = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(3_000) });
        await response.body?.cancel();
        return response.status === 200;
      } catch {
        return false;
      }
    }),
  );
  return instances.filter((_, i) => !ready[i]).map((instance) => instance.label);
}
