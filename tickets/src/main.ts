import { loadConfig, startService, type HandlerContext, type ServiceResources } from '@microtick/common';
import { buildApp } from './app';
import { configSchema } from './config';
import { migrationsFolder, schema } from './db/schema';
import { listeners } from './events/listeners';
import { startListingCache, type ListingCache } from './listing/listing-cache';

/** What tickets runs besides Postgres and NATS: the listing cache (unless LISTING_CACHE_PAGES=0). */
type TicketsResources = ServiceResources<HandlerContext> & { listingCache?: ListingCache };

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  await startService({
    name: 'tickets',
    config,
    database: { schema, migrationsFolder },
    resources: async ({ pool, logger, metrics, onStop }): Promise<TicketsResources> => {
      if (config.LISTING_CACHE_PAGES === 0) return {};
      const listing = await startListingCache({ pool, logger, registry: metrics.registry, limits: { maxPages: config.LISTING_CACHE_PAGES, maxBytes: config.LISTING_CACHE_MAX_BYTES } });
      onStop('listing cache', () => listing.stop());
      return { listingCache: listing.cache };
    },
    listeners,
    buildApp: (deps) => buildApp({ ...deps, ticketCodePublicKey: config.TICKET_CODE_PUBLIC_KEY, listingCache: deps.resources.listingCache }),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
