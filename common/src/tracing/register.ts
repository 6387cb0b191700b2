/**
 * Preload that turns tracing on before the service's own code loads express and pg:
 *
 *   node --require @microtick/common/tracing/register dist/main.js
 *
 * `npm start`, the system-test stacks and the images start every service this way. With no
 * OTLP endpoint configured it reads a few environment variables and loads nothing else.
 */
import { tracingSettings } from './state';

if (tracingSettings().enabled) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serviceNameOf, startTracing } = require('./sdk') as typeof import('./sdk');
  startTracing(serviceNameOf(process.argv[1]));
}
