import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@microtick/common';
import type { z } from 'zod';
import { NODE_SERVICES, OVERLAYS, render, repoRoot } from './testing/overlays';
import { requiredKeys } from './testing/required-config';
import { containerEnvironment, workloads, type Container } from './testing/workloads';

/**
 * Every Deployment gives its service the configuration the service itself declares it needs
 * (`configSchema` in <service>/src/config.ts), so the manifests cannot drift from the code.
 */

const configFile = (service: string) => path.join(repoRoot, service, 'src/config.ts');
const withConfig = NODE_SERVICES.filter((service) => existsSync(configFile(service)));
const withoutConfig = NODE_SERVICES.filter((service) => !withConfig.includes(service));

const loadSchema = (service: string): z.ZodObject => {
  const module = require(configFile(service)) as { configSchema?: z.ZodObject };
  if (!module.configSchema) throw new Error(`${service}/src/config.ts does not export configSchema`);
  return module.configSchema;
};

const serviceContainer = (overlay: (typeof OVERLAYS)[number], service: string): Container => {
  const container = workloads(render(overlay)).find((w) => w.name === service)?.pod.containers.find((c) => c.name === service);
  if (!container) throw new Error(`${overlay} has no ${service} container`);
  return container;
};

describe.each(withConfig)('%s', (service) => {
  const schema = loadSchema(service);

  test.each(OVERLAYS)('%s: the Deployment sets every variable configSchema requires', (overlay) => {
    const { values, external } = containerEnvironment(serviceContainer(overlay, service), render(overlay));
    const provided = new Set([...values.keys(), ...external]);
    expect(requiredKeys(schema).filter((key) => !provided.has(key))).toEqual([]);
  });

  test('dev: the environment it gets is a valid production config, listening on its container port', () => {
    const container = serviceContainer('dev', service);
    const { values } = containerEnvironment(container, render('dev'));
    // NODE_ENV=production (the runtime image's) is the strictest: it also checks the JWT key's length.
    const config = loadConfig(schema, { ...Object.fromEntries(values), NODE_ENV: 'production' }) as { PORT: number };
    expect(container.ports?.find((port) => port.name === 'http')?.containerPort).toBe(config.PORT);
  });
});

test('the required-variable check sees what a service cannot start without', () => {
  expect(withConfig.length).toBeGreaterThan(0);
  for (const service of withConfig) {
    const required = requiredKeys(loadSchema(service));
    if (service === 'expiration') expect(required).toEqual([]);
    else expect(required).toEqual(expect.arrayContaining(['DATABASE_URL', 'JWT_KEY']));
  }
});

test('every service declares its configuration in src/config.ts', () => {
  expect(withoutConfig).toEqual([]);
});
