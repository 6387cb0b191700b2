import { describedApiRoutes, mountedApiRoutes } from '@microtick/common/testing';
import { FIXTURE_TIMEOUT_MS, startPaymentsFixture, type PaymentsFixture } from './test-support';

let fixture: PaymentsFixture;
beforeAll(async () => {
  fixture = await startPaymentsFixture();
}, FIXTURE_TIMEOUT_MS);
afterAll(() => fixture.close());

test('the payments app mounts exactly the routes common/src/api describes (docs/openapi.json)', () => {
  expect(mountedApiRoutes(fixture.app())).toEqual(describedApiRoutes('/api/payments'));
});
