"""`Services`: the one object screens hold to reach the cloud (or the sandbox).

Importing this module is cheap: the SDKs (and aiohttp, oss2) come with the service
modules, which are imported on first use of `.cdn`, `.dns` or `.oss` — after the app's
first paint.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .profile import Profile

if TYPE_CHECKING:
    from .alidns import DnsService
    from .cdn import CdnService
    from .cname_setup import CnameSetupService
    from .oss import OssService
    from .ownership import OwnershipService
    from .propagation import PropagationService
    from .retry import RetryPolicy


class Services:
    """The CDN, DNS and OSS services of one Profile; each built on first use."""

    def __init__(self, profile: Profile, *, retry: RetryPolicy | None = None) -> None:
        self.profile = profile
        self._retry = retry

    def _policy(self) -> RetryPolicy:
        from .retry import DEFAULT_POLICY

        return self._retry or DEFAULT_POLICY

    @cached_property
    def cdn(self) -> CdnService:
        from .cdn import CdnService

        return CdnService(self.profile, self._policy())

    @cached_property
    def dns(self) -> DnsService:
        from .alidns import DnsService

        return DnsService(self.profile, self._policy())

    @cached_property
    def oss(self) -> OssService:
        from .oss import OssService

        return OssService(self.profile, self._policy())

    @cached_property
    def ownership(self) -> OwnershipService:
        from .ownership import OwnershipService

        return OwnershipService(self.profile, self.cdn, self.dns, self.oss)

    @cached_property
    def cname_setup(self) -> CnameSetupService:
        from .cname_setup import CnameSetupService

        return CnameSetupService(self.dns)

    @cached_property
    def propagation(self) -> PropagationService:
        from .propagation import PropagationService

        return PropagationService(self.profile, self.cdn)

    def warm_up(self) -> None:
        """Import the SDKs now (from a worker thread), not on the event loop later."""
        self.cdn, self.dns, self.oss, self.ownership, self.cname_setup, self.propagation  # noqa: B018

    async def close(self) -> None:
        """Release the connection pool oss2 keeps (the tea SDKs open one per call)."""
        oss = self.__dict__.pop("oss", None)
        if oss is not None:
            oss.close()
