//! `--profile`: where Postgres spent a section's time, from `pg_stat_statements` (nested
//! statements too, so the statements inside `roster_commit_unit` show on their own lines).

use sqlx::PgPool;

use crate::BenchError;

/// Prints the ten statements with the most total execution time since the last reset.
pub(crate) async fn top_statements(pool: &PgPool) -> Result<(), BenchError> {
    let rows: Vec<(String, i64, f64, f64, i64)> = sqlx::query_as(
        "SELECT query, calls, total_exec_time, mean_exec_time, rows
           FROM pg_stat_statements
          WHERE query NOT LIKE '%pg_stat_statements%'
          ORDER BY total_exec_time DESC
          LIMIT 10",
    )
    .fetch_all(pool)
    .await?;
    eprintln!("    total ms      calls    mean ms       rows  statement");
    for (query, calls, total, mean, rows) in rows {
        let query: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let query: String = query.chars().take(110).collect();
        eprintln!("{total:>12.0} {calls:>10} {mean:>10.3} {rows:>10}  {query}");
    }
    Ok(())
}
