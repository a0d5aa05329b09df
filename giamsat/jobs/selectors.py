"""Reads of jobs: a user sees their own jobs (an administrator, everyone's)."""

from django.db.models import QuerySet

from .models import Job


def jobs_visible_to(user) -> QuerySet[Job]:
    jobs = Job.objects.all()
    if not (user.is_superuser or getattr(user, "role", "") == "ADMIN"):
        jobs = jobs.filter(owner=user)
    return jobs


def job_get_for(user, job_id) -> Job | None:
    """The job if `user` may see it, else None (another user's job is as good as absent)."""
    import uuid

    try:
        key = uuid.UUID(str(job_id))
    except ValueError:
        return None
    return jobs_visible_to(user).filter(pk=key).first()
