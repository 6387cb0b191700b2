import path from 'node:path';
import { renderKustomization, type Manifest } from './kustomize';

export const repoRoot = path.resolve(__dirname, '../../..');
export const k8sRoot = path.join(repoRoot, 'infra/k8s');

/** What a user applies: each overlay, rendered. (base alone is never applied.) */
export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const overlayDir = (overlay: Overlay | 'base'): string =>
  overlay === 'base' ? path.join(k8sRoot, 'base') : path.join(k8sRoot, 'overlays', overlay);

const rendered = new Map<string, Manifest[]>();
export function render(overlay: Overlay | 'base'): Manifest[] {
  let manifests = rendered.get(overlay);
  if (!manifests) {
    manifests = renderKustomization(overlayDir(overlay));
    rendered.set(overlay, manifests);
  }
  return manifests;
}

/** The application's own images (built from this repository), by Deployment name. */
export const APP_DEPLOYMENTS = ['auth', 'tickets', 'orders', 'payments', 'expiration', 'client'] as const;
/** Services started by common's startService / expiration's own start-up (Lifecycle, /healthz, /readyz). */
export const NODE_SERVICES = ['auth', 'tickets', 'orders', 'payments', 'expiration'] as const;
