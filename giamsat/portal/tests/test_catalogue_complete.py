"""Every message the source marks for translation has a Vietnamese translation (issue 20).

The page test (test_untranslated.py) finds translated English left on a page; a string never
added to the catalogue would pass it. Here Django's makemessages extracts every msgid of the
source into a scratch copy of the catalogue (the repository's is never written), and each must
have a translation. Needs GNU gettext's xgettext, as makemessages does; CI installs it.
"""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
PO = ROOT / "locale/vi/LC_MESSAGES/django.po"


@pytest.fixture
def extracted(tmp_path, settings):
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext not found: .ci/run installs gettext")
        pytest.skip("xgettext not found: install GNU gettext to check the catalogue")
    # A scratch tree: the source through a link, a copy of the catalogue beside it.
    (tmp_path / "giamsat").symlink_to(ROOT / "giamsat", target_is_directory=True)
    scratch = tmp_path / "locale/vi/LC_MESSAGES"
    scratch.mkdir(parents=True)
    shutil.copy(PO, scratch / "django.po")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    before = PO.read_bytes()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["vi"], symlinks=True, no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    assert PO.read_bytes() == before  # the repository's catalogue is untouched
    return polib.pofile(str(scratch / "django.po"))


def test_every_marked_message_has_a_vietnamese_translation(extracted):
    # Django reads `{% blocktranslate with ... count=n %}` as plural (the catalogue has it so) where
    # makemessages extracts a singular: such a msgid is translated as a plural.
    plural_ids = {entry.msgid for entry in polib.pofile(str(PO)) if entry.msgid_plural and entry.msgstr_plural.get(0)}
    missing = [
        (entry.msgid, entry.occurrences[:1])
        for entry in extracted
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags) and entry.msgid not in plural_ids
    ]
    assert len(extracted) > 1000
    assert missing == []
