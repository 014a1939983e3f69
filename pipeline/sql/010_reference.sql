-- Reference data as the province maintains it (SPEC §2).
-- Grain: communes: one row per commune; targets: one row per commune and year.

create table communes as
select
    commune_code::varchar as commune_code,
    commune_name::varchar as commune_name,
    cluster::varchar as cluster
from staging.communes
order by commune_code;

create table targets as
select
    commune_code::varchar as commune_code,
    year::integer as year,
    admissions_target::integer as admissions_target
from staging.targets
order by commune_code, year;

create table referral_targets as
select
    commune_code::varchar as commune_code,
    year::integer as year,
    referred_by::varchar as referred_by,
    referrals_target::integer as referrals_target
from staging.referral_targets
order by commune_code, year, referred_by;
