-- What the plausibility checks read in `check` (pipeline.plausibility): the returns in
-- use among the files checked (attached as `checked`, a warehouse built from them alone)
-- are judged against the published warehouse's returns in use (the default catalog),
-- where a file checked takes the place of the published return of its commune and quarter.
-- Temporary views: the published warehouse is only read.

-- The returns judged. Grain: one row per return in use among the files checked.
create or replace temp view judged_returns as
select
    file_id,
    file_name,
    commune_code,
    year,
    quarter
from checked.staging.returns;

-- The Excel row of each cell of a file checked. Grain: one row per file and cell.
create or replace temp view judged_rows as
select
    file_id,
    cell_code,
    excel_row
from checked.staging.cells;

-- Where each column sits in the clerk's sheets. Grain: one row per file, sheet and column.
create or replace temp view judged_columns as
select
    file_id,
    sheet,
    "column",
    header,
    letters
from checked.staging.columns;

-- Every return in use: the files checked, then the published returns they do not replace.
create or replace temp view in_use_cells as
select
    commune_code,
    year,
    quarter,
    cell_code,
    cell_name,
    official_members,
    probationary_members,
    last_admission_year
from checked.main.cells
union all
select
    commune_code,
    year,
    quarter,
    cell_code,
    cell_name,
    official_members,
    probationary_members,
    last_admission_year
from cells as published
where not exists (
    select 1 from judged_returns as judged
    where judged.commune_code = published.commune_code
        and judged.year = published.year
        and judged.quarter = published.quarter
);

create or replace temp view in_use_meetings as
select
    commune_code,
    year,
    quarter,
    cell_code,
    month,
    regular_meeting,
    attendees
from checked.main.meetings
union all
select
    commune_code,
    year,
    quarter,
    cell_code,
    month,
    regular_meeting,
    attendees
from meetings as published
where not exists (
    select 1 from judged_returns as judged
    where judged.commune_code = published.commune_code
        and judged.year = published.year
        and judged.quarter = published.quarter
);

create or replace temp view in_use_admissions as
select
    commune_code,
    year,
    quarter,
    cell_code
from checked.main.admissions
union all
select
    commune_code,
    year,
    quarter,
    cell_code
from admissions as published
where not exists (
    select 1 from judged_returns as judged
    where judged.commune_code = published.commune_code
        and judged.year = published.year
        and judged.quarter = published.quarter
);

create or replace temp view in_use_rates as
select
    commune_code,
    year,
    quarter,
    attendance_rate
from checked.main.cell_meetings
union all
select
    commune_code,
    year,
    quarter,
    attendance_rate
from cell_meetings as published
where not exists (
    select 1 from judged_returns as judged
    where judged.commune_code = published.commune_code
        and judged.year = published.year
        and judged.quarter = published.quarter
);
