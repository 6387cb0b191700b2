import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceMetrics } from '@microtick/common';
import { waitFor } from '@microtick/common/testing';
import { publishExpirationComplete } from './expiration-complete.publisher';
import { registerExpirationMetrics } from './expiration-metrics';
import { createExpirationTestKit, type ExpirationTestKit } from '../test-support';

let kit: ExpirationTestKit;
beforeEach(async () => {
  kit = await createExpirationTestKit();
});
afterEach(() => kit.destroy());

const timer = (expiresInMs: number) => ({ orderId: randomUUID(), expiresAt: new Date(Date.now() + expiresInMs).toISOString() });
const storedOrderIds = async () => (await kit.storedExpirations()).map((event) => event.data.orderId);

describe('expiration worker', () => {
  it('counts each expiration it publishes and how late it was', async () => {
    const metrics = registerExpirationMetrics(new ServiceMetrics('test').registry);
    await kit.startWorker(metrics);
    await kit.timers.schedule(timer(100));
    await waitFor(() => kit.received.length === 1, { what: 'expiration:complete' });
    await waitFor(async () => (await metrics.published.get()).values[0]?.value === 1, { what: 'counter' });
    const lateness = await metrics.lateness.get();
    expect(lateness.values.find((v) => v.metricName === 'expiration_lateness_seconds_count')?.value).toBe(1);
  });

  it("settles a timer it fired without removing its completed job (which re-arms nothing), and still removes one that has not fired", async () => {
    await kit.startWorker();
    const [firing, pending] = [timer(0), timer(60_000)];
    await kit.timers.scheduleAll([firing, pending]);
    await waitFor(async () => (await kit.queue.getJob(firing.orderId))?.finishedOn, { what: 'job completed' });
    expect(kit.fired.has(firing.orderId)).toBe(true);
    const removals: string[] = [];
    const remove = kit.queue.remove.bind(kit.queue);
    kit.queue.remove = (jobId, opts) => (removals.push(jobId), remove(jobId, opts));

    await kit.timers.settleAll([firing.orderId, pending.orderId]);
    expect(removals).toEqual([pending.orderId]);
    expect(await kit.queue.getJob(pending.orderId)).toBeUndefined();
    expect(await kit.queue.getJob(firing.orderId).then((job) => job?.getState())).toBe('completed');
    // An order:created seen again (its processed mark lost) arms nothing: the job exists, and the marker is set.
    await kit.timers.schedule(firing);
    await sleep(300);
    expect(kit.received.map((r) => r.envelope.data.orderId)).toEqual([firing.orderId]);
  });

  it('keeps a job whose publish fails (stream missing) and publishes it on a later attempt', async () => {
    await kit.startWorker();
    await kit.bus.jsm.streams.delete(kit.bus.stream);
    const failing = timer(0);
    await kit.timers.schedule(failing);
    await waitFor(async () => ((await kit.queue.getJob(failing.orderId))?.attemptsMade ?? 0) >= 1, { what: 'a failed attempt' });
    expect(await kit.queue.getJob(failing.orderId).then((job) => job?.getState())).toBe('delayed'); // waiting for its retry

    await kit.recreateStream();
    await waitFor(async () => (await storedOrderIds()).includes(failing.orderId), { timeoutMs: 15_000, what: 'published on retry' });
    await waitFor(async () => (await kit.queue.getJob(failing.orderId))?.finishedOn, { what: 'job completed' });
    expect(await storedOrderIds()).toEqual([failing.orderId]);
  });

  it('publishes once when a worker died after publishing but before completing its job', async () => {
    const metrics = registerExpirationMetrics(new ServiceMetrics('test').registry);
    const job = timer(0);
    // What the dead worker managed to do: publish, but not mark the job complete.
    expect(await publishExpirationComplete(kit.bus, job)).toBe('published');
    await kit.timers.schedule(job);
    await kit.startWorker(metrics);

    await waitFor(async () => (await kit.queue.getJob(job.orderId))?.finishedOn, { what: 'job completed' });
    expect(kit.received).toHaveLength(2); // both publishes reached the subject …
    expect(await storedOrderIds()).toEqual([job.orderId]); // … but JetStream stored one
    expect((await metrics.published.get()).values[0]?.value ?? 0).toBe(0);
  });

  it('fires pending jobs after the worker is closed and started again', async () => {
    const worker = await kit.startWorker();
    const pending = timer(400);
    await kit.timers.schedule(pending);
    await worker.close();

    await sleep(700);
    expect(kit.received).toEqual([]);
    await kit.startWorker();
    await waitFor(() => kit.received.length === 1, { what: 'expiration:complete after the restart' });
    expect(kit.received[0]!.envelope.data.orderId).toBe(pending.orderId);
  });

  it('reports lateness for 200 orders expiring at the same moment', async () => {
    await kit.startWorker();
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const orderIds = Array.from({ length: 200 }, () => randomUUID());
    await Promise.all(orderIds.map((orderId) => kit.timers.schedule({ orderId, expiresAt })));

    await waitFor(() => kit.received.length === 200, { timeoutMs: 15_000, what: '200 expirations' });
    const lateness = kit.received.map(({ receivedAt }) => receivedAt - Date.parse(expiresAt)).sort((a, b) => a - b);
    const percentile = (p: number) => lateness[Math.min(lateness.length - 1, Math.ceil((p / 100) * lateness.length) - 1)]!;
    console.log(`expiration lateness for 200 orders expiring together: p50 ${percentile(50)} ms, p99 ${percentile(99)} ms, max ${lateness.at(-1)} ms`);
    expect(new Set(kit.received.map((r) => r.envelope.data.orderId))).toEqual(new Set(orderIds));
    expect(lateness[0]).toBeGreaterThanOrEqual(0);
    expect(percentile(99)).toBeLessThan(5_000);
  });
});
