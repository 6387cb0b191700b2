import { fallbackMessage, hasErrors, NO_ERRORS, parseApiErrors, toFormErrors } from './api-errors';

describe('parseApiErrors', () => {
  it('reads the documented shape', () => {
    const body = { errors: [{ message: 'Title is required', field: 'title' }, { message: 'Email in use' }] };
    expect(parseApiErrors(400, body)).toEqual([
      { message: 'Title is required', field: 'title' },
      { message: 'Email in use' },
    ]);
  });

  it('drops malformed items and keeps the good ones', () => {
    const body = { errors: [{ message: 'ok', field: 'price' }, { msg: 'x' }, 'nope', { message: '' }, null] };
    expect(parseApiErrors(400, body)).toEqual([{ message: 'ok', field: 'price' }]);
  });

  it('falls back to a message by status for anything else', () => {
    expect(parseApiErrors(502, '<html>Bad gateway</html>')).toEqual([{ message: fallbackMessage(502) }]);
    expect(parseApiErrors(400, null)).toEqual([{ message: fallbackMessage(400) }]);
    expect(parseApiErrors(400, { errors: [] })).toEqual([{ message: fallbackMessage(400) }]);
    expect(parseApiErrors(0, undefined)[0]?.message).toMatch(/could not reach/i);
  });
});

describe('fallbackMessage', () => {
  it('has a message for every status', () => {
    expect(fallbackMessage(401)).toMatch(/sign in/i);
    expect(fallbackMessage(503)).toMatch(/our side/i);
    expect(fallbackMessage(418)).toMatch(/something went wrong/i);
  });
});

describe('toFormErrors', () => {
  it('puts field errors beside their fields and the rest in the alert', () => {
    const result = toFormErrors(
      [
        { message: 'Title is required', field: 'title' },
        { message: 'Price must be greater than 0', field: 'price' },
        { message: 'Ticket is reserved' },
      ],
      ['title', 'price'],
    );
    expect(result).toEqual({
      fields: { title: 'Title is required', price: 'Price must be greater than 0' },
      form: ['Ticket is reserved'],
    });
    expect(hasErrors(result)).toBe(true);
  });

  it('sends errors for fields the form does not show to the alert', () => {
    expect(toFormErrors([{ message: 'Bad ticketId', field: 'ticketId' }], ['title'])).toEqual({
      fields: {},
      form: ['Bad ticketId'],
    });
  });

  it('keeps the first message per field and de-duplicates the alert', () => {
    expect(
      toFormErrors(
        [
          { message: 'first', field: 'email' },
          { message: 'second', field: 'email' },
          { message: 'same' },
          { message: 'same' },
        ],
        ['email'],
      ),
    ).toEqual({ fields: { email: 'first' }, form: ['same'] });
  });

  it('reports no errors for an empty list', () => {
    expect(hasErrors(toFormErrors([], ['email']))).toBe(false);
    expect(hasErrors(NO_ERRORS)).toBe(false);
  });
});
