import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Stage } from './dockerfile';
import { dockerIgnoreMatcher } from './dockerignore';

/**
 * Runs a Dockerfile stage's COPY, WORKDIR, ENV and RUN instructions in a scratch folder standing
 * in for the image's filesystem, so a test proves the build steps work on exactly the files the
 * stage copies. `npm ci` is not run (it would download the world): the stage gets the
 * repository's installed node_modules instead. Running several stages in one `root` reuses what
 * the earlier ones built, as Docker's layer cache would.
 */
export function runStage(stage: Stage, options: { context: string; root: string; args: Record<string, string>; timeoutMs: number }): void {
  const { context, root, args } = options;
  const ignored = dockerIgnoreMatcher(path.join(context, '.dockerignore'));
  const env: Record<string, string> = { ...args };
  const substitute = (text: string) => text.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => env[braced ?? bare ?? ''] ?? match);
  const inImage = (workdir: string, target: string) => path.join(root, path.posix.resolve(workdir, target));
  let workdir = '/';

  for (const { keyword, flags, args: rawArgs } of stage.instructions) {
    const instructionArgs = substitute(rawArgs);
    if (keyword === 'WORKDIR') {
      workdir = path.posix.resolve(workdir, instructionArgs);
      mkdirSync(inImage(workdir, '.'), { recursive: true });
    } else if (keyword === 'ENV') {
      for (const pair of instructionArgs.split(' ')) {
        const [key = '', ...value] = pair.split('=');
        env[key] = value.join('=');
      }
    } else if (keyword === 'ARG') {
      const [name = '', value] = instructionArgs.split('=');
      if (env[name] === undefined && value !== undefined) env[name] = value;
    } else if (keyword === 'COPY') {
      if (flags.some((flag) => flag.startsWith('--from'))) throw new Error('COPY --from is not supported in a build stage run');
      const parts = instructionArgs.split(' ');
      const destination = parts.pop() ?? '';
      for (const source of parts) {
        const target = destination.endsWith('/') && !source.endsWith('/') ? path.posix.join(destination, path.posix.basename(source)) : destination;
        cpSync(path.join(context, source), inImage(workdir, target), {
          recursive: true,
          preserveTimestamps: true,
          filter: (from) => !ignored(path.relative(context, from).split(path.sep).join('/')),
        });
      }
    } else if (keyword === 'RUN') {
      const cwd = inImage(workdir, '.');
      if (/^npm ci\b/.test(instructionArgs)) installNodeModules(context, cwd);
      else run(instructionArgs, { cwd, env: { ...process.env, ...env }, timeout: options.timeoutMs });
    } else if (!['USER', 'CMD', 'EXPOSE', 'LABEL'].includes(keyword)) {
      throw new Error(`${keyword} is not supported in a build stage run`);
    }
  }
}

function run(command: string, options: { cwd: string; env: NodeJS.ProcessEnv; timeout: number }): void {
  const result = spawnSync('sh', ['-c', command], { ...options, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`RUN ${command} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
}

/**
 * Hard links (same filesystem) or copies the installed node_modules into the stage: a real folder,
 * as `npm ci` makes, so the compiler sees an ordinary install. Its workspace links are relative
 * (../../common), so inside the copy they point at the copy.
 */
function installNodeModules(repo: string, into: string): void {
  const target = path.join(into, 'node_modules');
  if (existsSync(target)) return;
  const source = path.join(repo, 'node_modules');
  const linked = spawnSync('cp', ['-al', source, target], { encoding: 'utf8' });
  if (linked.status === 0) return;
  rmSync(target, { recursive: true, force: true });
  run(`cp -a '${source}' '${target}'`, { cwd: into, env: process.env, timeout: 600_000 });
}
