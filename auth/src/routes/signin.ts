import { BadRequestError, userRoutes, validate, validated } from '@microtick/common';
import { Router, type RequestHandler } from 'express';
import type { AuthDb } from '../db/schema';
import { findUserByEmail, replacePasswordHash } from '../auth/users';
import { hashForUnknownUser, hashPassword, needsRehash, verifyPassword } from '../auth/password-hash';
import { startSession, type SessionSettings } from './session';

export interface SigninLimiters {
  perIp: RequestHandler;
  /** Runs after validation, so it counts normalised emails only. */
  perEmail: RequestHandler;
}

export function signinRouter(deps: { db: AuthDb; session: SessionSettings; limiters: SigninLimiters }): Router {
  const { db, limiters } = deps;
  return Router().post(userRoutes.signin.path, limiters.perIp, validate(userRoutes.signin.request), limiters.perEmail, async (req, res) => {
    const { email, password } = validated(req, userRoutes.signin.request).body;
    const user = await findUserByEmail(db, email);
    // Unknown emails are checked against a dummy hash so both failures take as long.
    const matches = await verifyPassword(password, user?.passwordHash ?? (await hashForUnknownUser()));
    if (!user || !matches) throw new BadRequestError('Invalid credentials');

    if (needsRehash(user.passwordHash)) await replacePasswordHash(db, user.id, await hashPassword(password));
    startSession(req, user, deps.session);
    res.status(200).json({ id: user.id, email: user.email });
  });
}
