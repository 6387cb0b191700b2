import path from 'node:path';
import { stringify } from 'yaml';
import { buildAsyncApiDocument } from './asyncapi';
import { buildOpenApiDocument } from './openapi';

/** The repository's docs/ folder, from src/api (tests) and dist/api (the CLI) alike. */
export const docsFolder = path.join(__dirname, '../../../docs');

/** The generated contract files, by their name in docs/, exactly as they are written. */
export const renderApiDocs = (): Record<'openapi.json' | 'asyncapi.yaml', string> => ({
  'openapi.json': `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`,
  'asyncapi.yaml': `# Generated from common/src/events by \`npm run docs:api\`; do not edit by hand.\n${stringify(buildAsyncApiDocument(), { lineWidth: 0 })}`,
});
