-- The public interface (SPEC §5): every relation and column carries a comment.
-- Plumbing lives in the `staging` schema and may change without notice.

comment on table communes is 'The communes expected to report (reference data maintained by the province). One row per commune.';
comment on column communes.commune_code is '5-digit administrative unit code, text with leading zeros (e.g. 06253).';
comment on column communes.commune_name is 'Name of the commune, ward or special zone.';
comment on column communes.cluster is 'Optional grouping, for example the former district; NULL when not set.';

comment on table targets is 'Annual targets of new party members. One row per commune and year; a commune without a row has no target.';
comment on column targets.commune_code is 'Commune code.';
comment on column targets.year is 'Calendar year of the target.';
comment on column targets.admissions_target is 'Number of new members the commune is to admit in the year.';

comment on table submissions is 'Every file found in the raw folder and its verdict. One row per file.';
comment on column submissions.file_name is 'Path of the file relative to the raw folder.';
comment on column submissions.sha256 is 'SHA-256 of the file bytes.';
comment on column submissions.commune_code is 'Commune code read from the Info sheet (NULL when unreadable).';
comment on column submissions.year is 'Year of the reported period (NULL when unreadable).';
comment on column submissions.quarter is 'Quarter 1-4 of the reported period (NULL when unreadable).';
comment on column submissions.submitted_on is 'Date the return was made, from the Info sheet.';
comment on column submissions.status is 'accepted (the return in use), superseded (a later accepted return replaces it) or rejected (it has errors; nothing from it is used).';
comment on column submissions.errors is 'Number of problems of severity error.';
comment on column submissions.warnings is 'Number of problems of severity warning.';

comment on table problems is 'Every problem found in every file, as reported to the communes. One row per problem.';
comment on column problems.file_name is 'Path of the file relative to the raw folder.';
comment on column problems.sheet is 'Canonical sheet: Info, Cells, Meetings or Admissions; NULL for a problem of the whole file.';
comment on column problems."row" is 'Excel row number as Excel shows it; NULL when the problem has no single row.';
comment on column problems."column" is 'Canonical column name (SPEC §3), e.g. attendees.';
comment on column problems.cell is 'Excel cell reference such as E4.';
comment on column problems.value is 'The value found, as the clerk wrote it.';
comment on column problems.severity is 'error (the file is rejected) or warning (accepted, but to be fixed).';
comment on column problems.rule is 'Stable kebab-case code of the rule, e.g. attendees-above-members.';
comment on column problems.message is 'What is wrong and what to do, in the bulletin language, naming the header as the clerk wrote it.';

comment on table cells is 'Party cells at quarter end, from the returns in use. One row per commune, year, quarter and cell.';
comment on column cells.commune_code is 'Commune code.';
comment on column cells.year is 'Year of the return.';
comment on column cells.quarter is 'Quarter of the return.';
comment on column cells.cell_code is 'Cell code, upper-cased, unique within the commune.';
comment on column cells.cell_name is 'Name of the party cell.';
comment on column cells.cell_type is 'village, agency, public_service, enterprise, armed_forces or other.';
comment on column cells.official_members is 'Official party members at quarter end.';
comment on column cells.probationary_members is 'Probationary party members at quarter end.';
comment on column cells.last_admission_year is 'Year of the latest admission on record; NULL when none.';
comment on column cells.assigned_member is 'The commune committee member assigned to attend and guide the cell''s meetings (Project 16); NULL when none is assigned or the return has no such column (see cell_meetings.cells_with_assigned_member).';

comment on table meetings is 'Monthly cell meetings, from the returns in use. One row per commune, year, quarter, cell and reported month.';
comment on column meetings.commune_code is 'Commune code.';
comment on column meetings.year is 'Year of the return.';
comment on column meetings.quarter is 'Quarter of the return.';
comment on column meetings.cell_code is 'Cell code.';
comment on column meetings.month is 'Month 1-12.';
comment on column meetings.regular_meeting is 'Whether the monthly regular meeting was held.';
comment on column meetings.meeting_date is 'Date of the regular meeting; NULL when not held.';
comment on column meetings.attendees is 'Party members who attended the regular meeting; NULL or 0 when not held.';
comment on column meetings.thematic_meeting is 'Whether a thematic meeting was held that month.';
comment on column meetings.higher_level_attendees is 'Committee members and cadres from the commune or province who attended.';
comment on column meetings.assigned_member_attended is 'Whether the cell''s assigned committee member attended the regular meeting; NULL when the return has no such column (not reported, never false).';
comment on column meetings.meeting_rating is 'The cell committee''s rating of the meeting: good, fair, average or poor; NULL when not rated or the return has no such column.';

