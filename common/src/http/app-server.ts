import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';

/** What an Express app gives every request and answer as its prototype. */
interface AppPrototypes {
  request: IncomingMessage;
  response: ServerResponse;
}

const hasAppPrototypes = (handler: RequestListener): handler is RequestListener & AppPrototypes => {
  const { request, response } = handler as Partial<AppPrototypes>;
  return request instanceof IncomingMessage && response instanceof ServerResponse;
};

/**
 * An HTTP server for `handler`. For an Express app, its requests and answers are made with the
 * app's `request` and `response` as their prototype from the start (Node's `IncomingMessage` /
 * `ServerResponse` server options), instead of getting them from Express's `app.handle`
 * (`Object.setPrototypeOf` on each live request and answer): a prototype changed on an object
 * Node's HTTP code has already used sends V8's inline caches along every request's path to their
 * slow, generic form — ~75 µs of a ~125 µs POST through createServiceApp's chain
 * (http-chain-cost, docs/benchmarks-history.md, "Wave 10 — HTTP request path"; proposed to Express as
 * expressjs/express#5998). Express's own `setPrototypeOf` then finds the prototype already in
 * place and changes nothing; the objects are the ones it would have made. (A mounted sub-app
 * would still set its own: the services mount routers only.) Any other handler gets node's classes.
 */
export function createAppServer(handler: RequestListener): Server {
  if (!hasAppPrototypes(handler)) return createServer(handler);
  const { request, response } = handler;
  // Node's own classes are plain constructor functions: called on the new object, with whatever
  // the server passes (the socket; the request and the response's options).
  function AppRequest(this: IncomingMessage, ...args: unknown[]): void {
    Reflect.apply(IncomingMessage, this, args);
  }
  AppRequest.prototype = request;
  function AppResponse(this: ServerResponse, ...args: unknown[]): void {
    Reflect.apply(ServerResponse, this, args);
  }
  AppResponse.prototype = response;
  return createServer(
    { IncomingMessage: AppRequest as unknown as typeof IncomingMessage, ServerResponse: AppResponse as unknown as typeof ServerResponse },
    handler,
  );
}
