import type { stockOperations } from '../shared/stock.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Till } from './till.ts';

export function stockHandlers(_till: Till): HandlersFor<typeof stockOperations> {
  return {};
}
