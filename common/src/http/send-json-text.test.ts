import express, { type Response } from 'express';
import request from 'supertest';
import { sendJsonText } from './send-json-text';
import { weakETag } from './weak-etag';

const TEXT = JSON.stringify([{ id: 'a', title: 'Café ✓ 🎟', price: 19.99 }]);

/** Two apps, each answering GET/HEAD /page one way; `status` lets a route set another status first. */
function apps(etag: unknown) {
  const make = (send: (req: express.Request, res: Response) => void) => {
    const app = express();
    app.set('etag', etag);
    app.all('/page', (req, res) => {
      if (req.query.status) res.status(Number(req.query.status));
      send(req, res);
    });
    return app;
  };
  return { ours: make((req, res) => sendJsonText(req, res, TEXT)), express: make((_req, res) => { res.type('json').send(TEXT); }) };
}

const HEADERS = ['content-type', 'content-length', 'etag', 'transfer-encoding'];
const answerOf = async (app: express.Express, method: 'get' | 'head' | 'post', path: string, headers: Record<string, string> = {}) => {
  const res = await request(app)[method](path).set(headers);
  return { status: res.status, text: res.text, headers: Object.fromEntries(HEADERS.map((name) => [name, res.headers[name]])) };
};

describe('sendJsonText', () => {
  it.each([
    ['a GET', 'get', '/page', {}],
    ['a HEAD', 'head', '/page', {}],
    ['a POST', 'post', '/page', {}],
    ['a GET with the matching ETag', 'get', '/page', { 'If-None-Match': weakETag(TEXT) }],
    ['a GET with the ETag among others', 'get', '/page', { 'If-None-Match': `"x", ${weakETag(TEXT)}` }],
    ['a GET with another ETag', 'get', '/page', { 'If-None-Match': '"nope"' }],
    ['a GET with the ETag but no-cache', 'get', '/page', { 'If-None-Match': weakETag(TEXT), 'Cache-Control': 'no-cache' }],
    ['a 201', 'get', '/page?status=201', {}],
    ['a 204', 'get', '/page?status=204', {}],
    ['a 205', 'get', '/page?status=205', {}],
  ] as const)('answers %s as res.send does', async (_what, method, path, headers) => {
    for (const etag of ['weak', false, 'strong']) {
      const { ours, express: reference } = apps(etag);
      expect(await answerOf(ours, method, path, headers)).toEqual(await answerOf(reference, method, path, headers));
    }
  });
});
