import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { eventTypes, subjectFor } from '../events/catalogue';
import { docsFolder, renderApiDocs } from './api-docs';
import { openApiPath } from './openapi';
import { apiRoutes } from './routes';

const generated = renderApiDocs();

describe('the contract files in docs/', () => {
  // CI runs this: a schema or route changed without `npm run docs:api` fails here.
  it.each(Object.keys(generated) as (keyof typeof generated)[])('%s is what the code generates (run `npm run docs:api` after changing a schema)', (name) => {
    expect(readFileSync(path.join(docsFolder, name), 'utf8')).toBe(generated[name]);
  });
});

describe('docs/openapi.json', () => {
  const document = JSON.parse(generated['openapi.json']) as { openapi: string; paths: Record<string, Record<string, { security?: unknown }>> };

  it('is OpenAPI 3.1 and describes every route the services mount, with its session requirement', () => {
    expect(document.openapi).toBe('3.1.0');
    const described = Object.entries(document.paths).flatMap(([route, operations]) =>
      Object.entries(operations).map(([method, operation]) => `${method.toUpperCase()} ${route} ${operation.security ? 'session' : 'none'}`));
    expect(described.sort()).toEqual(apiRoutes.map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)} ${route.auth}`).sort());
  });
});

describe('docs/asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document (@asyncapi/parser finds no errors)', async () => {
    const { document, diagnostics } = await new Parser().parse(generated['asyncapi.yaml']);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('has a channel for every event of the catalogue, at its JetStream subject', async () => {
    const { document } = await new Parser().parse(generated['asyncapi.yaml']);
    const addresses = document?.channels().all().map((channel) => channel.address());
    expect(addresses?.sort()).toEqual(eventTypes.map((type) => subjectFor(type)).sort());
  });
});
