/** Contract rows for the shift domain; filled in by the store issue. */
export const shiftOperations = {};
