import { Router } from 'express';
import { endSession } from './session';

export function signoutRouter(): Router {
  return Router().post('/api/users/signout', (req, res) => {
    endSession(req);
    res.status(200).json({});
  });
}
