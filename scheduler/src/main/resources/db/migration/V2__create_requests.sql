-- The create request AppAPI sent for each app (with the master key already removed), so that after a proxy
-- restart an app on a lost or drained engine can still be created again elsewhere.
CREATE TABLE create_requests (
    app         VARCHAR(128) NOT NULL PRIMARY KEY,
    body        TEXT         NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
