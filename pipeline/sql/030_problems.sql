-- Every problem of every file, in the order a clerk reads them.
-- Grain: one row per problem (file, sheet, cell, rule).

create table problems as
select
    file_name::varchar as file_name,
    sheet::varchar as sheet,
    "row"::integer as "row",
    "column"::varchar as "column",
    cell::varchar as cell,
    value::varchar as value,
    severity::varchar as severity,
    rule::varchar as rule,
    message::varchar as message
from staging.problems
order by position;
