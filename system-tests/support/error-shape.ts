/**
 * What is wrong with an error answer, measured against SPEC §3: JSON `{errors: [{message, field?}]}`
 * with at least one entry, a non-empty message, nothing else, and no stack trace. Undefined when
 * it is right. `alongside` names members SPEC §6 adds to particular errors (a repeated check-in's
 * 409 also says `checkedInAt`).
 */
export function errorShapeProblem(contentType: string | undefined, text: string, alongside: readonly string[] = []): string | undefined {
  if (!contentType?.startsWith('application/json')) return `content type is ${contentType ?? 'missing'}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (!isRecord(body) || Object.keys(body).filter((key) => !alongside.includes(key)).join() !== 'errors') return `body is not exactly {errors${alongside.map((key) => `, ${key}?`).join('')}}`;
  const { errors } = body;
  if (!Array.isArray(errors) || errors.length === 0) return 'errors is not a non-empty array';
  for (const item of errors) {
    if (!isRecord(item)) return 'an error is not an object';
    if (typeof item.message !== 'string' || !item.message) return 'an error has no message';
    if (Object.keys(item).some((key) => key !== 'message' && key !== 'field')) return `an error has keys other than message and field: ${Object.keys(item).join(', ')}`;
    if ('field' in item && typeof item.field !== 'string') return 'an error has a field that is not a string';
    if (/\n\s+at /.test(item.message)) return 'an error message contains a stack trace';
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
