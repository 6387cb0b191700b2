/** Every response carries a `Request-Id: req_…` header, as Stripe's do. */
import type { RequestHandler, Response } from 'express';
import { newId } from '../ids';

export const requestId: RequestHandler = (_req, res, next) => {
  res.set('Request-Id', newId('req'));
  next();
};

export function requestIdOf(res: Response): string {
  const id = res.get('Request-Id');
  return id ?? '';
}
