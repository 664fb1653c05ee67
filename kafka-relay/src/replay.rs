//! Replays to Kafka: the relay is the replay engine's sink, so a replayed event is produced
//! exactly as the live relay produces it (key, envelope, headers, oversize policy), to the
//! relay's topic or another one, and the job's checkpoint moves only after every delivery
//! report of a batch.

use sqlx::PgConnection;
use store::replays::{Replay, ReplayError, Sink};
use store::FeedEvent;

use crate::Relay;

impl Sink for Relay {
    async fn send(
        &mut self,
        _job: &Replay,
        events: &[&FeedEvent],
        _tx: &mut PgConnection,
    ) -> Result<(), ReplayError> {
        Relay::send(self, events)
            .await
            .map_err(|e| ReplayError::Sink(e.to_string()))
    }
}
