import { HttpError, type ErrorItem } from '@microtick/common';

/**
 * 409: the resource changed between our read and our write. common has no such error yet;
 * this belongs there (see the tickets report).
 */
export class ConflictError extends HttpError {
  readonly statusCode = 409;
  serialize(): ErrorItem[] {
    return [{ message: this.message }];
  }
}
