import Module from 'node:module';

/**
 * zod's locales, loaded when first asked for instead of with zod.
 *
 * `require('zod')` requires all 63 of its locales (v4/classic/external: `exports.locales =
 * __importStar(require('../locales/index.cjs'))`), although zod's own default, English, comes from
 * its own file and MicroTick never picks another: about 1.3 MB of heap in every service (the
 * locales' sources, mostly stored two bytes per character, and their compiled top levels).
 *
 * This puts a stand-in for that index into `require.cache` (the documented module cache), so
 * zod's `require` finds it; the stand-in's `__esModule` is all zod reads at load, and the first
 * use of anything else (`z.locales.de`, listing the locales) requires the real index and answers
 * from it. Nothing changes for code that uses a locale.
 *
 * Must run before zod is first required: imported first by common's index and by expiration's
 * main (which reaches zod through common's subpaths). If zod moves its locales, the path no longer
 * resolves and zod loads them eagerly as before (zod-locales-on-demand.test.ts fails on it).
 */
const indexPath = locateLocalesIndex();
if (indexPath && !require.cache[indexPath]) {
  let locales: Record<PropertyKey, unknown> | undefined;
  const load = (): Record<PropertyKey, unknown> => {
    if (!locales) {
      // Leaves the cache to the real module from here on.
      delete require.cache[indexPath];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      locales = require(indexPath) as Record<PropertyKey, unknown>;
    }
    return locales;
  };
  const onDemand = new Proxy<Record<PropertyKey, unknown>>(
    {},
    {
      get: (_, key) => (key === '__esModule' ? true : load()[key]),
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Object.getOwnPropertyDescriptor(load(), key);
        // A proxy may only report a property its (empty) target lacks as configurable.
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
  const stand = new Module(indexPath);
  stand.filename = indexPath;
  stand.loaded = true;
  stand.exports = onDemand;
  require.cache[indexPath] = stand;
}

function locateLocalesIndex(): string | undefined {
  try {
    return require.resolve('zod/v4/locales');
  } catch {
    return undefined;
  }
}

export {};
