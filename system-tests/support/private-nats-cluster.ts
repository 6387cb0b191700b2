import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { waitFor } from '@microtick/common/testing';
import { findFreePorts } from '../../infra/local/src/ports';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

interface Node {
  name: string;
  clientPort: number;
  clusterPort: number;
  config: string;
  child?: ChildProcess;
}

/**
 * Three nats-servers clustered on loopback, each with JetStream on a store of its own: the shape of
 * production's NATS (infra/k8s/components/nats-cluster) on one machine, private to one test so it
 * can kill nodes without disturbing anyone. (nats-server 2.9.10 here: no sync_interval, which
 * production sets; clustering and RAFT work the same.)
 */
export class PrivateNatsCluster {
  private constructor(private readonly dir: string, private readonly nodes: Node[], private readonly log: (line: string) => void) {}

  static async start(log: (line: string) => void = () => undefined, size = 3): Promise<PrivateNatsCluster> {
    const ports = await findFreePorts(size * 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'microtick-nats-cluster-'));
    const names = Array.from({ length: size }, (_, i) => `n${i}`);
    const routes = names.map((_, i) => `nats://127.0.0.1:${ports[size + i]}`);
    const nodes = names.map((name, i): Node => {
      const store = path.join(dir, name);
      mkdirSync(store);
      const config = path.join(dir, `${name}.conf`);
      writeFileSync(
        config,
        [
          `server_name: ${name}`,
          `listen: 127.0.0.1:${ports[i]}`,
          `jetstream { store_dir: "${store}" }`,
          `cluster { name: microtick-test, listen: 127.0.0.1:${ports[size + i]}, routes: [${routes.join(', ')}] }`,
        ].join('\n'),
      );
      return { name, clientPort: ports[i] as number, clusterPort: ports[size + i] as number, config };
    });
    const cluster = new PrivateNatsCluster(dir, nodes, log);
    for (const node of nodes) cluster.launch(node);
    await cluster.waitForJetStream();
    return cluster;
  }

  /** Every node's client URL, comma-separated: what the services get as NATS_URL. */
  get url(): string {
    return this.nodes.map((node) => `nats://127.0.0.1:${node.clientPort}`).join(',');
  }

  get names(): string[] {
    return this.nodes.map((node) => node.name);
  }

  isUp(name: string): boolean {
    const child = this.node(name).child;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** kill -9: no lame-duck mode, no flush, no goodbye to clients or peers. */
  async kill(name: string): Promise<void> {
    const child = this.node(name).child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts a killed node again on its own store; it rejoins and catches up by itself. */
  restart(name: string): void {
    if (this.isUp(name)) throw new Error(`${name} is running`);
    this.launch(this.node(name));
  }

  /** The server leading the stream's RAFT group, asked of any node that answers. */
  async streamLeader(stream: string): Promise<string> {
    let leader = '';
    await waitFor(
      async () => {
        const nc = await connect({ servers: this.url.split(','), timeout: 2_000 }).catch(() => undefined);
        if (!nc) return false;
        try {
          const info = await (await jetstreamManager(nc, { timeout: 3_000 })).streams.info(stream);
          leader = info.cluster?.leader ?? '';
          return leader !== '';
        } catch {
          return false;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `a leader for stream ${stream}` },
    );
    return leader;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async ({ child }) => {
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        // 'close', not 'exit': the node's last output may still be in its pipes at 'exit', and the
        // caller may close its log once this resolves.
        const closed = once(child, 'close');
        child.kill('SIGTERM');
        await closed;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private node(name: string): Node {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  private launch(node: Node): void {
    const child = spawn(NATS_SERVER, ['-c', node.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    node.child = child;
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => this.log(`[${node.name}] ${chunk.toString().trimEnd()}`));
  }

  /** JetStream answers once the nodes have formed the cluster and elected a meta leader. */
  private async waitForJetStream(): Promise<void> {
    await waitFor(
      async () => {
        const nc = await connect({ servers: this.url.split(','), timeout: 2_000 }).catch(() => undefined);
        if (!nc) return false;
        try {
          await (await jetstreamManager(nc, { timeout: 3_000 })).getAccountInfo();
          return true;
        } catch {
          return false;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the NATS cluster to elect a JetStream meta leader' },
    );
  }
}
