-- attendance-outlier (SPEC §4a): the commune's attendance_rate has a modified z-score
-- 0.6745 * (rate - median) / MAD (Iglewicz and Hoaglin) beyond ±$attendance_outlier_z among
-- the quarter's communes with an accepted return and a rate (a commune that held no
-- meeting has none); not computed with fewer than $attendance_outlier_communes of them or
-- a MAD of 0. The rate itself is the problem's value (pipeline.plausibility writes it).
-- Grain: one row per such return; on the Meetings sheet, no row, column attendees.
with

rates as (
    select
        commune_code,
        year,
        quarter,
        attendance_rate
    from in_use_rates
    where attendance_rate is not null
),

centre as (
    select
        year,
        quarter,
        count(*) as communes,
        median(attendance_rate) as median
    from rates
    group by all
),

spread as (
    select
        rates.year,
        rates.quarter,
        median(abs(rates.attendance_rate - centre.median)) as mad
    from rates
    inner join centre using (year, quarter)
    group by all
),

scored as (
    select
        judged.*,
        rates.attendance_rate,
        centre.median,
        0.6745 * (rates.attendance_rate - centre.median) / spread.mad as z
    from judged
    inner join rates using (commune_code, year, quarter)
    inner join centre using (year, quarter)
    inner join spread using (year, quarter)
    where centre.communes >= $attendance_outlier_communes and spread.mad > 0
)

select
    file_name,
    commune_code,
    year,
    quarter,
    'Meetings' as sheet,
    null::integer as "row",
    'attendees' as "column",
    null::varchar as cell,
    null::varchar as value,
    null::varchar as cell_code,
    null::varchar as cell_name,
    null::varchar as header,
    attendance_rate as figure,
    median as compared,
    null::integer as admitted
from scored
where abs(z) > $attendance_outlier_z
order by file_name;
