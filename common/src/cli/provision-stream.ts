#!/usr/bin/env node
/**
 * Creates MicroTick's stream, or brings it up to this version's configuration, and exits: what an
 * operator's admin identity does before the services start (they may not create or change
 * streams). Kubernetes runs it as the Job nats-stream (infra/k8s/base/nats-stream.yaml) from a
 * service image, which holds common:
 *   NATS_URL=… NATS_STREAM=MICROTICK NATS_STREAM_REPLICAS=3 NATS_USER=admin NATS_PASSWORD=… node common/dist/cli/provision-stream.js
 * The configuration is exactly the services' own (connectEventBus), so they find it as they expect.
 */
import { z } from 'zod';
import { connectEventBus } from '../bus/event-bus';
import { eventBusSettings, loadConfig, serviceConfigShape } from '../config';
import { createLogger } from '../logger';

const { NATS_URL, NATS_STREAM, NATS_STREAM_REPLICAS, NATS_STREAM_MAX_AGE_HOURS, NATS_STREAM_MAX_BYTES, NATS_SUBJECT_PREFIX, NATS_USER, NATS_PASSWORD, LOG_LEVEL } = serviceConfigShape;
export const provisionConfigSchema = z.object({ NATS_URL, NATS_STREAM, NATS_STREAM_REPLICAS, NATS_STREAM_MAX_AGE_HOURS, NATS_STREAM_MAX_BYTES, NATS_SUBJECT_PREFIX, NATS_USER, NATS_PASSWORD, LOG_LEVEL });

async function main(): Promise<void> {
  const config = loadConfig(provisionConfigSchema);
  const logger = createLogger('provision-stream', config.LOG_LEVEL);
  // The settings the services use (eventBusSettings), so they find the stream as they expect.
  const bus = await connectEventBus({ ...eventBusSettings(config), name: 'microtick-provision-stream', logger });

  const info = await bus.jsm.streams.info(bus.stream);
  logger.info({ stream: info.config.name, replicas: info.config.num_replicas, subjects: info.config.subjects }, 'stream provisioned');
  await bus.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
