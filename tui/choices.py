"""The choices CDN offers when adding a domain, with the words people know them by."""

from __future__ import annotations

# Business types, as AddCdnDomain's CdnType. DCDN is offered so that people looking for
# it learn where it lives; it is not a CdnType.
CDN_TYPES = {
    "web": "Image and small file",
    "download": "Large file (over 20 MB)",
    "video": "Video on demand",
}
DCDN = "dcdn"
DCDN_LABEL = "DCDN (static + dynamic)"

# Region scopes, as AddCdnDomain's Scope.
SCOPES = {
    "domestic": "Mainland China only",
    "global": "Global",
    "overseas": "Outside mainland China",
}

# The scopes whose nodes serve mainland China: the domain needs an ICP filing (MIIT).
ICP_SCOPES = frozenset({"domestic", "global"})

NOTES = {
    DCDN: "DCDN domains are added in the DCDN console (or its API), not in CDN: "
    "pick another business type to continue here.",
    "domestic": "ICP filing needed for the domain (MIIT); add it 8 hours after filing.",
    "global": "ICP filing needed for the domain: mainland China nodes serve it too.",
    "overseas": "No ICP filing needed: nodes outside mainland China serve it.",
    80: "CDN fetches from the bucket over HTTP.",
    443: "CDN fetches from the bucket over HTTPS.",
}
