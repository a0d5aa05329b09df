"""Official documents: a draft a leader edits and then issues. The figures are read from the
stored results when the draft is made (and again on request while it is a draft) and kept with
it, so the issued document says what was true when it was issued; issuing locks it, gives it
its number and date, and its DOCX and PDF are rendered once by a background job and kept."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.models import Period

from .choices import DocumentKind, DocumentState


class OfficialDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices, default=DocumentKind.SECTOR_REPORT)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("period"))
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    state = models.CharField(_("state"), max_length=10, choices=DocumentState.choices, default=DocumentState.DRAFT)
    # The title block and the closing (Decree 30/2020, Annex I).
    parent_body = models.CharField(_("parent body"), max_length=200, blank=True)
    issuer = models.CharField(_("issuing body"), max_length=200)
    symbol = models.CharField(_("symbol"), max_length=40, help_text=_("E.g. BC-BKHCN: the kind, then the issuer."))
    place = models.CharField(_("place"), max_length=60)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    issued_year = models.PositiveSmallIntegerField(_("year of issue"), null=True, blank=True)
    issued_on = models.DateField(_("date"), null=True, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    recipients = models.TextField(_("recipients"), blank=True, help_text=_("One per line."))
    signer_authority = models.CharField(_("signing authority"), max_length=100, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=100)
    signer_name = models.CharField(_("signer's name"), max_length=150)
    figures = models.JSONField(_("figures"), default=dict)
    figures_read_at = models.DateTimeField(_("figures read at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(_("updated at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    docx_file = models.FileField(_("Word file"), upload_to="documents/%Y/", blank=True, max_length=255)
    pdf_file = models.FileField(_("PDF file"), upload_to="documents/%Y/", blank=True, max_length=255)
    job_id = models.UUIDField(_("job (ID)"), null=True, blank=True)  # the job rendering the issued files

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        constraints = [
            models.UniqueConstraint(fields=["symbol", "issued_year", "number"], name="document_number_unique")
        ]
        indexes = [models.Index(fields=["org_unit", "period"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.org_unit_id} {self.period_id} ({self.state})"

    @property
    def is_draft(self) -> bool:
        return self.state == DocumentState.DRAFT

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]
