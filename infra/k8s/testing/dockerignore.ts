import { readFileSync } from 'node:fs';
import { globToRegExp } from './glob';

/**
 * `.dockerignore` as Docker reads it, for the patterns we use (`**` / `*` globs, no `!`
 * exceptions): a path is left out of the build context when it or a folder above it matches.
 */
export function dockerIgnoreMatcher(file: string): (relativePath: string) => boolean {
  const patterns = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (patterns.some((pattern) => pattern.startsWith('!'))) throw new Error(`${file}: exceptions (!) are not implemented`);
  const expressions = patterns.map((pattern) => new RegExp(`^${globToRegExp(pattern.replace(/^\/+|\/+$/g, ''))}$`));
  return (relativePath) => {
    const parts = relativePath.split('/');
    return parts.some((_, index) => {
      const prefix = parts.slice(0, index + 1).join('/');
      return expressions.some((expression) => expression.test(prefix));
    });
  };
}
