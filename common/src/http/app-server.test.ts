import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { sessionCookie, testAppDeps } from '../testing';
import { createAppServer } from './app-server';
import { createServiceApp } from './create-service-app';
import { requireAuth, userOf } from './current-user';
import { closeServer, listen } from './listen';
import { validate } from './validate';

function serviceApp() {
  return createServiceApp({
    ...testAppDeps(),
    routes: (app) => {
      const router = express.Router();
      router.post('/api/things', requireAuth, validate({ body: z.object({ name: z.string().min(1, 'Name is required') }) }), (req, res) => {
        res.status(201).json({ name: (req.body as { name: string }).name, owner: userOf(req).id });
      });
      router.get('/api/things/:id', (req, res) => {
        res.json({ id: req.params.id, query: req.query, secure: req.secure, ip: req.ip ?? null });
      });
      app.use(router);
    },
  });
}

async function started(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

/** What a client sees of an answer, less what differs per request. */
const answerOf = (res: request.Response) => {
  const { date: _date, 'x-request-id': _id, ...headers } = res.headers;
  return { status: res.status, headers, body: res.text };
};

describe('createAppServer', () => {
  it('makes an Express app\'s requests and answers with the app\'s prototypes, so Express has none to change', async () => {
    const app = serviceApp();
    const server = createAppServer(app);
    const seen: boolean[] = [];
    // Runs before the app: what Node made, before Express's setPrototypeOf.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response);
    });
    const { url, close } = await started(server);
    try {
      await request(url).get('/api/things/1');
    } finally {
      await close();
    }
    expect(seen).toEqual([true, true]);
  });

  it('answers exactly as node\'s own server does', async () => {
    const app = serviceApp();
    const cookie = sessionCookie({ id: 'u1', email: 'a@b.co' });
    const ours = await started(createAppServer(app));
    const nodes = await started(createServer(app));
    try {
      const exchanges: ((url: string) => request.Test)[] = [
        (url) => request(url).post('/api/things').set('Cookie', cookie).send({ name: 'lamp' }),
        (url) => request(url).post('/api/things').set('Cookie', cookie).send({ name: '' }),
        (url) => request(url).post('/api/things').send({ name: 'lamp' }),
        (url) => request(url).post('/api/things').set('Cookie', cookie).set('Content-Type', 'application/json').send('{"name":'),
        (url) => request(url).get('/api/things/7?x=1').set('X-Forwarded-Proto', 'https').set('X-Forwarded-For', '203.0.113.9'),
        (url) => request(url).head('/api/things/7'),
        (url) => request(url).get('/api/nothing'),
        (url) => request(url).get('/healthz'),
      ];
      for (const exchange of exchanges) {
        expect(answerOf(await exchange(ours.url))).toEqual(answerOf(await exchange(nodes.url)));
      }
    } finally {
      await ours.close();
      await nodes.close();
    }
  });

  it('gives a plain request listener node\'s own classes', async () => {
    let prototypes: unknown[] = [];
    const handler: RequestListener = (req, res) => {
      prototypes = [Object.getPrototypeOf(req), Object.getPrototypeOf(res)];
      res.end('ok');
    };
    const { server } = await listen(handler, 0);
    try {
      const { port } = server.address() as AddressInfo;
      expect((await request(`http://127.0.0.1:${port}`).get('/')).text).toBe('ok');
    } finally {
      await closeServer(server);
    }
    expect(prototypes).toEqual([IncomingMessage.prototype, ServerResponse.prototype]);
  });

  it('is what listen() serves an app with', async () => {
    const app = serviceApp();
    const { server } = await listen(app, 0);
    const seen: boolean[] = [];
    server.prependListener('request', (req: IncomingMessage) => seen.push(Object.getPrototypeOf(req) === app.request));
    try {
      const { port } = server.address() as AddressInfo;
      await request(`http://127.0.0.1:${port}`).get('/api/things/1');
    } finally {
      await closeServer(server);
    }
    expect(seen).toEqual([true]);
  });
});
