import { BadRequestError, userRoutes, validate, validated } from '@microtick/common';
import { Router, type RequestHandler } from 'express';
import type { AuthDb } from '../db/schema';
import { EmailTakenError, insertUser } from '../auth/users';
import { hashPassword } from '../auth/password-hash';
import { startSession, type SessionSettings } from './session';

export function signupRouter(deps: { db: AuthDb; session: SessionSettings; limiter: RequestHandler }): Router {
  return Router().post(userRoutes.signup.path, deps.limiter, validate(userRoutes.signup.request), async (req, res) => {
    const { email, password } = validated(req, userRoutes.signup.request).body;
    const passwordHash = await hashPassword(password);
    const user = await insertUser(deps.db, email, passwordHash).catch((err: unknown) => {
      throw err instanceof EmailTakenError ? new BadRequestError('Email in use', 'email') : err;
    });
    startSession(req, user, deps.session);
    res.status(201).json({ id: user.id, email: user.email });
  });
}
