import { readdirSync } from 'node:fs';
import path from 'node:path';

/** A `**` / `*` / `?` glob over slash-separated paths, as a regular expression source. */
export function globToRegExp(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? '';
    if (glob.startsWith('**/', i)) {
      out += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      out += '.*';
      i += 1;
    } else if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else out += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

/** Files under `root` (slash-separated, relative) that `glob` matches. */
export function filesMatching(root: string, glob: string): string[] {
  const expression = new RegExp(`^${globToRegExp(glob)}$`);
  const literalPrefix = glob.slice(0, glob.search(/[*?]/) === -1 ? glob.length : glob.search(/[*?]/));
  const start = literalPrefix.slice(0, literalPrefix.lastIndexOf('/') + 1);
  return readdirSync(path.join(root, start), { recursive: true, encoding: 'utf8' })
    .map((file) => `${start}${file.split(path.sep).join('/')}`)
    .filter((file) => !/(^|\/)(node_modules|dist|\.next)(\/|$)/.test(file) && expression.test(file));
}
