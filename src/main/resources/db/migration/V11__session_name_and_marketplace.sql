-- Issue 14 item 3: a session's own name, the marketplace it was posted on, and its HIT group.
--   name             the researcher's name for the session (optional), shown next to its number
--   marketplace_mode LOCAL, SANDBOX or PRODUCTION: chosen at Go live; every call about the session's
--                    HITs, assignments and pay goes to that marketplace. Null for sessions opened before
--                    this column existed: they belong to the server's configured marketplace, as they did.
--   hit_group_id     the HITGroupId of the session's first HIT: the worker site's preview link
alter table live_session add column name varchar(100);
alter table live_session add column marketplace_mode varchar(16);
alter table live_session add column hit_group_id varchar(128);
alter table live_session add constraint live_session_marketplace_mode
    check (marketplace_mode is null or marketplace_mode in ('LOCAL', 'SANDBOX', 'PRODUCTION'));
