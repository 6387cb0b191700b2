import { spawnSync } from 'node:child_process';
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

/**
 * The validator is ESM-only, which jest's CommonJS runtime cannot load: it runs in a child
 * Node process, reading the document from stdin and printing its verdict.
 */
function validateOpenApi(text: string): { valid: boolean; errors?: unknown } {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
    let text = ''; for await (const chunk of process.stdin) text += chunk;
    const { valid, errors } = await new Validator().validate(JSON.parse(text));
    console.log(JSON.stringify({ valid, errors }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: text, encoding: 'utf8', cwd: __dirname });
  if (child.status !== 0) throw new Error(`the OpenAPI validator failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { valid: boolean; errors?: unknown };
}

describe('docs/openapi.json', () => {
  const document = JSON.parse(generated['openapi.json']) as { openapi: string; paths: Record<string, Record<string, { security?: unknown }>> };

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', () => {
    expect(validateOpenApi(generated['openapi.json'])).toEqual({ valid: true });
    // and the check can fail: a path parameter that is not required is invalid
    const broken = JSON.parse(generated['openapi.json']) as { paths: Record<string, Record<string, { parameters: { required: boolean }[] }>> };
    broken.paths['/api/tickets/{id}']!.get!.parameters[0]!.required = false;
    expect(validateOpenApi(JSON.stringify(broken)).valid).toBe(false);
  });

  it('is OpenAPI 3.1 and describes every route the services mount, with its session requirement', () => {
    expect(document.openapi).toBe('3.1.0');
    const described = Object.entries(document.paths).flatMap(([route, operations]) =>
      Object.entries(operations).map(([method, operation]) => `${method.toUpperCase()} ${route} ${operation.security ? 'session' : 'none'}`));
    expect(described.sort()).toEqual(apiRoutes.map((route) => `${route.method.toUpperCase()} ${openApiPath(route.path)} ${route.auth}`).sort());
  });
});

describe('docs/asyncapi.yaml', () => {
  const errorsOf = async (text: string) =>
    (await new Parser().parse(text)).diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => d.message);

  it('is a valid AsyncAPI 3 document (@asyncapi/parser finds no errors), with a channel for every event at its JetStream subject', async () => {
    const { document, diagnostics } = await new Parser().parse(generated['asyncapi.yaml']);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.channels().all().map((channel) => channel.address()).sort()).toEqual(eventTypes.map((type) => subjectFor(type)).sort());
    // and the check can fail: AsyncAPI 2's `publish` is no AsyncAPI 3 action
    expect(await errorsOf(generated['asyncapi.yaml'].replace('action: send', 'action: publish'))).not.toEqual([]);
  });
});
