/**
 * `node --require bench/dist/cpu-profile-preload.js`: what `--cpu-prof` does, for processes
 * started with NODE_OPTIONS (which refuses --cpu-prof). Profiles the whole life of the process
 * and writes `<pid>.cpuprofile` into BENCH_CPU_PROFILE_DIR when it exits (the inspector answers
 * synchronously on the main thread, so this works inside an 'exit' handler).
 */
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result: Profiler.StopReturnType) => {
      if (!err) writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
