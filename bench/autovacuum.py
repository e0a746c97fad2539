"""What PostgreSQL's autovacuum would have done by now, done at once: the benchmarks' server runs with autovacuum
off, so a table just filled or rewritten has no statistics and its dead rows until someone vacuums it; in
production autovacuum has been through it before anyone measures."""

import psycopg


def vacuum_where_autovacuum_would(database_url: str) -> None:
    """VACUUM ANALYZE each table past autovacuum's default thresholds (20% dead rows, 10% changed since the last
    analyse) or never analysed."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        tables = connection.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_dead_tup > 50 + 0.2 * n_live_tup"
            " OR n_mod_since_analyze > 50 + 0.1 * n_live_tup OR (last_analyze IS NULL AND last_autoanalyze IS NULL)"
        ).fetchall()
        for (table,) in tables:
            connection.execute(f'VACUUM ANALYZE "{table}"')
