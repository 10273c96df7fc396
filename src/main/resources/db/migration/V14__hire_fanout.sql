-- Fan-out at scale (issue 15): the hire outbox and the reconciliation read bounded slices.
--
-- When a hire request may be tried next (null: now). The backoff of a throttled send or the delay
-- before the next token lookup used to be kept in memory only; kept here, the dispatcher's poll asks
-- the database for due requests only, with a LIMIT, instead of reading every pending one each round.
alter table hire_request add column next_attempt_at timestamp with time zone;
create index hire_request_due on hire_request (state, next_attempt_at);

-- The reconciliation walks the HITs of live sessions in (session_id, hit_id) order, a batch per call.
create index session_hit_session_hit on session_hit (session_id, hit_id);