comment on table admissions is 'New party members admitted, from the returns in use; no names or identifiers. One row per admission.';
comment on column admissions.commune_code is 'Commune code.';
comment on column admissions.year is 'Year of the return.';
comment on column admissions.quarter is 'Quarter of the return.';
comment on column admissions.cell_code is 'Cell that admitted the member.';
comment on column admissions.admitted_on is 'Date of admission.';
comment on column admissions.sex is 'male or female.';
comment on column admissions.birth_year is 'Year of birth.';
comment on column admissions.age_at_admission is 'Year admitted minus birth year.';
comment on column admissions.ethnicity is 'Ethnicity as written.';
comment on column admissions.ethnic_minority is 'True for any ethnicity other than Kinh.';
comment on column admissions.religion is 'Religion as written; NULL, Không or None mean no religion.';
comment on column admissions.occupation is 'civil_servant, armed_forces, agriculture, worker, business, student or other.';
comment on column admissions.education is 'lower_secondary, upper_secondary, vocational, higher or postgraduate.';
comment on column admissions.referred_by is 'Mass organisation that introduced the member; none when blank.';

comment on table admissions_vs_target is 'Admissions against the annual target. One row per commune of communes and quarter with an accepted return in the province.';
comment on column admissions_vs_target.commune_code is 'Commune code.';
comment on column admissions_vs_target.year is 'Year.';
comment on column admissions_vs_target.quarter is 'Quarter.';
comment on column admissions_vs_target.admissions_quarter is 'Admissions with admitted_on in the quarter.';
comment on column admissions_vs_target.admissions_ytd is 'Admissions with admitted_on in quarters 1..quarter of the year.';
comment on column admissions_vs_target.admissions_target is 'Annual target; NULL when the commune has none.';
comment on column admissions_vs_target.achievement_pct is '100 * admissions_ytd / admissions_target; NULL without a target.';
comment on column admissions_vs_target.expected_pct is 'Expected pace: 25 * quarter.';
comment on column admissions_vs_target.on_pace is 'achievement_pct >= expected_pct; NULL without a target.';

comment on table referrals_vs_target is 'Candidates brought forward by each mass organisation against its target. One row per referral target and quarter; commune_code NULL for the province.';
comment on column referrals_vs_target.commune_code is 'Commune code; NULL for the province total over the communes with that target.';
comment on column referrals_vs_target.year is 'Year.';
comment on column referrals_vs_target.quarter is 'Quarter.';
comment on column referrals_vs_target.referred_by is 'Mass organisation (canonical code).';
comment on column referrals_vs_target.referrals_ytd is 'Admissions in quarters 1..quarter referred by the organisation.';
comment on column referrals_vs_target.referrals_target is 'Annual referral target.';
comment on column referrals_vs_target.achievement_pct is '100 * referrals_ytd / referrals_target.';

comment on table cell_meetings is 'Regular and thematic meetings and attendance. One row per commune with an accepted return for the quarter.';
comment on column cell_meetings.commune_code is 'Commune code.';
comment on column cell_meetings.year is 'Year.';
comment on column cell_meetings.quarter is 'Quarter.';
comment on column cell_meetings.cells is 'Cells listed in the Cells sheet.';
comment on column cell_meetings.cells_met_every_month is 'Cells with a regular meeting in all three months (an unreported month counts as not met).';
comment on column cell_meetings.pct_met_every_month is '100 * cells_met_every_month / cells.';
comment on column cell_meetings.cells_thematic is 'Cells with at least one thematic meeting in the quarter.';
comment on column cell_meetings.pct_thematic is '100 * cells_thematic / cells.';
comment on column cell_meetings.attendance_rate is '100 * sum of attendees / sum of (official + probationary members) over meetings held.';
comment on column cell_meetings.higher_level_attendances is 'Sum of higher_level_attendees.';
comment on column cell_meetings.meetings_held is 'Meetings with regular_meeting true.';
comment on column cell_meetings.meetings_attendance_85 is 'Meetings held with attendees >= 85% of the cell''s members.';
comment on column cell_meetings.pct_attendance_85 is '100 * meetings_attendance_85 / meetings_held.';
comment on column cell_meetings.meetings_unreported is '(cell, month) pairs of the quarter with no row in Meetings: not reported, which is not the same as not held.';
comment on column cell_meetings.cells_with_assigned_member is 'Cells with an assigned committee member; NULL when the return has no assigned_member column.';
comment on column cell_meetings.pct_cells_with_assigned_member is '100 * cells_with_assigned_member / cells.';
comment on column cell_meetings.meetings_assigned_present is 'Held meetings of cells with an assigned member that the member attended; NULL when the return does not report attendance.';
comment on column cell_meetings.pct_assigned_present is '100 * meetings_assigned_present / held meetings of cells with an assigned member.';
comment on column cell_meetings.cells_assigned_absent is 'Cells with an assigned member that held a meeting in the quarter, none attended by the member; NULL when not reported.';
comment on column cell_meetings.meetings_rated is 'Held meetings with a meeting_rating; NULL when the return has no rating column.';
comment on column cell_meetings.meetings_rated_good is 'Held meetings rated good.';
comment on column cell_meetings.pct_rated_good is '100 * meetings_rated_good / meetings_rated.';
comment on column cell_meetings.meetings_rated_poor is 'Held meetings rated poor.';

