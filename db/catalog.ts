import type { catalogOperations } from '../shared/catalog.ts';
import type { HandlersFor } from './dispatch.ts';
import type { Till } from './till.ts';

export function catalogHandlers(_till: Till): HandlersFor<typeof catalogOperations> {
  return {};
}
