"""Fuzz the API and the properties for a set time: `make fuzz` (FUZZ_MINUTES, default 10).

Runs every property-based test (`-m property`: schemathesis on both OpenAPI documents and the
Hypothesis properties) again and again under the "fuzz" Hypothesis profile, which draws fresh
random examples on each run and 5 times as many as the suite. Stops when the time is up,
prints each failing case (Hypothesis' falsifying example and the reproduction blob) and exits
non-zero if there was one. Every case found belongs in a regular test: `make test` is
derandomized and never finds anything new by itself.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "fuzz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("FUZZ_MINUTES", "10")))
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, e.g. a test path")
    args = parser.parse_args()
    deadline = time.monotonic() + args.minutes * 60
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HYPOTHESIS_PROFILE": "fuzz", "DB_CONN_MAX_AGE": "0"}
    failures: list[str] = []
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        left = max(30, int(deadline - time.monotonic()))
        log = LOG_DIR / f"round-{rounds}.log"
        command = [sys.executable, "-m", "pytest", "-m", "property", "-q", "-p", "no:randomly", *args.pytest_args]
        print(f"== fuzz round {rounds} ({left} s left)", flush=True)
        try:
            result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=left + 120)
        except subprocess.TimeoutExpired as exc:
            log.write_text((exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout or "")
            print("   round cut at the time limit", flush=True)
            break
        log.write_text(result.stdout + result.stderr)
        summary = [line for line in result.stdout.splitlines() if re.match(r"^(FAILED|ERROR) ", line)]
        tail = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
        print(f"   {tail[0]}", flush=True)
        if result.returncode not in (0, 5):
            failures.append(f"round {rounds}: see {log.relative_to(ROOT)}\n" + "\n".join(summary))
            for block in re.findall(r"(Falsifying example:.*?)(?:\n\n|\Z)", result.stdout, re.S):
                print("   " + block.replace("\n", "\n   "), flush=True)
            for blob in re.findall(r"@reproduce_failure\([^)]*\)", result.stdout):
                print(f"   {blob}", flush=True)
    print(f"== {rounds} rounds in {args.minutes:g} min; {len(failures)} with failures")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
