-- Events a sink could not take and, by its policy, left out (the Kafka relay's `--kafka-oversize
-- skip`): recorded with their position, so nothing is dropped unseen and each can be re-sent.
CREATE TABLE dead_letters (
    sink        text        NOT NULL,
    position    bigint      NOT NULL,
    size_bytes  bigint      NOT NULL,
    reason      text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sink, position)
);
