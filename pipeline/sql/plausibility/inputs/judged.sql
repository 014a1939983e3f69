-- The returns judged, each with the quarter it is compared with: the previous one, Q4 of
-- the year before for Q1 (SPEC §4a). Read by every rule of sql/plausibility/.
-- Grain: one row per return judged.
create or replace temp view judged as
select
    file_id,
    file_name,
    commune_code,
    year,
    quarter,
    case when quarter = 1 then year - 1 else year end as previous_year,
    case when quarter = 1 then 4 else quarter - 1 end as previous_quarter
from judged_returns;
