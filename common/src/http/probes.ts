import type { ReadinessCheck } from './create-service-app';

/** The paths every service answers for Kubernetes and Prometheus, outside the access log. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export interface ReadinessOptions {
  readiness?: ReadinessCheck[];
  /** False while shutting down, so load balancers stop sending traffic before we close. */
  isAcceptingTraffic?: () => boolean;
}

export interface ReadinessAnswer {
  status: 200 | 503;
  body: { status: 'ok' | 'unavailable' | 'stopping'; checks?: { name: string; ok: boolean; error?: string }[] };
}

/** `GET /readyz`'s answer: 503 while stopping or while any check fails or takes over 2 s, naming it. */
export async function readinessAnswer(options: ReadinessOptions): Promise<ReadinessAnswer> {
  if (options.isAcceptingTraffic && !options.isAcceptingTraffic()) return { status: 503, body: { status: 'stopping' } };
  const checks = await Promise.all(
    (options.readiness ?? []).map(async ({ name, check }) => {
      try {
        await withTimeout(check(), 2_000);
        return { name, ok: true };
      } catch (err) {
        return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  const failing = checks.some((c) => !c.ok);
  return { status: failing ? 503 : 200, body: { status: failing ? 'unavailable' : 'ok', checks } };
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
