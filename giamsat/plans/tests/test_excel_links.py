"""A plan's page leads to its Excel export and to an import for the same unit and year."""

import datetime as dt

from django.urls import reverse

from giamsat.plans.services import plan_get_or_create

from .conftest import at


def test_plan_page_links_to_its_export_and_import(client, reporter, hanoi_dept):
    plan = plan_get_or_create(unit=hanoi_dept, year=2026, by=reporter, at=at(dt.date(2026, 1, 5)))
    client.force_login(reporter)
    page = client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert f"{reverse('plans:export')}?unit=SKHCN_01&amp;year=2026" in page
    assert f"{reverse('plans:import')}?unit=SKHCN_01&amp;year=2026" in page
    form = client.get(reverse("plans:import"), {"unit": "SKHCN_01", "year": "2026"}).content.decode()
    assert '<option value="SKHCN_01" selected>' in form
    assert 'value="2026"' in form
    export = client.get(reverse("plans:export"), {"unit": "SKHCN_01", "year": "2026"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
