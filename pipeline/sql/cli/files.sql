-- The files a run read, for its summary: those of the quarter reported ($year, $quarter)
-- by verdict, then the others.
-- Grain: one row; its column names are the fields of `run.Outcome` they fill.
select
    count(*) filter (where year = $year and quarter = $quarter) as files,
    count(*) filter (
        where year = $year and quarter = $quarter and status = 'accepted'
    ) as accepted,
    count(*) filter (
        where year = $year and quarter = $quarter and status = 'superseded'
    ) as superseded,
    count(*) filter (
        where year = $year and quarter = $quarter and status = 'rejected'
    ) as rejected,
    count(*) filter (where year is not null and (year <> $year or quarter <> $quarter))
        as other_quarters,
    count(*) filter (where year is null) as no_period
from submissions;
