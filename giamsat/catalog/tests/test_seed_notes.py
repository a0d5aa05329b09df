"""The seed catalogue's notes are Vietnamese: the data element's page shows them as written."""

import re

import pytest

from giamsat.catalog import seed

pytestmark = pytest.mark.django_db
VIETNAMESE = re.compile(r"[ăâđêôơưàáạảãằắặẳẵầấậẩẫèéẹẻẽềếệểễìíịỉĩòóọỏõồốộổỗờớợởỡùúụủũừứựửữỳýỵỷỹ]", re.I)


def test_every_seed_note_is_vietnamese():
    notes = {row["code"]: row["notes"] for row in seed.read_csv("data_elements.csv") if row["notes"]}
    assert len(notes) > 40
    assert {code: note for code, note in notes.items() if not VIETNAMESE.search(note)} == {}


def test_the_element_page_shows_the_note_in_vietnamese(client_a):
    body = client_a.get("/catalog/elements/HH_TOTAL/").content.decode()
    assert "Mẫu số của các chỉ số độ phủ hộ gia đình." in body
    assert "Denominator of household coverage" not in body
