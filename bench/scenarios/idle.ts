import { rssOf } from '../lib/children.js';
import { monotonicMs, pool, sleep, within } from '../lib/clock.js';
import { GqlWsConnection } from '../lib/gql-ws.js';
import type { Gateway } from '../lib/harness.js';

export interface IdleResult {
  connections: number;
  opened: number;
  openMs: number;
  rssBefore: number;
  rssAfter: number;
  heapUsedBefore: number;
  heapUsedAfter: number;
  /** (RSS holding the connections − RSS before) ÷ connections, both after a full GC. */
  rssPerConnection: number;
  heapPerConnection: number;
}

/**
 * Scenario 4: idle WebSockets, each past connection_init/connection_ack and
 * holding no subscription: what a connected but quiet client costs.
 */
export async function idleScenario(gateway: Gateway, count: number): Promise<IdleResult> {
  const pid = gateway.child.pid;
  const before = await gateway.child.call<NodeJS.MemoryUsage>('gc');
  const rssBefore = rssOf(pid);
  const connections: GqlWsConnection[] = [];
  const started = monotonicMs();
  await within(180_000, `opening ${count} WebSockets`, pool(Array.from({ length: count }), 200, async () => {
    connections.push(await GqlWsConnection.open(gateway.wsUrl, 60_000));
  }));
  const openMs = monotonicMs() - started;
  await sleep(1000);
  const after = await gateway.child.call<NodeJS.MemoryUsage>('gc');
  const rssAfter = rssOf(pid);
  for (const connection of connections) connection.terminate();
  return {
    connections: count,
    opened: connections.length,
    openMs,
    rssBefore,
    rssAfter,
    heapUsedBefore: before.heapUsed,
    heapUsedAfter: after.heapUsed,
    rssPerConnection: (rssAfter - rssBefore) / connections.length,
    heapPerConnection: (after.heapUsed - before.heapUsed) / connections.length,
  };
}
