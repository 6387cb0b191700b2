import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { isNotFound, type EventBus } from './event-bus';
import type { WaitingSummary } from './listener';

/** A durable pull consumer of the stream and the one subject it reads. */
export interface DurableConsumer {
  name: string;
  subject: string;
}

/**
 * Creates the durable consumer if it is missing (new ones start at the oldest event in the
 * stream; de-duplication skips what was applied), or brings an existing one's tunables up to
 * date while keeping its position.
 */
export async function ensureDurableConsumer(bus: EventBus, { name, subject }: DurableConsumer, ackWaitMs: number, logger: Logger): Promise<void> {
  const config = {
    ack_wait: nanos(ackWaitMs),
    // Unlimited on the server: the runner decides when to give up, and gives up by parking the
    // message in the dead-letter table. A server-side limit would drop the message silently
    // if the process died during the last attempt.
    max_deliver: -1,
    max_ack_pending: 1_000,
  };
  try {
    await bus.jsm.consumers.info(bus.stream, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await bus.jsm.consumers.add(bus.stream, { ...config, durable_name: name, filter_subject: subject, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    return;
  }
  await bus.jsm.consumers.update(bus.stream, name, config).catch((err: unknown) => {
    logger.warn({ err, consumer: name }, 'could not update consumer settings; keeping the old ones');
  });
}

/**
 * Sets the waiting and lag gauges: per consumer, the events waiting for a predecessor and the
 * oldest wait (`waiting`, from the store, so every replica reports the same), and the consumer's
 * pending count and the age of its oldest unacknowledged event (from JetStream).
 */
export async function setConsumerGauges(metrics: ServiceMetrics, bus: EventBus, consumers: readonly DurableConsumer[], waiting: readonly WaitingSummary[]): Promise<void> {
  const now = Date.now();
  for (const { name } of consumers) {
    const entry = waiting.find((w) => w.consumer === name);
    metrics.waitingEvents.set({ consumer: name }, entry?.count ?? 0);
    metrics.oldestWaitingAge.set({ consumer: name }, entry ? Math.max(0, (now - entry.oldestSince.getTime()) / 1000) : 0);
  }
  for (const { name, subject } of consumers) {
    const info = await bus.jsm.consumers.info(bus.stream, name);
    metrics.consumerPending.set({ consumer: name }, info.num_pending + info.num_ack_pending);
    let age = 0;
    if (info.num_pending + info.num_ack_pending > 0) {
      // The first message of this consumer's subject after its ack floor is the oldest it has not acknowledged.
      const oldest = await bus.jsm.streams
        .getMessage(bus.stream, { seq: info.ack_floor.stream_seq + 1, next_by_subj: subject } as unknown as { seq: number })
        .catch(() => null);
      if (oldest) age = Math.max(0, (now - oldest.time.getTime()) / 1000);
    }
    metrics.consumerOldestPendingAge.set({ consumer: name }, age);
  }
}
