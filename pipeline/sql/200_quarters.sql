-- The quarters the indicators cover: those with at least one accepted return.
-- Grain: one row per year and quarter.

create table staging.quarters as
select distinct
    year,
    quarter,
    last_day(make_date(year, quarter * 3, 1)) as quarter_end
from staging.returns
order by year, quarter;
