/**
 * One PostgreSQL transaction on a pooled client: BEGIN, `fn`, COMMIT; ROLLBACK when `fn` throws
 * (the error is rethrown), and the client always goes back to the pool.
 */
import type pg from 'pg';

export async function pgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
