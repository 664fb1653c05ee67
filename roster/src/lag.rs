//! How far each feed consumer trails the event log: what `/readyz` shows and `/metrics` exports.

use sqlx::PgPool;

/// The feed consumers shown in `/readyz` (by key) and `/metrics`, with their checkpoint names.
pub const CONSUMERS: [(&str, &str); 3] = [
    ("projector", projector::CONSUMER),
    ("webhook_fanout", webhook_dispatcher::fanout::CONSUMER),
    ("workflows", command_service::workflows::CONSUMER),
];

/// The feed's head and each consumer's checkpoint, in the order of `CONSUMERS`.
pub async fn lag(pool: &PgPool) -> Result<(i64, Vec<i64>), store::StoreError> {
    let head = store::Feed::new(pool.clone()).head().await?;
    let mut positions = Vec::with_capacity(CONSUMERS.len());
    for (_, consumer) in CONSUMERS {
        positions.push(store::checkpoints::load(pool, consumer).await?);
    }
    Ok((head, positions))
}

/// Every feed consumer with its checkpoint, as the console's status page lists them (the Kafka
/// relay's too: it shows once it has run against the database).
pub fn console_consumers() -> Vec<(&'static str, &'static str)> {
    let mut all = CONSUMERS.to_vec();
    all.push(("kafka_relay", kafka_relay::CONSUMER));
    all
}
