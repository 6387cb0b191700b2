/**
 * Turns the children's output into one readable stream: every line is prefixed with the
 * process's label, and pino's JSON lines become `time LEVEL message {fields}`.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has or the prefix already says. */
const IMPLIED_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'name', 'v']);
const COLORS = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];
const RED = 31;

interface PinoLine {
  level: number;
  msg?: string;
  time?: string | number;
  err?: { message?: string; stack?: string };
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  [field: string]: unknown;
}

export interface LogFormatOptions {
  /** Width the labels are padded to, so messages line up. */
  labelWidth: number;
  color: boolean;
}

export function formatLogLine(label: string, line: string, options: LogFormatOptions): string {
  const parsed = parsePinoLine(line);
  const body = parsed ? formatPino(parsed) : line;
  const isError = parsed ? parsed.level >= 50 : false;
  const prefix = `${label.padEnd(options.labelWidth)} |`;
  // A multi-line entry (a stack trace) keeps the prefix on every line, so it stays attributable.
  return body
    .split('\n')
    .map((text) => (options.color ? `${paint(prefix, colorFor(label))} ${isError ? paint(text, RED) : text}` : `${prefix} ${text}`))
    .join('\n');
}

function parsePinoLine(line: string): PinoLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && typeof (value as PinoLine).level === 'number') return value as PinoLine;
  } catch {
    // not JSON after all: shown as it is
  }
  return undefined;
}

function formatPino(entry: PinoLine): string {
  const { err, req, res, responseTime } = entry;
  const isRequestLog = req !== undefined && res !== undefined;
  const message = isRequestLog
    ? `${req.method ?? '?'} ${req.url ?? '?'} → ${res.statusCode ?? '?'}${typeof responseTime === 'number' ? ` (${Math.round(responseTime)} ms)` : ''}`
    : (entry.msg ?? '');
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (IMPLIED_FIELDS.has(key) || key === 'err') continue;
    if (isRequestLog && (key === 'req' || key === 'res' || key === 'responseTime')) continue;
    extra[key] = value;
  }
  const parts = [timeOf(entry.time), (LEVELS[entry.level] ?? String(entry.level)).padEnd(5), message];
  if (Object.keys(extra).length) parts.push(JSON.stringify(extra));
  if (err?.message && !message.includes(err.message)) parts.push(`— ${err.message}`);
  const head = parts.filter(Boolean).join(' ');
  // Stack traces only for errors: a warning's stack is noise.
  const stack = entry.level >= 50 && err?.stack ? `\n${err.stack.split('\n').slice(1).map((frame) => `    ${frame.trim()}`).join('\n')}` : '';
  return head + stack;
}

function timeOf(time: PinoLine['time']): string {
  if (time === undefined) return '';
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString().slice(11, 23);
}

const colorFor = (label: string): number => {
  const name = label.split('#')[0] ?? label;
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return COLORS[hash % COLORS.length] as number;
};

const paint = (text: string, color: number): string => `\u001b[${color}m${text}\u001b[0m`;
