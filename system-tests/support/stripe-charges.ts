import type { Stack } from '../../infra/local/src/stack';

/** A successful charge as the Stripe emulator lists it. */
export interface EmulatorCharge {
  paymentIntentId: string;
  amount: number;
  metadata: Record<string, string>;
  amountRefunded: number;
}

/** Every successful charge the stack's Stripe emulator has made (`GET /__emulator/charges`), oldest first. */
export async function emulatorCharges(stack: Stack): Promise<EmulatorCharge[]> {
  const emulator = stack.services['stripe-emulator']?.[0];
  if (!emulator) throw new Error('this stack has no Stripe emulator');
  const response = await fetch(`${emulator.url}/__emulator/charges`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`the emulator answered ${response.status}`);
  return (await response.json()) as EmulatorCharge[];
}
