"""Known-vulnerability audit of the locked dependencies: pip-audit on requirements-dev.lock and npm
audit on web/package-lock.json. Run by scripts/test.sh.

Exit 1 when either finds a vulnerability. When the vulnerability service cannot be reached (an
offline machine, or a registry mirror without the audit endpoints), it says so on stderr and
does not fail: "not audited" is reported as such, never as "no vulnerabilities".
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def say(msg: str) -> None:
    print(f"[audit] {msg}", file=sys.stderr)


def python_audit() -> int:
    out = subprocess.run([sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes", "-r",
                          str(ROOT / "requirements-dev.lock"), "--progress-spinner", "off", "-f", "json"],
                         capture_output=True, text=True)
    try:
        deps = json.loads(out.stdout)["dependencies"]
    except (ValueError, KeyError):
        say(f"pip-audit did not run: {out.stderr.strip()[-300:]}")
        return 0
    vulnerable = [d for d in deps if d.get("vulns")]
    audited = [d for d in deps if "skip_reason" not in d]
    for d in vulnerable:
        say(f"python: {d['name']} {d['version']}: " + ", ".join(v["id"] for v in d["vulns"]))
    if not audited:
        say(f"python: NOT AUDITED: the vulnerability service answered for none of {len(deps)} packages")
    else:
        say(f"python: {len(audited)} of {len(deps)} locked packages audited, {len(vulnerable)} vulnerable")
    return 1 if vulnerable else 0


def npm_audit() -> int:
    out = subprocess.run(["npm", "audit", "--json", "--audit-level=moderate"], cwd=ROOT / "web",
                         capture_output=True, text=True)
    try:
        report = json.loads(out.stdout)
    except ValueError:
        report = {"message": out.stderr.strip()[-300:]}
    counts = report.get("metadata", {}).get("vulnerabilities")
    if counts is None:
        say(f"npm: NOT AUDITED: {report.get('message') or report.get('error', {}).get('summary', 'no report')}")
        return 0
    serious = sum(counts.get(level, 0) for level in ("moderate", "high", "critical"))
    say(f"npm: {counts.get('total', 0)} known vulnerabilities, {serious} moderate or worse")
    return 1 if serious else 0


if __name__ == "__main__":
    sys.exit(max(python_audit(), npm_audit()))
