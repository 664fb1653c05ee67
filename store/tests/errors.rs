//! How database errors are sorted: only the unique keys that writers race for are conflicts
//! (retried); any other unique violation is a plain database error, never retried as one.

use store::StoreError;

#[tokio::test]
async fn only_racing_keys_are_conflicts() {
    let db = roster_testkit::fresh_db().await;
    let insert_event = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type,
                                            event_version, payload, metadata)
                        VALUES ('organization', 'org_x', 1, 't', '1', '{}', '{}')";
    sqlx::query(insert_event).execute(&db.pool).await.unwrap();
    let again = sqlx::query(insert_event)
        .execute(&db.pool)
        .await
        .unwrap_err();
    assert!(matches!(StoreError::from(again), StoreError::Conflict));

    sqlx::query("CREATE TABLE other (name text CONSTRAINT other_name_key UNIQUE)")
        .execute(&db.pool)
        .await
        .unwrap();
    let insert = "INSERT INTO other VALUES ('a')";
    sqlx::query(insert).execute(&db.pool).await.unwrap();
    let e = StoreError::from(sqlx::query(insert).execute(&db.pool).await.unwrap_err());
    assert!(matches!(e, StoreError::Database(_)), "{e:?}");
    assert!(e.to_string().contains("other_name_key"), "{e}");
}
