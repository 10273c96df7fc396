-- MTurk's CreateHITType refuses a HIT type without a description, so a task now needs one to be stored
-- (TaskRules.DESCRIPTION; issue 14). A task stored before gets its title as its description, which the
-- researcher can change; the table then refuses a blank title or description, as the rules do.
update task set description = title where trim(description) = '';
alter table task add constraint task_text check (trim(title) <> '' and trim(description) <> '');
