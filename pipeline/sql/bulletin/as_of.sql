-- The date the bulletin's data stands at: the latest return received for the period.
select max(submitted_on) as as_of
from submissions
where year = $year and quarter = $quarter;
