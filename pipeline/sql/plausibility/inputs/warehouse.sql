-- What the plausibility checks read in a report run (pipeline.plausibility): every return
-- in use of this warehouse is judged, against the returns in use of the same warehouse.
-- Temporary views: nothing of them is stored.

-- The returns judged. Grain: one row per return in use.
create or replace temp view judged_returns as
select
    file_id,
    file_name,
    commune_code,
    year,
    quarter
from staging.returns;

-- The Excel row of each cell of an accepted file. Grain: one row per file and cell.
create or replace temp view judged_rows as
select
    file_id,
    cell_code,
    excel_row
from staging.cells;

-- Where each column sits in the clerk's sheets. Grain: one row per file, sheet and column.
create or replace temp view judged_columns as
select
    file_id,
    sheet,
    "column",
    header,
    letters
from staging.columns;

-- Every return in use, to compare with: its cells, meetings, admissions, attendance.
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
from cells;

create or replace temp view in_use_meetings as
select
    commune_code,
    year,
    quarter,
    cell_code,
    month,
    regular_meeting,
    attendees
from meetings;

create or replace temp view in_use_admissions as
select
    commune_code,
    year,
    quarter,
    cell_code
from admissions;

create or replace temp view in_use_rates as
select
    commune_code,
    year,
    quarter,
    attendance_rate
from cell_meetings;
