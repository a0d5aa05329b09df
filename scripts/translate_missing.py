"""Fill given Vietnamese translations into locale/vi (a developer's helper: python scripts/translate_missing.py)."""

import json
import sys

import polib

PO = "locale/vi/LC_MESSAGES/django.po"


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        translations = json.load(handle)
    catalogue = polib.pofile(PO)
    for entry in catalogue:
        if entry.msgid in translations:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: translations[entry.msgid]}
            else:
                entry.msgstr = translations[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    catalogue.save()
    left = [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
    print(f"{catalogue.percent_translated()} % translated; left: {left}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
