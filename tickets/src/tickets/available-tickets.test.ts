import { useTicketsDatabase } from '../test-support';
import { availableTickets } from './available-tickets';

const database = useTicketsDatabase();

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe('the available-tickets listing', () => {
  it('walks the partial index in order: no sort, no sequential scan, no reserved rows read', async () => {
    const { pool } = database();
    // A few thousand tickets, every third one reserved, with statistics as a live table has them.
    await pool.query(`
      insert into tickets (title, price_cents, user_id, order_id, created_at)
      select 'T' || i, 1000 + i, gen_random_uuid(), case when i % 3 = 0 then gen_random_uuid() end,
             now() - make_interval(secs => i)
      from generate_series(1, 5000) as i`);
    await pool.query('analyze tickets');

    for (const page of [{ limit: 50, offset: 0 }, { limit: 100, offset: 500 }]) {
      const query = availableTickets(database().db, page).toSQL();
      const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (format json) ${query.sql}`, query.params);
      const nodes = nodesOf(rows[0]!['QUERY PLAN'][0].Plan);

      expect(nodes.map((n) => n['Node Type'])).toEqual(['Limit', 'Index Scan']);
      expect(nodes[1]!['Index Name']).toBe('tickets_available_newest_idx');
    }
  });
});
