-- One dispatcher at a time drains an endpoint. Its lease on the endpoint row (renewed while it
-- sends) replaces per-delivery leases: first attempts then go out in position order and the rate
-- limit holds however many dispatchers run, and a dead dispatcher's endpoints are taken over by
-- another once the lease runs out.
ALTER TABLE webhook_endpoints
    ADD COLUMN drain_owner text,
    ADD COLUMN drain_until timestamptz;
ALTER TABLE webhook_deliveries DROP COLUMN lease_until;
