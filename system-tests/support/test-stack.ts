import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_INFRA, REPO_ROOT, startStack, type Stack, type StackOptions } from '../../infra/local/src/stack';
import { RAISED_ABUSE_LIMITS } from '../../infra/local/src/stack-plan';
import { BusProbe } from './settle';
import { StackDatabases } from './stack-databases';

export interface TestStack extends Stack {
  /** Where every process's output went. */
  logFile: string;
}

export type TestStackOptions = Omit<StackOptions, 'ephemeral' | 'log' | 'color'>;

/** A namespace of its own for one test stack; pass it to startTestStack to prepare its data first (e.g. its stream). */
export const newTestNamespace = (): string => `st_${randomBytes(5).toString('hex')}`;

/**
 * A whole MicroTick for one test file: free ports, a namespace of its own (databases, stream,
 * Redis keys) dropped again on stop, output in test-output/system-tests/<namespace>.log.
 * The per-user abuse limits are raised (RAISED_ABUSE_LIMITS) unless `serviceEnv` says otherwise.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
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

/** A running test stack and what the tests watch it by: its databases and its stream. */
export interface StackUnderTest {
  stack: TestStack;
  databases: StackDatabases;
  bus: BusProbe;
}

/**
 * A test stack for the whole file: started before its tests, handed to `started` (which usually
 * assigns the file's variables), and stopped after them, before `afterStop` (say, a private server
 * the stack used). `options` may be a function, called when the stack starts, so it can start such a
 * server first; the bus probe watches the NATS the options name.
 */
export function useTestStack(
  options: TestStackOptions | (() => TestStackOptions | Promise<TestStackOptions>),
  started: (running: StackUnderTest) => void,
  { afterStop, startTimeoutMs = 120_000, stopTimeoutMs = 60_000 }: { afterStop?: () => unknown; startTimeoutMs?: number; stopTimeoutMs?: number } = {},
): void {
  const running: Partial<StackUnderTest> = {};
  beforeAll(async () => {
    const stackOptions = typeof options === 'function' ? await options() : options;
    running.stack = await startTestStack(stackOptions);
    running.databases = StackDatabases.open(running.stack.namespace);
    running.bus = await BusProbe.open(stackOptions.infra?.nats ?? DEFAULT_INFRA.nats, running.stack.namespace);
    started(running as StackUnderTest);
  }, startTimeoutMs);
  afterAll(async () => {
    await running.bus?.close();
    await running.databases?.close();
    await running.stack?.stop();
    await afterStop?.();
  }, stopTimeoutMs);
}
