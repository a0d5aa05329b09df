"""Copy the pinned front-end packages from node_modules into static files (never committed).

Run by `make` after `npm ci`; the servers that run GiamSat have no internet, so nothing is
loaded from a CDN.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "giamsat" / "static" / "vendor"
FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "alpinejs/dist/cdn.min.js": "alpine.min.js",
    "echarts/dist/echarts.min.js": "echarts.min.js",
}


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for source, name in FILES.items():
        path = ROOT / "node_modules" / source
        if not path.exists():
            print(f"missing {path}: run `npm ci` first", file=sys.stderr)
            return 1
        shutil.copyfile(path, TARGET / name)
    print(f"vendored {len(FILES)} front-end files into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
