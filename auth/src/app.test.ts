import { describedApiRoutes, mountedApiRoutes, type TestDatabase } from '@microtick/common/testing';
import request from 'supertest';
import type { AuthSchema } from './db/schema';
import { buildTestApp, createAuthTestDatabase } from './test-support';

let database: TestDatabase<AuthSchema>;
beforeAll(async () => {
  database = await createAuthTestDatabase();
});
afterAll(() => database.close());

describe('auth app', () => {
  it('serves health and Prometheus metrics labelled by route', async () => {
    const app = buildTestApp(database);
    await request(app).post('/api/users/signin').send({});
    expect((await request(app).get('/healthz')).status).toBe(200);
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/users\/signin"[^}]*status="400"/);
  });

  it('mounts exactly the routes common/src/api describes (docs/openapi.json)', () => {
    expect(mountedApiRoutes(buildTestApp(database))).toEqual(describedApiRoutes('/api/users'));
  });

  it('answers unknown routes under /api/users with 404 in the error shape', async () => {
    const res = await request(buildTestApp(database)).get('/api/users/everyone');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ message: 'Route not found' }] });
  });
});
