/** `GET /v1/payment_intents`: newest first, cursor pagination with `starting_after` / `ending_before`. */
import { invalidRequest, resourceMissing } from './errors';
import { expandPaymentIntent, parseExpand } from './expand';
import { optionalInteger, optionalString, rejectUnknownParams } from './params';
import type { RequestContext } from './payment-intents';
import type { ListObject, PaymentIntent } from './types';

const LIST_PARAMS = new Set(['limit', 'starting_after', 'ending_before', 'expand']);
const UNSUPPORTED_LIST_PARAMS = new Set(['created', 'customer']);

function cursorIndex(list: readonly PaymentIntent[], id: string, param: string): number {
  const index = list.findIndex((intent) => intent.id === id);
  if (index === -1) throw resourceMissing(`No such payment_intent: '${id}'`, param);
  return index;
}

export function listPaymentIntents(ctx: RequestContext): ListObject<PaymentIntent> {
  const { params, account } = ctx;
  rejectUnknownParams(params, LIST_PARAMS, UNSUPPORTED_LIST_PARAMS);
  const limit = optionalInteger(params, 'limit') ?? 10;
  if (limit < 1) throw invalidRequest('This value must be greater than or equal to 1.', { param: 'limit' });
  if (limit > 100) throw invalidRequest('This value must be less than or equal to 100.', { param: 'limit' });
  const expand = parseExpand(params, ['data.latest_charge', 'data.payment_method']).map((path) =>
    path.slice('data.'.length),
  );
  const startingAfter = optionalString(params, 'starting_after');
  const endingBefore = optionalString(params, 'ending_before');

  const newestFirst = [...account.paymentIntents.values()].reverse();
  let page: PaymentIntent[];
  let hasMore: boolean;
  if (startingAfter !== undefined) {
    const rest = newestFirst.slice(cursorIndex(newestFirst, startingAfter, 'starting_after') + 1);
    page = rest.slice(0, limit);
    hasMore = rest.length > limit;
  } else if (endingBefore !== undefined) {
    const before = newestFirst.slice(0, cursorIndex(newestFirst, endingBefore, 'ending_before'));
    page = before.slice(-limit);
    hasMore = before.length > limit;
  } else {
    page = newestFirst.slice(0, limit);
    hasMore = newestFirst.length > limit;
  }
  return {
    object: 'list',
    data: page.map((intent) => expandPaymentIntent(account, intent, expand)),
    has_more: hasMore,
    url: '/v1/payment_intents',
  };
}
