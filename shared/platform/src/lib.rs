//! Configuration, database, telemetry, auth, errors, outbox and server bootstrap shared by the services