comment on table stale_cells is 'Cells without an admission for the configured number of years (province.toml stale_years). One row per stale cell.';
comment on column stale_cells.commune_code is 'Commune code.';
comment on column stale_cells.year is 'Year.';
comment on column stale_cells.quarter is 'Quarter.';
comment on column stale_cells.cell_code is 'Cell code.';
comment on column stale_cells.cell_name is 'Name of the party cell.';
comment on column stale_cells.last_admission_year is 'Latest admission year from the Cells sheet; NULL when none.';
comment on column stale_cells.years_without_admission is 'year minus the latest of last_admission_year and any admission on record; NULL when there is none at all.';

comment on table new_member_profile is 'Profile of the members admitted in the quarter. One row per commune (NULL for the province), quarter, dimension and category with members.';
comment on column new_member_profile.commune_code is 'Commune code; NULL for the province.';
comment on column new_member_profile.year is 'Year.';
comment on column new_member_profile.quarter is 'Quarter.';
comment on column new_member_profile.dimension is 'sex, age_group, ethnic_minority, religion, occupation, education or referred_by.';
comment on column new_member_profile.category is 'Canonical code of the category (age_group: under_30, 30_and_over; ethnic_minority and religion: yes, no).';
comment on column new_member_profile.members is 'New members admitted in the quarter.';

comment on table submission_status is 'Who reported. One row per commune of communes and quarter with an accepted return in the province.';
comment on column submission_status.commune_code is 'Commune code.';
comment on column submission_status.commune_name is 'Commune name.';
comment on column submission_status.year is 'Year.';
comment on column submission_status.quarter is 'Quarter.';
comment on column submission_status.status is 'on_time or late (the return in use, against quarter end + deadline_days), rejected (files sent, none accepted) or missing (no file).';
comment on column submission_status.submitted_on is 'submitted_on of the return in use, or of the latest rejected file.';
comment on column submission_status.file_name is 'The return in use, or the latest rejected file.';

comment on table province_summary is 'The province at a glance; percentages are sums of numerators over sums of denominators. One row per quarter.';
comment on column province_summary.year is 'Year.';
comment on column province_summary.quarter is 'Quarter.';
comment on column province_summary.communes_expected is 'Communes in the communes table.';
comment on column province_summary.communes_accepted is 'Communes with an accepted return for the quarter.';
comment on column province_summary.communes_on_time is 'Communes whose return in use was on time.';
comment on column province_summary.admissions_quarter is 'Admissions in the quarter, all communes.';
comment on column province_summary.admissions_ytd is 'Admissions in the year to date, all communes.';
comment on column province_summary.admissions_target is 'Sum of the targets of the communes that have one.';
comment on column province_summary.achievement_pct is '100 * admissions_ytd of the communes with a target / admissions_target.';
comment on column province_summary.cells is 'Cells of the accepted returns.';
comment on column province_summary.cells_met_every_month is 'Cells that met in all three months.';
comment on column province_summary.pct_met_every_month is '100 * cells_met_every_month / cells.';
comment on column province_summary.cells_thematic is 'Cells with a thematic meeting.';
comment on column province_summary.pct_thematic is '100 * cells_thematic / cells.';
comment on column province_summary.attendance_rate is '100 * sum of attendees / sum of members over meetings held.';
comment on column province_summary.stale_cells is 'Stale cells (see stale_cells).';
comment on column province_summary.official_members is 'Official members in the cells of the accepted returns.';
comment on column province_summary.probationary_members is 'Probationary members in the cells of the accepted returns.';
comment on column province_summary.pct_cells_with_assigned_member is '100 * cells with an assigned member / cells, over the returns that report assigned members; NULL when none does.';
comment on column province_summary.pct_assigned_present is '100 * meetings attended by the assigned member / held meetings of cells with one, over the returns that report attendance.';
comment on column province_summary.pct_rated_good is '100 * meetings rated good / meetings rated, over the returns that report ratings.';

comment on table assigned_members is 'The commune committee members assigned to cells (Project 16): cells guided and meetings attended. One row per commune, quarter and assigned member.';
comment on column assigned_members.commune_code is 'Commune code.';
comment on column assigned_members.year is 'Year.';
comment on column assigned_members.quarter is 'Quarter.';
comment on column assigned_members.assigned_member is 'The member, as the return names them.';
comment on column assigned_members.cells is 'Cells assigned to the member.';
comment on column assigned_members.meetings_held is 'Regular meetings held in those cells.';
comment on column assigned_members.meetings_attended is 'Of those, the meetings the member attended; NULL when the return does not report attendance.';
comment on column assigned_members.attendance_pct is '100 * meetings_attended / meetings_held.';

comment on table referral_targets is 'Annual referral targets of the mass organisations (reference data, optional). One row per commune, year and organisation.';
comment on column referral_targets.commune_code is 'Commune code.';
comment on column referral_targets.year is 'Calendar year of the target.';
comment on column referral_targets.referred_by is 'Mass organisation (canonical code, e.g. youth_union).';
comment on column referral_targets.referrals_target is 'Candidates the organisation is to bring forward in the year.';
