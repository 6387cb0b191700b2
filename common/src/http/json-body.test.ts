import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { jsonBodies } from './json-body';

const LIMIT = 1024;

/** An app that answers what its body reader made of the request: the body, the bytes `verify` saw, or the error's status and type. */
function appWith(reader: RequestHandler) {
  const app = express();
  const verified: Buffer[] = [];
  const errors: { status: number; type: string }[] = [];
  app.use(reader);
  app.post('/echo', (req, res) => {
    res.json({ body: req.body === undefined ? 'undefined' : req.body, verified: verified.pop()?.toString('hex') ?? null });
  });
  const onError: ErrorRequestHandler = (err: { status: number; type: string }, _req, res, _next) => {
    errors.push({ status: err.status, type: err.type });
    res.status(err.status).json({ status: err.status, type: err.type, verified: verified.pop()?.toString('hex') ?? null });
  };
  app.use(onError);
  return { app, verified, errors, verify: (_req: unknown, _res: unknown, body: Buffer) => { verified.push(body); } };
}

function pair() {
  const ours = appWith((req, res, next) => oursReader(req, res, next));
  const oursReader = jsonBodies({ limit: LIMIT, verify: ours.verify });
  const reference = appWith((req, res, next) => referenceReader(req, res, next));
  const referenceReader = express.json({ limit: LIMIT, verify: reference.verify });
  return { ours, reference };
}

const answerOf = async (app: express.Express, body: string | Buffer, headers: Record<string, string>) => {
  const res = await request(app).post('/echo').set(headers).send(body);
  return { status: res.status, body: res.body as unknown };
};

const JSON_TYPE = { 'Content-Type': 'application/json' };

describe('jsonBodies', () => {
  it.each([
    ['an object', '{"ticketId":"a","n":1.5,"nested":{"x":[1,null,true]}}', JSON_TYPE],
    ['an array', '[1,"two",{"three":3}]', JSON_TYPE],
    ['UTF-8 text', '{"title":"Café ✓ 🎟"}', JSON_TYPE],
    ['charset=utf-8', '{"a":1}', { 'Content-Type': 'application/json; charset=utf-8' }],
    ['charset=UTF-8', '{"a":1}', { 'Content-Type': 'Application/JSON; charset=UTF-8' }],
    ['an empty body', '', JSON_TYPE],
    ['whitespace before the object', ' \t\r\n{"a":1}', JSON_TYPE],
    ['whitespace only', '   ', JSON_TYPE],
    ['a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]), JSON_TYPE],
    ['invalid UTF-8 in a string', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), JSON_TYPE],
    ['a string at the top (strict)', '"just text"', JSON_TYPE],
    ['a number at the top (strict)', '42', JSON_TYPE],
    ['null at the top (strict)', 'null', JSON_TYPE],
    ['malformed JSON', '{"a":', JSON_TYPE],
    ['a non-breaking space before the object', '\u00a0{"a":1}', JSON_TYPE],
    ['a body over the limit', JSON.stringify({ a: 'x'.repeat(LIMIT) }), JSON_TYPE],
    ['a body just at the limit', JSON.stringify({ a: 'x'.repeat(LIMIT - 8) }), JSON_TYPE],
    ['a +json media type', '{"a":1}', { 'Content-Type': 'application/vnd.api+json' }],
    ['another media type', '{"a":1}', { 'Content-Type': 'text/plain' }],
    ['no Content-Type', '{"a":1}', {}],
    ['another charset', '{"a":1}', { 'Content-Type': 'application/json; charset=latin1' }],
    ['a gzipped body', gzipSync('{"a":1}'), { ...JSON_TYPE, 'Content-Encoding': 'gzip' }],
    ['an unknown encoding', '{"a":1}', { ...JSON_TYPE, 'Content-Encoding': 'nope' }],
  ] as const)('reads %s as express.json does', async (_what, body, headers) => {
    const { ours, reference } = pair();
    expect(await answerOf(ours.app, body, headers)).toEqual(await answerOf(reference.app, body, headers));
  });

  it('reads a chunked body and a body sent in pieces as express.json does', async () => {
    const { ours, reference } = pair();
    for (const { app } of [ours, reference]) {
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const port = (server.address() as AddressInfo).port;
      const send = (headers: Record<string, string>) =>
        new Promise<string>((resolve, reject) => {
          const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/echo', headers }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve(`${res.statusCode} ${text}`));
          });
          req.on('error', reject);
          req.write('{"ticketId":');
          setTimeout(() => req.end('"abc"}'), 20);
        });
      const inPieces = await send({ ...JSON_TYPE, 'Content-Length': String('{"ticketId":"abc"}'.length) });
      const chunked = await send({ ...JSON_TYPE, 'Transfer-Encoding': 'chunked' });
      server.close();
      expect([inPieces, chunked]).toEqual([
        `200 {"body":{"ticketId":"abc"},"verified":"${Buffer.from('{"ticketId":"abc"}').toString('hex')}"}`,
        `200 {"body":{"ticketId":"abc"},"verified":"${Buffer.from('{"ticketId":"abc"}').toString('hex')}"}`,
      ]);
    }
  });

  it('passes an aborted body on as body-parser does: a 400 of type request.aborted', async () => {
    const { ours, reference } = pair();
    for (const { app, errors } of [ours, reference]) {
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const port = (server.address() as AddressInfo).port;
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/echo', headers: { ...JSON_TYPE, 'Content-Length': '100' } });
      req.on('error', () => undefined);
      req.write('{"ticketId":');
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
      const deadline = Date.now() + 2_000;
      while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      server.close();
      expect(errors).toEqual([{ status: 400, type: 'request.aborted' }]);
    }
  });

  it('leaves a request without a body alone', async () => {
    const { ours } = pair();
    const res = await request(ours.app).post('/echo');
    expect(res.body).toEqual({ body: 'undefined', verified: null });
  });
});
