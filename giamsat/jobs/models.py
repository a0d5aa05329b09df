"""Long work run by a worker: imports, recomputes, and soon documents and scans."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import JobStatus


class Job(models.Model):
    """One run of a registered kind of long work: who asked, its input file and parameters, its
    progress and its result. While it runs, its worker holds a lease (jobs/lease.py); a job whose
    lease lapsed is failed with a message saying so, never left running for good."""

    id = models.UUIDField(_("ID"), primary_key=True, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    processed = models.PositiveBigIntegerField(_("processed"), default=0)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="jobs/%Y/%m/", blank=True, max_length=255)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=120, blank=True)  # host:pid of the worker that ran it
    created_at = models.DateTimeField(_("created at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} {self.status}"
