/** Contract rows for the stock domain; filled in by the store issue. */
export const stockOperations = {};
