import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { testAppDeps } from '../testing';
import { createServiceApp } from './create-service-app';
import { validate, validated } from './validate';

const schemas = {
  params: z.object({ shelf: z.string().regex(/^[a-z]+$/, 'Shelf must be letters') }),
  query: z.object({ limit: z.string({ error: 'Limit must be a number' }).regex(/^\d+$/, 'Limit must be a number').transform(Number).optional() }),
  body: z.object({
    name: z.string({ error: 'Name is required' }).trim().min(1, 'Name is required').max(5, 'Name is too long'),
    size: z.object({ width: z.number({ error: 'Width must be a number' }) }, { error: 'Size is required' }),
  }),
};

function setup() {
  const app = createServiceApp({
    ...testAppDeps(),
    routes: (app) => {
      app.use(
        express.Router().post('/api/shelves/:shelf/things', validate(schemas), (req, res) => {
          const { params, query } = validated(req, schemas);
          res.status(201).json({ shelf: params.shelf, limit: query.limit ?? null, body: req.body });
        }),
      );
      app.use(express.Router().get('/api/forgot', (req, res) => res.json(validated(req, schemas))));
    },
  });
  return { post: (path: string, body?: unknown) => request(app).post(path).send(body as object), app };
}

describe('validate', () => {
  it('passes the parsed parts on: the body replaced by its parsed form, params and query through validated()', async () => {
    const res = await setup().post('/api/shelves/top/things?limit=7', { name: '  pen ', size: { width: 2 }, extra: 'dropped' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ shelf: 'top', limit: 7, body: { name: 'pen', size: { width: 2 } } });
  });

  it('answers 400 naming each invalid input once, params before query before body, with the first problem of each', async () => {
    const res = await setup().post('/api/shelves/TOP/things?limit=x', { name: '  ', size: { width: 'wide' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [
        { message: 'Shelf must be letters', field: 'shelf' },
        { message: 'Limit must be a number', field: 'limit' },
        { message: 'Name is required', field: 'name' },
        { message: 'Width must be a number', field: 'size.width' },
      ],
    });
  });

  it('refuses a repeated query parameter (it arrives as an array)', async () => {
    const res = await setup().post('/api/shelves/top/things?limit=1&limit=2', { name: 'pen', size: { width: 1 } });
    expect(res.body).toEqual({ errors: [{ message: 'Limit must be a number', field: 'limit' }] });
  });

  it.each([
    ['no body at all', undefined],
    ['a JSON array', [{ name: 'pen' }]],
  ])('reads %s as an empty object, so every required member is named', async (_case, body) => {
    const res = await setup().post('/api/shelves/top/things', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Name is required', field: 'name' }, { message: 'Size is required', field: 'size' }] });
  });

  it('treats validated() without validate() in front as a programming error (500), not as valid input', async () => {
    const res = await request(setup().app).get('/api/forgot');
    expect(res.status).toBe(500);
  });
});
