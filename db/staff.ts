import type { staffOperations } from '../shared/staff.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Till } from './till.ts';

export function staffHandlers(_till: Till): HandlersFor<typeof staffOperations> {
  return {};
}
