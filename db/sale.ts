import type { saleOperations } from '../shared/sale.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Till } from './till.ts';

export function saleHandlers(_till: Till): HandlersFor<typeof saleOperations> {
  return {};
}
