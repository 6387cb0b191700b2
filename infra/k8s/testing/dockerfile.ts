/** Just enough of the Dockerfile format to check what our images run: stages and instructions. */

export interface Instruction {
  keyword: string;
  /** Leading `--name=value` options (`--from=build`, `--mount=…`). */
  flags: string[];
  /** The rest of the instruction, continuation lines joined. */
  args: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logicalLines: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments, also inside a continued instruction
    const continued = /\\\s*$/.test(line);
    pending += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (!continued) {
      if (pending.trim()) logicalLines.push(pending.trim().replace(/\s+/g, ' '));
      pending = '';
    }
  }

  const globalArgs: Record<string, string | undefined> = {};
  const stages: Stage[] = [];
  for (const line of logicalLines) {
    const [keyword = '', ...rest] = line.split(' ');
    const words = [...rest];
    const flags: string[] = [];
    while (words[0]?.startsWith('--')) flags.push(words.shift() ?? '');
    const instruction = { keyword: keyword.toUpperCase(), flags, args: words.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?: AS (\S+))?$/i.exec(instruction.args);
      if (!match?.[1]) throw new Error(`cannot read FROM ${instruction.args}`);
      stages.push({ from: match[1], name: match[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${instruction.keyword} before the first FROM`);
      const [name = '', value] = instruction.args.split('=');
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

export function stage(dockerfile: Dockerfile, name: string): Stage {
  const found = dockerfile.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
}

export const instructions = (s: Stage, keyword: string): Instruction[] => s.instructions.filter((i) => i.keyword === keyword);
export const runCommands = (s: Stage): string[] => instructions(s, 'RUN').map((i) => i.args);

/** The last value of an ENV variable set in a stage (`ENV A=1 B=2` form). */
export function envOf(s: Stage, name: string): string | undefined {
  let value: string | undefined;
  for (const { args } of instructions(s, 'ENV')) {
    for (const pair of args.split(' ')) {
      const [key, ...rest] = pair.split('=');
      if (key === name) value = rest.join('=');
    }
  }
  return value;
}
