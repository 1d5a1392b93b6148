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

NOTES = {
    DCDN: "DCDN domains are added in the DCDN console (or its API), not in CDN: "
    "pick another business type to continue here.",
    "domestic": "Needs an ICP filing for the domain (MIIT); wait about 8 hours after "
    "filing before adding it.",
    "global": "Needs an ICP filing for the domain, since mainland China nodes serve it.",
    "overseas": "No ICP filing needed.",
    80: "CDN fetches from the bucket over HTTP.",
    443: "CDN fetches from the bucket over HTTPS.",
}
