import type { RequestHandler } from 'express';
import { validationResult } from 'express-validator';
import { RequestValidationError } from '../errors/http-errors';

/** Runs after express-validator chains: any failure becomes a 400 naming each field once. */
export const validateRequest: RequestHandler = (req, _res, next) => {
  const result = validationResult(req);
  if (!result.isEmpty()) {
    const seen = new Set<string>();
    const items = [];
    for (const error of result.array()) {
      const field = error.type === 'field' ? error.path : error.type;
      if (seen.has(field)) continue;
      seen.add(field);
      items.push({ message: String(error.msg), field });
    }
    throw new RequestValidationError(items);
  }
  next();
};
