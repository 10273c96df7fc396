-- Every HIT posted for a session: the first one at go-live and one per hire. A worker page
-- knows only its HIT id, so this is how a page finds its session.
create table session_hit (
    hit_id       varchar(128) primary key,
    session_id   bigint       not null references live_session (id),
    hit_type_id  varchar(128),
    created_at   timestamp with time zone not null
);
create index session_hit_session on session_hit (session_id);
