/** One entry of the error shape every MicroTick route answers with: `{errors: [{message, field?}]}`. */
export interface ErrorItem {
  message: string;
  field?: string;
}

/** An error that knows its HTTP status and how to describe itself to a client (by default: its message). */
export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  serialize(): ErrorItem[] {
    return [{ message: this.message }];
  }
}

export class BadRequestError extends HttpError {
  readonly statusCode = 400;
  constructor(message: string, readonly field?: string) {
    super(message);
  }
  override serialize(): ErrorItem[] {
    return [this.field ? { message: this.message, field: this.field } : { message: this.message }];
  }
}

/** 401: no valid session, or the session's user may not touch this resource (SPEC §3). */
export class NotAuthorizedError extends HttpError {
  readonly statusCode = 401;
  constructor(message = 'Not authorized') {
    super(message);
  }
}

export class NotFoundError extends HttpError {
  readonly statusCode = 404;
  constructor(message = 'Not found') {
    super(message);
  }
}

/** 409: the resource changed since it was read (optimistic concurrency), or is busy. */
export class ConflictError extends HttpError {
  readonly statusCode = 409;
}

/** 503: a dependency is unavailable; the request may succeed if retried shortly. */
export class ServiceUnavailableError extends HttpError {
  readonly statusCode = 503;
}

/** 402: the payment provider refused the card; the message is the provider's. */
export class PaymentRequiredError extends HttpError {
  readonly statusCode = 402;
}

export class TooManyRequestsError extends HttpError {
  readonly statusCode = 429;
}

/** 400 with one entry per invalid input, each naming its field. */
export class RequestValidationError extends HttpError {
  readonly statusCode = 400;
  constructor(readonly items: Required<ErrorItem>[]) {
    super('Invalid request parameters');
  }
  override serialize(): ErrorItem[] {
    return this.items;
  }
}
