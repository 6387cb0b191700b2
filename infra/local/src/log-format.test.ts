import { formatLogLine } from './log-format';

const plain = { labelWidth: 8, color: false };
const pino = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: '2025-01-02T03:04:05.678Z', pid: 1, hostname: 'h', service: 'orders', name: 'orders', ...fields });

describe('formatLogLine', () => {
  it('prefixes plain lines with the padded label', () => {
    expect(formatLogLine('client', 'ready on 3000', plain)).toBe('client   | ready on 3000');
  });

  it('shows a pino line as time, level, message and the fields that matter', () => {
    expect(formatLogLine('orders#2', pino({ msg: 'listening', port: 3013 }), plain)).toBe('orders#2 | 03:04:05.678 INFO  listening {"port":3013}');
  });

  it('condenses a request log to method, url, status and duration', () => {
    const line = pino({ msg: 'request completed', reqId: 'r1', req: { method: 'POST', url: '/api/orders', headers: {} }, res: { statusCode: 201 }, responseTime: 12.4 });
    expect(formatLogLine('orders', line, plain)).toBe('orders   | 03:04:05.678 INFO  POST /api/orders → 201 (12 ms) {"reqId":"r1"}');
  });

  it('shows an error’s message and stack, every line prefixed', () => {
    const line = pino({ level: 50, msg: 'unhandled error', err: { message: 'boom', stack: 'Error: boom\n    at a (x.js:1:1)\n    at b (y.js:2:2)' } });
    expect(formatLogLine('orders', line, plain).split('\n')).toEqual([
      'orders   | 03:04:05.678 ERROR unhandled error — boom',
      'orders   |     at a (x.js:1:1)',
      'orders   |     at b (y.js:2:2)',
    ]);
  });

  it('leaves JSON that is not a pino line alone', () => {
    expect(formatLogLine('x', '{"hello":1}', { labelWidth: 1, color: false })).toBe('x | {"hello":1}');
  });

  it('colours the label, and errors in red, only when asked', () => {
    const coloured = formatLogLine('auth', pino({ level: 50, msg: 'down' }), { labelWidth: 4, color: true });
    expect(coloured).toMatch(/^\u001b\[\d+mauth \|\u001b\[0m \u001b\[31m.*down\u001b\[0m$/);
  });
});
