/**
 * The one surface between the UI and the store (DESIGN.md §2). Each domain file adds its
 * rows here; Electron IPC and the browser host both dispatch through this table.
 */
import type { z } from 'zod';
import { appOperations } from './app.ts';
import { backupOperations } from './backup.ts';
import { catalogOperations } from './catalog.ts';
import type { Operation } from './contract.ts';
import { customerOperations } from './customer.ts';
import { diagnosticsOperations } from './diagnostics.ts';
import type { Result } from './errors.ts';
import { orderHistoryOperations } from './order-history.ts';
import { receiptOperations } from './receipt.ts';
import { reportOperations } from './reports.ts';
import { saleOperations } from './sale.ts';
import { settingsOperations } from './settings.ts';
import { setupOperations } from './setup.ts';
import { shiftOperations } from './shift.ts';
import { staffOperations } from './staff.ts';
import { stockOperations } from './stock.ts';
import { stockListOperations } from './stock-list.ts';
import { stocktakeOperations } from './stocktake.ts';
import type { SyncStatus } from './sync.ts';
import { syncOperations } from './sync.ts';
import { updateOperations } from './update.ts';

export const operations = {
  ...appOperations,
  ...settingsOperations,
  ...setupOperations,
  ...catalogOperations,
  ...staffOperations,
  ...shiftOperations,
  ...saleOperations,
  ...stockOperations,
  ...stockListOperations,
  ...reportOperations,
  ...stocktakeOperations,
  ...backupOperations,
  ...customerOperations,
  ...orderHistoryOperations,
  ...receiptOperations,
  ...syncOperations,
  ...diagnosticsOperations,
  ...updateOperations,
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type InputOf<N extends OperationName> = z.input<Operations[N]['input']>;
export type ParsedInputOf<N extends OperationName> = z.output<Operations[N]['input']>;
export type OutputOf<N extends OperationName> = Operations[N] extends Operation<z.ZodType, infer O> ? O : never;

export const operationNames = Object.keys(operations) as OperationName[];

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(operations, name);
}

/** Pushes from the store to the UI, one subscribe mechanism for both transports. */
export interface Events {
  'sync.status': SyncStatus;
  'stock.changed': { productIds: string[] };
  'catalog.importProgress': { done: number; total: number };
}
export type EventName = keyof Events;
export const eventNames: EventName[] = ['sync.status', 'stock.changed', 'catalog.importProgress'];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (eventNames as string[]).includes(name);
}

/** What the renderer sees, whichever transport carries it. */
export type Bridge = {
  call<N extends OperationName>(name: N, input: InputOf<N>): Promise<Result<OutputOf<N>>>;
  subscribe<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
};
