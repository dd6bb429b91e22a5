"""Back office for the talent pool: every model, for superusers and for repairs. Day-to-day work
goes through the pool's pages (scoped, audited); edits here bypass the services' rules and the
audit log, so keep them to corrections."""

from __future__ import annotations

from django.contrib import admin

from gongzhi.talent.models import (
    Activity,
    Appraisal,
    Attendance,
    AwardDecision,
    AwardNomination,
    Cadre,
    Course,
    CourseResult,
    CourseSession,
    Cycle,
    Feedback,
    Graduation,
    Honour,
    Membership,
    Milestone,
    Nomination,
    Note,
    Organisation,
    PoolCategory,
    Posting,
    RerankReview,
    ResearchMember,
    ResearchProject,
    ReviewLine,
    SkillAssessment,
    SummaryItem,
    SummaryMeeting,
    TalentImport,
    TalentPool,
)


class PoolCategoryInline(admin.TabularInline[PoolCategory, TalentPool]):
    model = PoolCategory
    extra = 0


class CycleInline(admin.TabularInline[Cycle, TalentPool]):
    model = Cycle
    extra = 0


@admin.register(TalentPool)
class TalentPoolAdmin(admin.ModelAdmin[TalentPool]):
    list_display = ("name", "cap", "exit_below", "skill_scale_min", "skill_scale_max", "created_at")
    search_fields = ("name",)
    filter_horizontal = ("administrators",)
    inlines = (PoolCategoryInline, CycleInline)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name",)
    search_fields = ("name", "members__username")
    filter_horizontal = ("members",)


@admin.register(PoolCategory)
class PoolCategoryAdmin(admin.ModelAdmin[PoolCategory]):
    list_display = ("name", "pool", "quota")
    list_filter = ("pool",)
    list_select_related = ("pool",)
    search_fields = ("name",)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin[Cycle]):
    list_display = ("name", "pool", "start", "end", "status")
    list_filter = ("pool", "status")
    list_select_related = ("pool",)
    search_fields = ("name",)


class MembershipInline(admin.TabularInline[Membership, Cadre]):
    model = Membership
    extra = 0
    fk_name = "cadre"


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin[Cadre]):
    list_display = ("name", "pool", "organisation", "category", "status", "staff_number")
    list_filter = ("pool", "status", "category")
    list_select_related = ("pool", "organisation", "category")
    search_fields = ("name", "staff_number", "organisation__name", "user__username")
    raw_id_fields = ("user",)
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("cadre", "entered_on", "entry_reason", "exited_on", "exit_reason")
    list_select_related = ("cadre",)
    search_fields = ("cadre__name", "entry_reason", "exit_reason")


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin[Posting]):
    list_display = ("cadre", "place", "role", "start", "end")
    list_select_related = ("cadre",)
    search_fields = ("cadre__name", "place", "role")


@admin.register(Honour)
class HonourAdmin(admin.ModelAdmin[Honour]):
    list_display = ("cadre", "title", "awarded_on", "awarded_by")
    list_select_related = ("cadre",)
    search_fields = ("cadre__name", "title", "awarded_by")


@admin.register(Appraisal)
class AppraisalAdmin(admin.ModelAdmin[Appraisal]):
    list_display = ("cadre", "year", "grade")
    list_filter = ("year", "grade")
    list_select_related = ("cadre",)
    search_fields = ("cadre__name",)


@admin.register(SkillAssessment)
class SkillAssessmentAdmin(admin.ModelAdmin[SkillAssessment]):
    list_display = ("cadre", "skill", "score", "assessed_on", "assessor")
    list_filter = ("skill",)
    list_select_related = ("cadre",)
    search_fields = ("cadre__name", "assessor")


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin[Note]):
    list_display = ("cadre", "author", "created_at")
    list_select_related = ("cadre", "author")
    search_fields = ("cadre__name", "text")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = ("name", "pool", "position", "required", "rule", "min_sessions", "pass_score")
    list_filter = ("pool", "rule", "required")
    list_select_related = ("pool",)
    search_fields = ("name",)
    filter_horizontal = ("instructors",)


