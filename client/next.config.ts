import path from 'node:path';
import type { NextConfig } from 'next';

// npm workspaces hoist dependencies to the repository root, so tracing (for the standalone
// output the Docker image runs: `.next/standalone/client/server.js`) and Turbopack start there.
const workspaceRoot = path.join(__dirname, '..');

const nextConfig: NextConfig = {
  output: 'standalone',
  outputFileTracingRoot: workspaceRoot,
  turbopack: { root: workspaceRoot },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
