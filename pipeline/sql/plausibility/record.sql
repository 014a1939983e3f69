-- The plausibility warnings of a report run (SPEC §4a), as pipeline.plausibility made them
-- from the rules' rows (registered as `found`): kept with the figures they compared (the
-- bulletins show them), added to `problems` after the problems of single returns, and
-- counted in the warnings of their file in `submissions`.
-- Grain: one row per warning.

create table staging.plausibility (
    file_name varchar,
    commune_code varchar,
    year integer,
    quarter integer,
    rule varchar,
    sheet varchar,
    "row" integer,
    "column" varchar,
    cell varchar,
    value varchar,
    severity varchar,
    message varchar,
    cell_code varchar,
    cell_name varchar,
    figure double,
    compared double,
    admitted integer,
    position integer
);

insert into staging.plausibility by name
select * from found;

insert into problems
select
    file_name,
    sheet,
    "row",
    "column",
    cell,
    value,
    severity,
    rule,
    message
from staging.plausibility
order by position;

update submissions
set warnings = submissions.warnings + found.warnings
from (
    select
        file_name,
        count(*)::integer as warnings
    from staging.plausibility
    group by all
) as found
where submissions.file_name = found.file_name;
