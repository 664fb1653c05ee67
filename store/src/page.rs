//! Keyset pages, the one way every list reads its table (the log, read models, keys, webhook
//! endpoints): each list is keyset-paginated on a unique, indexed key (ids are ULIDs, so they
//! sort by creation), so a page is one index range scan whatever its depth, and rows inserted
//! meanwhile can neither be skipped nor repeated.
//!
//! Statements are assembled with `sqlx::QueryBuilder` from constant fragments; every value the
//! caller supplies is a bind parameter.

use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

/// Where a page starts: at the beginning, after a key, or before a key (in list order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    Start,
    After(String),
    Before(String),
}

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u32,
    pub order: Order,
    pub bound: Bound,
}

/// One page in list order, with the keys the neighbouring pages start from (None: no more rows
/// that way).
#[derive(Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl PageRequest {
    /// Whether the index is scanned descending: `before` walks against the list order.
    pub(crate) fn scans_desc(&self) -> bool {
        (self.order == Order::Desc) != matches!(self.bound, Bound::Before(_))
    }

    /// Appends ` AND key <op> $cursor ORDER BY key <dir> LIMIT $n` (one extra row tells whether
    /// there is more). The statement must already have a WHERE clause.
    /// `cast` follows the bound cursor (`::bigint` for a numeric key; cursors are text).
    fn push_keyset(&self, qb: &mut QueryBuilder<'_, Postgres>, key: &'static str, cast: &str) {
        let (op, dir) = if self.scans_desc() {
            (" < ", " DESC")
        } else {
            (" > ", " ASC")
        };
        if let Bound::After(k) | Bound::Before(k) = &self.bound {
            qb.push(" AND ")
                .push(key)
                .push(op)
                .push_bind(k.clone())
                .push(cast);
        }
        qb.push(" ORDER BY ")
            .push(key)
            .push(dir)
            .push(" LIMIT ")
            .push_bind(i64::from(self.limit) + 1);
    }

    pub(crate) fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> Page<T> {
        let more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let backwards = matches!(self.bound, Bound::Before(_));
        if backwards {
            rows.reverse();
        }
        let first = rows.first().map(&key);
        let last = rows.last().map(&key);
        let (before, after) = match self.bound {
            Bound::Start => (None, last.filter(|_| more)),
            Bound::After(_) => (first, last.filter(|_| more)),
            Bound::Before(_) => (first.filter(|_| more), last),
        };
        Page {
            rows,
            before,
            after,
        }
    }

    pub async fn fetch<T>(
        &self,
        pool: &PgPool,
        qb: QueryBuilder<'_, Postgres>,
        key_column: &'static str,
        key: impl Fn(&T) -> String,
    ) -> Result<Page<T>, StoreError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        self.fetch_keyed(pool, qb, key_column, "", key).await
    }

    /// `fetch` keyed on the log's `position` (its cursors are positions).
    pub async fn fetch_positions<T>(
        &self,
        pool: &PgPool,
        qb: QueryBuilder<'_, Postgres>,
        key: impl Fn(&T) -> String,
    ) -> Result<Page<T>, StoreError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        self.fetch_keyed(pool, qb, "position", "::bigint", key)
            .await
    }

    async fn fetch_keyed<T>(
        &self,
        pool: &PgPool,
        mut qb: QueryBuilder<'_, Postgres>,
        key_column: &'static str,
        cast: &str,
        key: impl Fn(&T) -> String,
    ) -> Result<Page<T>, StoreError>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        self.push_keyset(&mut qb, key_column, cast);
        let rows = qb.build_query_as::<T>().fetch_all(pool).await?;
        Ok(self.finish(rows, key))
    }
}

/// `prefix` as a `LIKE` pattern: `%`, `_` and `\` match literally, then anything may follow.
pub fn like_prefix(prefix: &str) -> String {
    format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// `part` as a `LIKE` pattern matching text that contains it (literally, as [`like_prefix`]).
pub fn like_containing(part: &str) -> String {
    format!("%{}", like_prefix(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_prefix(r"a%b_c\"), r"a\%b\_c\\%");
        assert_eq!(like_containing("x_"), r"%x\_%");
    }

    fn req(order: Order, bound: Bound) -> PageRequest {
        PageRequest {
            limit: 2,
            order,
            bound,
        }
    }

    #[test]
    fn before_scans_against_the_order_and_comes_back_in_order() {
        let r = req(Order::Asc, Bound::Before("d".into()));
        assert!(r.scans_desc());
        // The scan returned c, b, a (descending, one extra): the page is b, c with more before.
        let page = r.finish(vec!["c", "b", "a"], |s| s.to_string());
        assert_eq!(page.rows, vec!["b", "c"]);
        assert_eq!(page.before.as_deref(), Some("b"));
        assert_eq!(page.after.as_deref(), Some("c"));
    }

    #[test]
    fn first_page_has_no_before_and_last_page_no_after() {
        let first = req(Order::Desc, Bound::Start).finish(vec!["z", "y", "x"], |s| s.to_string());
        assert_eq!(first.rows, vec!["z", "y"]);
        assert_eq!((first.before, first.after.as_deref()), (None, Some("y")));
        let last = req(Order::Desc, Bound::After("y".into())).finish(vec!["x"], |s| s.to_string());
        assert_eq!(last.rows, vec!["x"]);
        assert_eq!((last.before.as_deref(), last.after), (Some("x"), None));
    }

    #[test]
    fn like_prefix_matches_wildcards_literally() {
        assert_eq!(like_prefix("a_b%\\"), "a\\_b\\%\\\\%");
    }
}
