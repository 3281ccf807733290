/** Contract rows for the sale domain; filled in by the store issue. */
export const saleOperations = {};
