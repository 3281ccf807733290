/** Contract rows for the catalog domain; filled in by the store issue. */
export const catalogOperations = {};
