/** The form-level errors (those not tied to a field), announced when they appear. */
export function FormAlert({ messages, testId = 'form-error' }: { messages: readonly string[]; testId?: string }) {
  if (messages.length === 0) return null;
  return (
    <div className="alert alert-danger" role="alert" data-testid={testId}>
      {messages.length === 1 ? (
        <p>{messages[0]}</p>
      ) : (
        <ul>
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
