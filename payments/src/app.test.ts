import { describedApiRoutes, mountedApiRoutes } from '@microtick/common/testing';
import { usePaymentsFixture } from './test-support';

const fixture = usePaymentsFixture();

test('the payments app mounts exactly the routes common/src/api describes (docs/openapi.json)', () => {
  expect(mountedApiRoutes(fixture.app())).toEqual(describedApiRoutes('/api/payments'));
});
