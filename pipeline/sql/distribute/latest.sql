-- The latest quarter with an accepted return: what `distribute` sends by default, as
-- `report` reports it. Grain: one row (none when no return was ever accepted).
select year, quarter
from province_summary
where communes_accepted > 0
order by year desc, quarter desc
limit 1;
