import type { z } from 'zod';

/** Who may call an operation; checked by the dispatcher before the handler runs. */
export type Access = 'anyone' | 'staff' | 'manager' | 'owner';

export interface Operation<I extends z.ZodType = z.ZodType, O = unknown> {
  input: I;
  access: Access;
  /** Phantom: carries the output type; never read at run time. */
  output?: O;
}

/** One row of the contract. `O` is given, `I` is inferred from the schema. */
export function operation<O>() {
  return <I extends z.ZodType>(input: I, access: Access = 'anyone'): Operation<I, O> => ({ input, access });
}
