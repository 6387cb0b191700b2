import type { Stack } from '../../infra/local/src/stack';

/** An authorization (manual capture) as the Stripe emulator lists it: captured, voided, or still held. */
export interface EmulatorCharge {
  paymentIntentId: string;
  amount: number;
  metadata: Record<string, string>;
  amountRefunded: number;
  captured: boolean;
  amountCaptured: number;
  /** Cancelled before capture: the hold was released and nothing was taken. */
  voided: boolean;
}

/** Every authorization the stack's Stripe emulator has made (`GET /__emulator/charges`), oldest first. */
export async function emulatorCharges(stack: Stack): Promise<EmulatorCharge[]> {
  const emulator = stack.services['stripe-emulator']?.[0];
  if (!emulator) throw new Error('this stack has no Stripe emulator');
  const response = await fetch(`${emulator.url}/__emulator/charges`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`the emulator answered ${response.status}`);
  return (await response.json()) as EmulatorCharge[];
}
