import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startStack, type Stack, type StackOptions } from '../../infra/local/src/stack';
import { RAISED_ABUSE_LIMITS } from '../../infra/local/src/stack-plan';

export interface TestStack extends Stack {
  /** Where every process's output went. */
  logFile: string;
}

/** A namespace of its own for one test stack; pass it to startTestStack to prepare its data first (e.g. its stream). */
export const newTestNamespace = (): string => `st_${randomBytes(5).toString('hex')}`;

/**
 * A whole MicroTick for one test file: free ports, a namespace of its own (databases, stream,
 * Redis keys) dropped again on stop, output in test-output/system-tests/<namespace>.log.
 * The per-user abuse limits are raised (RAISED_ABUSE_LIMITS) unless `serviceEnv` says otherwise.
 */
export async function startTestStack(options: Omit<StackOptions, 'ephemeral' | 'log' | 'color'> = {}): Promise<TestStack> {
  const namespace = options.namespace || newTestNamespace();
  const dir = path.join(REPO_ROOT, 'test-output/system-tests');
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, `${namespace}.log`);
  const log = createWriteStream(logFile);
  try {
    const stack = await startStack({ withClient: false, readyTimeoutMs: 90_000, serviceEnv: RAISED_ABUSE_LIMITS, ...options, namespace, ephemeral: true, color: false, log: (line) => log.write(`${line}\n`) });
    return {
      ...stack,
      logFile,
      stop: async () => {
        await stack.stop();
        await new Promise((resolve) => log.end(resolve));
      },
    };
  } catch (err) {
    log.end();
    throw new Error(`${(err as Error).message}\n(full output: ${logFile})`);
  }
}
