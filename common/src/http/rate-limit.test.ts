import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import request from 'supertest';
import { TooManyRequestsError } from '../errors/http-errors';
import { silentLogger } from '../testing';
import { perMinuteLimiter, type PerMinuteLimiterOptions } from './rate-limit';

/** express-rate-limit 8 configured as perMinuteLimiter was before it: the reference. */
const reference = (options: PerMinuteLimiterOptions): RequestHandler =>
  rateLimit({
    windowMs: 60_000,
    limit: options.limit,
    identifier: options.policy,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(options.keyGenerator ? { keyGenerator: options.keyGenerator } : {}),
    skipSuccessfulRequests: options.countFailuresOnly ?? false,
    handler: (_req, _res, next) => next(new TooManyRequestsError(options.message)),
  });

const errors: ErrorRequestHandler = (err, _req, res, _next) => {
  res.status((err as TooManyRequestsError).statusCode ?? 500).json({ errors: [{ message: (err as Error).message }] });
};

/** An app with the given limiters on POST /try; `?fail=1` answers 400, else 200. */
function appWith(...limiters: RequestHandler[]) {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.post('/try', ...limiters, (req, res) => {
    res.status(req.query.fail ? 400 : 200).json({});
  });
  app.use(errors);
  return app;
}

const RATE_HEADERS = ['ratelimit', 'ratelimit-policy', 'retry-after'] as const;

/** Status, body and rate-limit headers of each request, `t=` and Retry-After within a second of each other. */
async function answers(app: express.Express, requests: { ip: string; user?: string; fail?: boolean }[]) {
  const seen = [];
  for (const { ip, user, fail } of requests) {
    const req = request(app).post(`/try${fail ? '?fail=1' : ''}`).set('X-Forwarded-For', ip);
    const res = await (user ? req.set('X-User', user) : req);
    const headers = Object.fromEntries(RATE_HEADERS.map((name) => [name, res.headers[name]]));
    seen.push({ status: res.status, body: res.body as unknown, headers });
  }
  return seen;
}

/** `t=N` and Retry-After may differ by a second between two runs a few ms apart. */
const withoutSeconds = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/t=\d+/g, 't=*').replace(/"retry-after":"\d+"/g, '"retry-after":"*"')) as unknown;

describe('perMinuteLimiter', () => {
  it('answers as express-rate-limit did: counts, 429 in the error shape, draft-8 headers, Retry-After, per IP', async () => {
    const options = { policy: 'tries-per-ip', limit: 3, message: 'Too many tries', logger: silentLogger };
    const sequence = [...Array(5).fill({ ip: '203.0.113.1' }), { ip: '203.0.113.2' }, { ip: '2001:db8::1' }, { ip: '2001:db8::2' }];
    const ours = await answers(appWith(perMinuteLimiter(options)), sequence);
    const theirs = await answers(appWith(reference(options)), sequence);
    expect(withoutSeconds(ours)).toEqual(withoutSeconds(theirs));
    expect(ours[3]).toMatchObject({ status: 429, body: { errors: [{ message: 'Too many tries' }] } });
    expect(Number(ours[3]?.headers['retry-after'])).toBeGreaterThan(0);
    expect(ours[0]?.headers.ratelimit).toMatch(/^"tries-per-ip"; r=2; t=(60|59)$/);
  });

  it('counts only failures when asked, and keys by what keyGenerator says', async () => {
    const options = { policy: 'failures', limit: 2, message: 'Too many failures', keyGenerator: (req: Request) => `user:${req.get('x-user') ?? '-'}`, countFailuresOnly: true };
    const sequence = [
      { ip: '203.0.113.1', user: 'a' }, { ip: '203.0.113.1', user: 'a' }, { ip: '203.0.113.1', user: 'a' },
      { ip: '203.0.113.1', user: 'a', fail: true }, { ip: '203.0.113.1', user: 'a', fail: true }, { ip: '203.0.113.1', user: 'a' },
      { ip: '203.0.113.1', user: 'b', fail: true },
    ];
    const ours = await answers(appWith(perMinuteLimiter(options)), sequence);
    const theirs = await answers(appWith(reference(options)), sequence);
    expect(withoutSeconds(ours)).toEqual(withoutSeconds(theirs));
    expect(ours.map((answer) => answer.status)).toEqual([200, 200, 200, 400, 400, 429, 400]);
  });

  it('sends one header value per limiter when a route has several', async () => {
    const perIp = { policy: 'per-ip', limit: 5, message: 'ip' };
    const perUser = { policy: 'per-user', limit: 1, message: 'user', keyGenerator: (req: Request) => req.get('x-user') ?? '-' };
    const sequence = [{ ip: '203.0.113.1', user: 'a' }, { ip: '203.0.113.1', user: 'a' }];
    const ours = await answers(appWith(perMinuteLimiter(perIp), perMinuteLimiter(perUser)), sequence);
    const theirs = await answers(appWith(reference(perIp), reference(perUser)), sequence);
    expect(withoutSeconds(ours)).toEqual(withoutSeconds(theirs));
    expect(ours[1]).toMatchObject({ status: 429, body: { errors: [{ message: 'user' }] } });
  });
});
