import { createLogger, type Logger } from './logger';

// The secrets are listed here, not imported from the logger, so that dropping one from the
// logger's list fails this test.
const SECRET_FIELDS = [
  'password', 'currentPassword', 'newPassword', 'passwordHash', 'jwt', 'token', 'session',
  'JWT_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'NATS_PASSWORD', 'REDIS_PASSWORD', 'DATABASE_URL', 'REDIS_URL',
  'stripeSecretKey', 'webhookSecret', 'jwtKey',
  'card', 'cvc', 'cvv', 'number', 'exp_month', 'exp_year', 'client_secret', 'clientSecret', 'payment_method_data',
];
const SECRET_REQUEST_HEADERS = ['cookie', 'authorization', 'proxy-authorization', 'stripe-signature', 'x-api-key'];

function capture(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const written: string[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => { written.push(line); } });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>), text: () => written.join('') };
}

const secretOf = (field: string) => `s3cret-${field}-value`;

describe('createLogger redaction', () => {
  it.each(SECRET_FIELDS)('removes %s at the top level, one level down, in req.body, in a child binding and in an error', (field) => {
    const { logger, lines, text } = capture();
    const secret = secretOf(field);
    logger.info({ [field]: secret, kept: 'visible-1' }, 'top');
    logger.info({ payload: { [field]: secret, kept: 'visible-2' } }, 'nested');
    logger.info({ req: { method: 'POST', body: { [field]: secret, kept: 'visible-3' } } }, 'body');
    logger.child({ [field]: secret, scope: { [field]: secret } }).info('child');
    logger.error({ err: Object.assign(new Error('with a field'), { [field]: secret }) }, 'err');
    logger.error({ failure: Object.assign(new Error('under another key'), { [field]: secret }) }, 'error');
    // Objects interpolated as values rather than fields are not searched two levels down:
    // the limit is the one documented (top level and one below), as with the earlier path redaction.
    expect(text()).not.toContain(secret);
    const [top, nested, body, child, err, error] = lines();
    expect(top).toMatchObject({ [field]: '[redacted]', kept: 'visible-1' });
    expect(nested).toMatchObject({ payload: { [field]: '[redacted]', kept: 'visible-2' } });
    expect(body).toMatchObject({ req: { method: 'POST', body: { [field]: '[redacted]', kept: 'visible-3' } } });
    expect(child).toMatchObject({ [field]: '[redacted]', scope: { [field]: '[redacted]' } });
    expect(err).toMatchObject({ err: { message: 'with a field', [field]: '[redacted]' } });
    expect(error).toMatchObject({ failure: { [field]: '[redacted]' } });
  });

  it.each(SECRET_REQUEST_HEADERS)('removes the %s request header and Set-Cookie, logged with the line or bound to a child', (header) => {
    const { logger, lines, text } = capture();
    const req = { method: 'GET', url: '/x', headers: { [header]: 'Bearer s3cret-header', accept: 'application/json' } };
    const res = { statusCode: 200, headers: { 'set-cookie': 'session=s3cret-cookie', 'content-type': 'application/json' } };
    logger.info({ req, res }, 'request completed');
    logger.child({ req }).info('from a handler');
    expect(text()).not.toContain('s3cret');
    for (const line of lines()) {
      expect(line).toMatchObject({ req: { headers: { [header]: '[redacted]', accept: 'application/json' } } });
    }
    expect(lines()[0]).toMatchObject({ res: { headers: { 'set-cookie': '[redacted]', 'content-type': 'application/json' } } });
  });

  it('leaves the logged objects as they were', () => {
    const { logger } = capture();
    const fields = { password: 'p', body: { card: { number: '4242' } }, req: { headers: { cookie: 'c' } } };
    const before = structuredClone(fields);
    logger.info(fields, 'x');
    logger.child(fields).info('y');
    expect(fields).toEqual(before);
  });

  it('writes a line without secrets unchanged', () => {
    const { logger, lines } = capture();
    logger.info({ orderId: 'o1', counts: { a: 1 }, list: [{ number: 3 }] }, 'fine');
    expect(lines()[0]).toMatchObject({ service: 'test', msg: 'fine', orderId: 'o1', counts: { a: 1 }, list: [{ number: 3 }] });
  });
});
