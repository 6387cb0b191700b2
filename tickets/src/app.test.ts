import { describedApiRoutes, mountedApiRoutes } from '@microtick/common/testing';
import { testApp, useTicketsDatabase } from './test-support';

const database = useTicketsDatabase();

test('the tickets app mounts exactly the routes common/src/api describes (docs/openapi.json)', () => {
  expect(mountedApiRoutes(testApp(database()))).toEqual(describedApiRoutes('/api/tickets'));
});
