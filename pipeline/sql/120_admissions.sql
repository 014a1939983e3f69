-- The members admitted, from the returns in use. No names or identifiers are stored.
-- Grain: one row per admission (no natural key: two admissions may look alike).

create table admissions as
select
    returns.commune_code,
    returns.year,
    returns.quarter,
    rows.cell_code::varchar as cell_code,
    rows.admitted_on::date as admitted_on,
    rows.sex::varchar as sex,
    rows.birth_year::integer as birth_year,
    (year(rows.admitted_on) - rows.birth_year)::integer as age_at_admission,
    rows.ethnicity::varchar as ethnicity,
    lower(strip_accents(trim(rows.ethnicity))) <> 'kinh' as ethnic_minority,
    rows.religion::varchar as religion,
    rows.occupation::varchar as occupation,
    rows.education::varchar as education,
    rows.referred_by::varchar as referred_by
from staging.admissions as rows
inner join staging.returns as returns using (file_id)
order by
    returns.commune_code, returns.year, returns.quarter, rows.cell_code, rows.admitted_on,
    rows.position;
