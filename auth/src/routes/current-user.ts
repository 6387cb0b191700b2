import { userRoutes } from '@microtick/common';
import { Router } from 'express';

/** `{currentUser: {id, email}}` from a valid session cookie, else `{currentUser: null}`. */
export function currentUserRouter(): Router {
  return Router().get(userRoutes.currentUser.path, (req, res) => {
    res.json({ currentUser: req.currentUser ? { id: req.currentUser.id, email: req.currentUser.email } : null });
  });
}
