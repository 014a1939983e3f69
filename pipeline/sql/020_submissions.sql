-- Every file found in the raw folder and its verdict (SPEC §4).
-- Grain: one row per file. Among the accepted files of a (commune, period) the latest
-- submitted_on is in use (ties: the later modification time, then the file name);
-- the other accepted ones are superseded. Rejected files never replace accepted data.

create table staging.ranked_files as
with ranked as (
    select
        *,
        row_number() over (
            partition by commune_code, year, quarter
            order by submitted_on desc, mtime desc, file_name desc
        ) as acceptance_rank
    from staging.files
    where accepted
)

select
    files.*,
    case
        when not files.accepted then 'rejected'
        when ranked.acceptance_rank = 1 then 'accepted'
        else 'superseded'
    end as status
from staging.files as files
left join ranked using (file_id);

-- The return in use for each (commune, period).
create table staging.returns as
select
    file_id,
    file_name,
    commune_code,
    year::integer as year,
    quarter::integer as quarter,
    submitted_on::date as submitted_on
from staging.ranked_files
where status = 'accepted';

create table submissions as
select
    file_name::varchar as file_name,
    sha256::varchar as sha256,
    commune_code::varchar as commune_code,
    year::integer as year,
    quarter::integer as quarter,
    submitted_on::date as submitted_on,
    status::varchar as status,
    errors::integer as errors,
    warnings::integer as warnings
from staging.ranked_files
order by file_name;

-- Rejected files sent after the return in use of their (commune, period), in the order
-- that picks the return in use: the later submitted_on, then (same or unreadable date)
-- the later modification time, then the file name. The return in use stands; these still
-- need the commune's attention. A rejected file sent before it was corrected by it.
-- Grain: one row per such file.
create table staging.rejected_after_use as
select files.file_name
from staging.ranked_files as files
inner join staging.ranked_files as in_use
    on in_use.status = 'accepted'
    and in_use.commune_code = files.commune_code
    and in_use.year = files.year
    and in_use.quarter = files.quarter
where files.status = 'rejected'
    and (
        (files.submitted_on is not null and files.submitted_on <> in_use.submitted_on
            and files.submitted_on > in_use.submitted_on)
        or (
            (files.submitted_on is null or files.submitted_on = in_use.submitted_on)
            and (
                files.mtime > in_use.mtime
                or (files.mtime = in_use.mtime and files.file_name > in_use.file_name)
            )
        )
    );
