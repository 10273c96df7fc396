-- A worker's rows in a session's log (the live view and the handoff-latency metric look up a
-- worker's latest promotion); without it each lookup scans the session's whole log.
create index session_event_worker on session_event (session_id, worker_id, seq);
