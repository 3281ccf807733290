/**
 * "Nothing was written" on the sync server: one hash per table of the public schema, every
 * row as PostgreSQL prints it, in a stable order. One round trip (PGlite or PostgreSQL).
 */
import type { Queryable } from '../../server/db.ts';

const tableLists = new WeakMap<Queryable, string>();

export async function databaseChecksum(db: Queryable): Promise<string> {
  let sql = tableLists.get(db);
  if (!sql) {
    const tables = (
      await db.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
      )
    ).rows.map((r) => r.name);
    if (tables.length === 0) throw new Error('databaseChecksum: no tables in the public schema');
    sql = tables
      .map((name) => {
        const quoted = `"${name.replaceAll('"', '""')}"`;
        return `SELECT '${name.replaceAll("'", "''")}' AS name, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS hash FROM ${quoted} r`;
      })
      .join(' UNION ALL ');
    tableLists.set(db, sql);
  }
  const rows = (await db.query<{ name: string; hash: string }>(sql)).rows;
  return rows
    .map((r) => `${r.name}:${r.hash}`)
    .sort()
    .join(',');
}
