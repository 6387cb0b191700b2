import { describedApiRoutes, mountedApiRoutes } from '@microtick/common/testing';
import { createOrdersTestDatabase, type OrdersTestDatabase, testApp } from './test-support';

let database: OrdersTestDatabase;
beforeAll(async () => {
  database = await createOrdersTestDatabase();
});
afterAll(() => database.close());

test('the orders app mounts exactly the routes common/src/api describes (docs/openapi.json)', () => {
  const app = testApp(database.db);
  expect(mountedApiRoutes(app)).toEqual(describedApiRoutes('/api/orders'));
});
