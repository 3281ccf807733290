import type { shiftOperations } from '../shared/shift.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Till } from './till.ts';

export function shiftHandlers(_till: Till): HandlersFor<typeof shiftOperations> {
  return {};
}
