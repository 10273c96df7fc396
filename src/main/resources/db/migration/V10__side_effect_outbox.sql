-- Every side effect on the marketplace through a durable outbox (issue 13 item 1), like hires.

-- Go live: the intent, recorded with the session it opens (in one transaction) before CreateHIT.
-- One row per task and go-live click: (task_id, nonce) is unique, so a double submit of the same
-- form opens one session and posts one HIT. The HIT is posted with the session's post token as
-- UniqueRequestToken and RequesterAnnotation, so a retry or a recovery after a crash finds the HIT
-- the first attempt made instead of posting a second one.
--   state: POSTING    (intent recorded; CreateHIT may be on its way: the dispatcher posts with the token)
--          CANCELLING (the go-live failed and its session expired; a HIT the failed call may have made
--                      is looked for by token, recorded and expired)
--          DONE       (the HIT is recorded as the session's)
--          FAILED     (nothing was posted; last_error says why)
create table go_live (
    task_id      bigint       not null references task (id),
    nonce        varchar(64)  not null,
    session_id   bigint       not null references live_session (id),
    hit_type_id  varchar(128) not null,
    token        varchar(64)  not null,
    state        varchar(16)  not null,
    admin        varchar(320),
    attempts     integer      not null default 0,
    last_error   varchar(4000),
    hit_id       varchar(128),
    requested_at timestamp with time zone not null,
    updated_at   timestamp with time zone not null,
    primary key (task_id, nonce),
    constraint go_live_token unique (token),
    constraint go_live_session unique (session_id),
    constraint go_live_state check (state in ('POSTING', 'CANCELLING', 'DONE', 'FAILED'))
);
create index go_live_state on go_live (state);

-- HIT expiry: one row per HIT of an expired session, written in the same transaction as the
-- session's expiry (or as the HIT's record, for a HIT that lands after the expiry). The dispatcher
-- calls UpdateExpirationForHIT until the marketplace confirms (state DONE); attempts and last_error
-- are shown to the admin meanwhile.
create table hit_expiry (
    hit_id       varchar(128) primary key,
    session_id   bigint       not null references live_session (id),
    state        varchar(16)  not null,
    attempts     integer      not null default 0,
    last_error   varchar(4000),
    requested_at timestamp with time zone not null,
    updated_at   timestamp with time zone not null,
    constraint hit_expiry_state check (state in ('PENDING', 'DONE'))
);
create index hit_expiry_state on hit_expiry (state);
create index hit_expiry_session on hit_expiry (session_id);
