import express, { type Response } from 'express';
import request from 'supertest';
import { installJsonAnswers, sendJsonText } from './send-json-text';
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
  ] as const)('answers %s as res.send does (but for the ETag of a POST)', async (_what, method, path, headers) => {
    for (const etag of ['weak', false, 'strong']) {
      const { ours, express: reference } = apps(etag);
      expect(await answerOf(ours, method, path, headers)).toEqual(withoutPostETag(method, await answerOf(reference, method, path, headers)));
    }
  });

  it('tags only the answers to GET and HEAD, which a client can revalidate', async () => {
    const { ours } = apps('weak');
    expect((await answerOf(ours, 'get', '/page')).headers.etag).toBe(weakETag(TEXT));
    expect((await answerOf(ours, 'head', '/page')).headers.etag).toBe(weakETag(TEXT));
    expect((await answerOf(ours, 'post', '/page?status=201')).headers.etag).toBeUndefined();
  });
});

/** Express's answer as ours differs from it: no ETag on the answer to a POST. */
const withoutPostETag = (method: string, answer: Awaited<ReturnType<typeof answerOf>>) =>
  method === 'post' ? { ...answer, headers: { ...answer.headers, etag: undefined } } : answer;

describe('installJsonAnswers', () => {
  /** Two apps answering `value` with res.json, one with our res.json. */
  function pair(value: unknown, setup: (res: Response) => void = () => undefined, settings: Record<string, unknown> = {}) {
    const make = (lean: boolean) => {
      const app = express();
      for (const [name, setting] of Object.entries(settings)) app.set(name, setting);
      if (lean) installJsonAnswers(app);
      app.all('/page', (_req, res) => {
        setup(res);
        res.json(value);
      });
      return app;
    };
    return { ours: make(true), express: make(false) };
  }

  // The last column: whether the answer goes to Express's own res.json (which tags a POST's answer too).
  it.each([
    ['an object', { a: 1, text: 'é ✓ <b>' }, undefined, {}, false],
    ['an array', [1, 'two', null], undefined, {}, false],
    ['null', null, undefined, {}, false],
    ['a string', 'just text', undefined, {}, false],
    ['a number', 42, undefined, {}, false],
    ['undefined', undefined, undefined, {}, true],
    ['with a 201', { id: 'x' }, (res: Response) => res.status(201), {}, false],
    ['with a 204', { id: 'x' }, (res: Response) => res.status(204), {}, false],
    ['with a 400 error body', { errors: [{ message: 'Nope' }] }, (res: Response) => res.status(400), {}, false],
    ['with a Content-Type of its own', { title: 'x' }, (res: Response) => res.type('application/problem+json'), {}, true],
    ['with json spaces', { a: [1, 2] }, undefined, { 'json spaces': 2 }, true],
    ['with json escape', { html: '<script>&' }, undefined, { 'json escape': true }, true],
  ] as const)('answers %s as Express does', async (_what, value, setup, settings, handedToExpress) => {
    const { ours, express: reference } = pair(value, setup, settings);
    for (const method of ['get', 'head', 'post'] as const) {
      const expected = await answerOf(reference, method, '/page');
      expect(await answerOf(ours, method, '/page')).toEqual(handedToExpress ? expected : withoutPostETag(method, expected));
    }
    const tag = (await request(reference).get('/page')).headers.etag as string | undefined;
    if (tag) expect(await answerOf(ours, 'get', '/page', { 'If-None-Match': tag })).toEqual(await answerOf(reference, 'get', '/page', { 'If-None-Match': tag }));
  });

  it('leaves other apps alone', () => {
    const app = express();
    installJsonAnswers(app);
    expect(express().response.json).not.toBe(app.response.json);
  });
});
