import { silentLogger } from '@microtick/common/testing';
import { createExpirationTestKit, type ExpirationTestKit } from '../test-support';
import { startExpirationResources } from './expiration-resources';

let kit: ExpirationTestKit;
const stops: { step: string; stop: () => unknown }[] = [];
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(async () => {
  for (const { stop } of stops.splice(0).reverse()) await stop();
  await kit.destroy();
});

describe('expiration resources', () => {
  it('is ready while Redis answers and not once it is gone, and registers the queue to close before Redis', async () => {
    const resources = await startExpirationResources(kit.config, { logger: silentLogger, onStop: (step, stop) => stops.push({ step, stop }) });
    expect(stops.map((s) => s.step)).toEqual(['redis', 'queue']);
    const [redisCheck] = resources.readiness;
    await expect(redisCheck!.check()).resolves.toBe('PONG');
    for (const { stop } of stops.splice(0).reverse()) await stop(); // as on shutdown: the queue, then Redis
    await expect(redisCheck!.check()).rejects.toThrow('Connection is closed.');
  });
});
