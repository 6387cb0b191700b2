import { userRoutes } from '@microtick/common';
import { Router } from 'express';
import { endSession } from './session';

export function signoutRouter(): Router {
  return Router().post(userRoutes.signout.path, (req, res) => {
    endSession(req);
    res.status(200).json({});
  });
}
