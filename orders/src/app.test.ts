import { describedApiRoutes, mountedApiRoutes, testAppDeps, TEST_TICKET_CODE_KEYS } from '@microtick/common/testing';
import { buildApp } from './app';
import { OrderChangeFeed } from './orders/order-changes';
import { createOrdersTestDatabase, type OrdersTestDatabase } from './test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());

test('the orders app mounts exactly the routes common/src/api describes (docs/openapi.json)', () => {
  const app = buildApp({ ...testAppDeps(), db: database.db, ticketCodeKey: TEST_TICKET_CODE_KEYS.privateKey, expirationWindowSeconds: 900, orderChanges: new OrderChangeFeed() });
  expect(mountedApiRoutes(app)).toEqual(describedApiRoutes('/api/orders'));
});
