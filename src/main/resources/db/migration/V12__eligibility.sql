-- Who may work (issue 14 item 4). Kept apart from the task table: a task without a row here has the
-- defaults (no project-wide exclusion, no Masters, no custom qualification requirements).
--   exclude_project_workers: refuse a worker who took part in any other session of the task's project
--   masters:                 the HIT requires MTurk's Masters qualification
create table task_eligibility (
    task_id                 bigint  not null primary key references task (id) on delete cascade,
    exclude_project_workers boolean not null default false,
    masters                 boolean not null default false,
    updated_at              timestamp with time zone not null
);

-- A task's own QualificationRequirements, in the order the admin gave them.
--   integer_values / locale_values: comma-separated (MTurk allows at most 15 values per requirement)
create table task_qualification_requirement (
    task_id               bigint       not null references task (id) on delete cascade,
    position              integer      not null,
    qualification_type_id varchar(64)  not null,
    comparator            varchar(32)  not null,
    integer_values        varchar(400) not null default '',
    locale_values         varchar(400) not null default '',
    primary key (task_id, position)
);

-- Workers the admin excluded from every HIT of a project.
create table project_excluded_worker (
    project_id bigint       not null references project (id),
    worker_id  varchar(64)  not null,
    added_at   timestamp with time zone not null,
    primary key (project_id, worker_id)
);

-- The qualification type Pavilion made for a project ("took part in <project>") and gives each admitted worker,
-- one per marketplace (LOCAL, SANDBOX, PRODUCTION: each has its own qualification types and worker ids).
create table project_participant_qualification (
    project_id            bigint      not null references project (id),
    marketplace_mode      varchar(16) not null,
    qualification_type_id varchar(64) not null,
    created_at            timestamp with time zone not null,
    primary key (project_id, marketplace_mode)
);

-- Past participation is looked up by worker and session on arrival.
create index session_worker_worker_session on session_worker (worker_id, session_id);

-- The workers given the project's "took part" qualification at the marketplace (each once).
create table project_participant_grant (
    project_id       bigint       not null references project (id),
    marketplace_mode varchar(16)  not null,
    worker_id        varchar(128) not null,
    granted_at       timestamp with time zone not null,
    primary key (project_id, marketplace_mode, worker_id)
);
