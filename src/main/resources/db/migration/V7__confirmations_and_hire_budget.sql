-- Trust (SPEC §4.1.0, §4.2): the marketplace's confirmations become facts of the session's log,
-- and each session has a hire budget.
--   confirm:  assignment_id, hit_id, worker_id (null when the marketplace did not name the worker)
--   release:  assignment_id (a confirmed assignment returned before any page arrived with it)
--   subok:    worker_id, assignment_id (the marketplace confirmed the worker's submission)
--   withheld: worker_id, hire_number = the budget that withheld the hire
--   budget:   hire_number = the new hire budget
alter table session_event add column hit_id varchar(128);
alter table session_event drop constraint session_event_kind;
alter table session_event add constraint session_event_kind check (kind in
    ('status', 'phase', 'ready', 'hire', 'confirm', 'release', 'subok', 'withheld', 'budget'));

-- null: 3 × (max_active + max_waiting) hires per session
alter table task add column hire_budget integer;
-- null: no spending cap; otherwise the session's hires may cost at most this much (reward + MTurk's fee)
alter table task add column spend_cap_cents integer;
alter table task add constraint task_hire_budget check ((hire_budget is null or hire_budget >= 0)
    and (spend_cap_cents is null or spend_cap_cents >= 0));

-- The session's budget when it opened (null for sessions opened before budgets: unlimited).
alter table live_session add column hire_budget integer;