@admin.register(CourseSession)
class CourseSessionAdmin(admin.ModelAdmin[CourseSession]):
    list_display = ("course", "cycle", "title", "held_on", "lecturer")
    list_select_related = ("course", "cycle")
    search_fields = ("title", "course__name", "lecturer")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin[Attendance]):
    list_display = ("session", "cadre", "present")
    list_select_related = ("session__course", "cadre")
    search_fields = ("cadre__name", "session__title")


@admin.register(CourseResult)
class CourseResultAdmin(admin.ModelAdmin[CourseResult]):
    list_display = ("course", "cycle", "cadre", "score", "marked_complete_at")
    list_select_related = ("course", "cycle", "cadre")
    search_fields = ("cadre__name", "course__name")


@admin.register(Graduation)
class GraduationAdmin(admin.ModelAdmin[Graduation]):
    list_display = ("cycle", "cadre", "outcome", "decided_on")
    list_filter = ("outcome",)
    list_select_related = ("cycle", "cadre")
    search_fields = ("cadre__name",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ("title", "cycle", "kind", "starts_on", "ends_on", "location")
    list_filter = ("kind",)
    list_select_related = ("cycle",)
    search_fields = ("title", "location")
    filter_horizontal = ("participants",)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ("cycle", "activity", "respondent", "rating", "created_at")
    list_filter = ("respondent", "rating")
    list_select_related = ("cycle", "activity")
    search_fields = ("comment",)


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin[Nomination]):
    list_display = ("cadre", "pool", "organisation", "status", "nominated_at")
    list_filter = ("pool", "status")
    list_select_related = ("cadre", "pool", "organisation")
    search_fields = ("cadre__name", "organisation__name", "reason")


@admin.register(RerankReview)
class RerankReviewAdmin(admin.ModelAdmin[RerankReview]):
    list_display = ("title", "pool", "cycle", "held_on", "status")
    list_filter = ("pool", "status")
    list_select_related = ("pool", "cycle")
    search_fields = ("title",)


@admin.register(ReviewLine)
class ReviewLineAdmin(admin.ModelAdmin[ReviewLine]):
    list_display = ("review", "cadre", "score", "rank", "outcome")
    list_filter = ("outcome",)
    list_select_related = ("review", "cadre")
    search_fields = ("cadre__name", "reason")


@admin.register(AwardDecision)
class AwardDecisionAdmin(admin.ModelAdmin[AwardDecision]):
    list_display = ("pool", "year", "kind", "decided_on")
    list_filter = ("pool", "year", "kind")
    list_select_related = ("pool",)
    search_fields = ("basis",)


@admin.register(AwardNomination)
class AwardNominationAdmin(admin.ModelAdmin[AwardNomination]):
    list_display = ("cadre", "pool", "year", "kind", "status")
    list_filter = ("pool", "year", "kind", "status")
    list_select_related = ("cadre", "pool")
    search_fields = ("cadre__name", "reason")


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin[ResearchProject]):
    list_display = ("title", "cycle", "mentor", "status", "score")
    list_filter = ("status",)
    list_select_related = ("cycle",)
    search_fields = ("title", "mentor", "topic")


@admin.register(ResearchMember)
class ResearchMemberAdmin(admin.ModelAdmin[ResearchMember]):
    list_display = ("project", "cadre", "role")
    list_select_related = ("project", "cadre")
    search_fields = ("cadre__name", "project__title")


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin[Milestone]):
    list_display = ("project", "title", "due_on", "done_on")
    list_select_related = ("project",)
    search_fields = ("title", "project__title")


@admin.register(SummaryMeeting)
class SummaryMeetingAdmin(admin.ModelAdmin[SummaryMeeting]):
    list_display = ("title", "cycle", "starts_at", "venue", "held")
    list_select_related = ("cycle",)
    search_fields = ("title", "venue")


@admin.register(SummaryItem)
class SummaryItemAdmin(admin.ModelAdmin[SummaryItem]):
    list_display = ("meeting", "position", "project", "presenter", "duration_minutes")
    list_select_related = ("meeting", "project")
    search_fields = ("project__title", "presenter")


@admin.register(TalentImport)
class TalentImportAdmin(admin.ModelAdmin[TalentImport]):
    list_display = ("file_name", "pool", "status", "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    list_select_related = ("pool", "created_by")
    search_fields = ("file_name",)
    readonly_fields = ("problems", "counts")
