"""Dependency vulnerability audit for CI (`make audit`): pip-audit, with an honest verdict.

    python .ci/audit.py [--ignore-file .ci/audit-ignore.txt] [pip-audit arguments...]

Runs pip-audit on the project's environment (or on what the extra arguments name, such as
``-r requirements.txt --no-deps --disable-pip``), against OSV first and PyPI's own
advisory data second, and decides:

- a known vulnerability that is not accepted in the ignore file: print each one, exit 1;
- every dependency checked and none vulnerable: print how many, exit 0;
- no service reachable, or one that audits nothing (a mirror that lacks PyPI's per-version
  JSON answers "not found" for every package): print a one-line warning, exit 0. CI must
  not fail for a network reason, and must not claim a clean audit it did not do.

The ignore file holds one vulnerability id per line, each with a reason after a ``#``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVICES = ("osv", "pypi")
NETWORK = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "NameResolutionError",
    "Max retries exceeded",
    "Could not connect",
    "ServiceError",
)


def accepted(ignore_file: Path) -> dict[str, str]:
    """Vulnerability id -> the reason it is accepted; a line without a reason is an error."""
    ids: dict[str, str] = {}
    if not ignore_file.exists():
        return ids
    for number, line in enumerate(ignore_file.read_text(encoding="utf-8").splitlines(), 1):
        entry, _, reason = line.partition("#")
        if not entry.strip():
            continue
        if not reason.strip():
            raise SystemExit(
                f"{ignore_file}:{number}: {entry.strip()} has no reason; add one after a '#'"
            )
        ids[entry.strip()] = reason.strip()
    return ids


def run(service: str, extra: list[str], ignored: dict[str, str]) -> tuple[str, str]:
    """(verdict, detail) for one service: 'vulnerable', 'clean' or 'unusable'."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [
            sys.executable, "-m", "pip_audit", "--vulnerability-service", service,
            "--format", "json", "--output", str(report), "--progress-spinner", "off",
            "--timeout", "20", *(f"--ignore-vuln={i}" for i in ignored),
        ]  # fmt: skip
        if not any(a.startswith(("-r", "--requirement", "--path", "-l", "--local")) for a in extra):
            command.append("--skip-editable")  # careguide itself is not on PyPI
        done = subprocess.run([*command, *extra], capture_output=True, text=True)
        if not report.exists() or not report.read_text().strip():
            if any(marker in done.stderr for marker in NETWORK):
                return "unusable", f"{service}: cannot reach the vulnerability service"
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return "error", f"{service}: pip-audit failed ({last})"
        data = json.loads(report.read_text())
    deps = data.get("dependencies", [])
    vulnerable = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release yet'})"
        for d in deps
        for v in d.get("vulns", [])
    ]
    if vulnerable:
        return "vulnerable", "\n".join(vulnerable)
    audited = [d for d in deps if "skip_reason" not in d]
    if not audited:
        return "unusable", f"{service}: audited none of {len(deps)} dependencies"
    return "clean", f"{service}: {len(audited)} dependencies audited, no known vulnerabilities"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ignore-file", type=Path, default=HERE / "audit-ignore.txt")
    parser.add_argument("--services", default=",".join(SERVICES))
    args, extra = parser.parse_known_args(argv)
    ignored = accepted(args.ignore_file)
    why_not = []
    for service in args.services.split(","):
        verdict, detail = run(service, extra, ignored)
        if verdict == "vulnerable":
            print(
                f"audit: known vulnerabilities ({service}); upgrade, or accept each with a reason in {args.ignore_file.name}:"
            )
            print(detail)
            return 1
        if verdict == "clean":
            accepted_note = (
                f"; {len(ignored)} accepted in {args.ignore_file.name}" if ignored else ""
            )
            print(f"audit: {detail}{accepted_note}")
            return 0
        if verdict == "error":
            print(f"audit: {detail}")
            return 1
        why_not.append(detail)
    print(
        f"audit: WARNING: dependencies not audited ({'; '.join(why_not)}); run `make audit` where the internet is reachable"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
