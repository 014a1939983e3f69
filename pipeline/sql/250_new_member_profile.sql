-- Who joined this quarter (SPEC §6).
-- Grain: one row per commune (NULL for the province), quarter, dimension and category
-- with at least one member.

create table new_member_profile as
with

labelled as (
    select
        commune_code,
        year(admitted_on)::integer as year,
        quarter(admitted_on)::integer as quarter,
        sex,
        case when age_at_admission < 30 then 'under_30' else '30_and_over' end as age_group,
        case when ethnic_minority then 'yes' else 'no' end as ethnic_minority,
        case
            when religion is null or lower(strip_accents(trim(religion))) in ('khong', 'none')
                then 'no'
            else 'yes'
        end as religion,
        occupation,
        education,
        referred_by
    from admissions
),

long as (
    unpivot labelled
    on sex, age_group, ethnic_minority, religion, occupation, education, referred_by
    into name dimension value category
),

by_commune as (
    select
        commune_code,
        year,
        quarter,
        dimension,
        category,
        count(*)::integer as members
    from long
    group by all
),

by_province as (
    select
        null::varchar as commune_code,
        year,
        quarter,
        dimension,
        category,
        sum(members)::integer as members
    from by_commune
    group by all
)

select * from by_commune
union all
select * from by_province
order by year, quarter, commune_code nulls first, dimension, category;
