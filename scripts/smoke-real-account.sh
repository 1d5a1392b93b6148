#!/usr/bin/env bash
# Smoke test against a REAL Alibaba Cloud account, read-only: runs `oss-cdn doctor`, lists
# the CDN domains and the Alibaba Cloud DNS zones, and fetches one object through the CDN
# with `oss-cdn fetch`. Nothing is changed: OSS_CDN_READ_ONLY=1 makes the service layer
# refuse every write before it is sent, and only reads are asked for anyway.
#
#   scripts/smoke-real-account.sh [--profile NAME] [--region REGION]
#   SMOKE_URL=http://img.example.com/logo.png scripts/smoke-real-account.sh
#
# It needs credentials (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, an aliyun-cli profile, or
# ~/.alibabacloud/credentials.ini) and refuses to run without them. It cannot run in CI:
# CI has no real account (and must not hold one's keys), so it refuses there too.
# SMOKE_SANDBOX=1 runs the same steps in a sandbox of their own (the script's own test).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*" >&2; }

if [ -n "${CI:-}" ] && [ -z "${SMOKE_SANDBOX:-}" ]; then
  echo "smoke-real-account: refusing to run in CI: it needs a real Alibaba Cloud account," \
    "which CI does not have (run it on your own machine)" >&2
  exit 2
fi

ACCOUNT=("$@")
if [ -n "${SMOKE_SANDBOX:-}" ]; then
  ACCOUNT+=(--sandbox)
elif [ -z "${ALIBABA_CLOUD_ACCESS_KEY_ID:-}" ] && [ ! -s "$HOME/.aliyun/config.json" ] \
  && [ ! -s "$HOME/.alibabacloud/credentials.ini" ]; then
  echo "smoke-real-account: no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and" \
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or run \`aliyun configure\` (then --profile NAME)" >&2
  exit 2
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] && PYTHON=.venv/bin/python
export OSS_CDN_READ_ONLY=1

say "oss-cdn doctor"
if ! "$PYTHON" -m tui doctor "${ACCOUNT[@]}"; then
  echo "smoke-real-account: doctor found something to fix (above); stopping here" >&2
  exit 1
fi

say "CDN domains and Alibaba Cloud DNS zones"
URL_FILE=$(mktemp)
trap 'rm -f "$URL_FILE"' EXIT
"$PYTHON" - "$URL_FILE" "${ACCOUNT[@]}" <<'PY'
"""List the account's CDN domains and DNS zones (reads only, through the service layer),
and write a URL worth fetching: an object of the first online domain's OSS origin."""
import argparse
import asyncio
import dataclasses
import sys

from tui.launch import LaunchOptions, connect
from tui.safe_text import shown
from tui.services.facade import Services

parser = argparse.ArgumentParser()
parser.add_argument("url_file")
parser.add_argument("--profile")
parser.add_argument("--region")
parser.add_argument("--sandbox", action="store_true")
args = parser.parse_args()


async def main(profile) -> str:
    services = Services(dataclasses.replace(profile, read_only=True))
    try:
        domains = await services.cdn.list_domains()
        for d in domains:
            print(shown(f"  {d.name:<40} {d.status:<12} {d.cname or '-'}"))
        print(f"{len(domains)} CDN domain(s)")
        zones = await services.dns.list_zones()
        for z in zones:
            print(shown(f"  {z.name}"))
        print(f"{len(zones)} zone(s) in Alibaba Cloud DNS")
        for d in domains:
            if d.status != "online" or d.name.startswith("."):
                continue
            try:
                bucket = services.oss.bucket_from_origin(d.origin)
            except ValueError:
                continue
            page = await services.oss.list_objects(bucket, max_keys=10)
            for obj in page.objects:
                if not obj.key.endswith("/"):
                    return f"http://{d.name}/{obj.key}"
        return ""
    finally:
        await services.close()


profile, box = connect(
    LaunchOptions(profile=args.profile, region=args.region, sandbox=args.sandbox,
                  sandbox_fallback=False)
)
try:
    url = asyncio.run(main(profile))
finally:
    if box is not None:
        box.stop()
with open(args.url_file, "w", encoding="utf-8") as out:
    out.write(url)
PY

URL=${SMOKE_URL:-$(cat "$URL_FILE")}
if [ -z "$URL" ]; then
  say "oss-cdn fetch: skipped (no online domain with an object in its OSS origin; set SMOKE_URL)"
  exit 0
fi
say "oss-cdn fetch $URL"
"$PYTHON" -m tui fetch "$URL" "${ACCOUNT[@]}"
