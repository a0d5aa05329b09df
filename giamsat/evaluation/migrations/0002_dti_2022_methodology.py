"""The provincial DTI structure of Quyết định 922/QĐ-BTTTT (20/5/2022), used for the 2022
assessment onwards: five foundation pillars of 100 points, digital government 200, digital
economy and digital society 150 each; index = Σ(weight × pillar value) / 1000.

Quyết định 405/QĐ-BKHCN (3/4/2025) replaced it; its weights are entered as a new version
(with its own validity) once checked, not assumed here."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

WEIGHTS = {
    "AWARENESS": 100,
    "INSTITUTIONS": 100,
    "INFRASTRUCTURE": 100,
    "HUMAN_RESOURCES": 100,
    "CYBERSECURITY": 100,
    "DIGITAL_GOVERNMENT": 200,
    "DIGITAL_ECONOMY": 150,
    "DIGITAL_SOCIETY": 150,
}


def create(apps, schema_editor):
    Methodology = apps.get_model("evaluation", "IndexMethodology")
    PillarWeight = apps.get_model("evaluation", "PillarWeight")
    methodology, _ = Methodology.objects.get_or_create(
        code="DTI_922_2022",
        defaults={
            "name_vi": "Chỉ số DTI cấp tỉnh theo Quyết định 922/QĐ-BTTTT",
            "name_en": "Provincial DTI per Decision 922/QD-BTTTT",
            "valid_from": dt.date(2022, 1, 1),
            "legal_basis": "Quyết định 922/QĐ-BTTTT ngày 20/5/2022",
        },
    )
    for pillar, weight in WEIGHTS.items():
        PillarWeight.objects.get_or_create(methodology=methodology, pillar=pillar, defaults={"weight": Decimal(weight)})


def remove(apps, schema_editor):
    apps.get_model("evaluation", "IndexMethodology").objects.filter(code="DTI_922_2022").delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
