"""`Services`: the one object screens hold to reach the cloud (or the sandbox).

Importing this module is cheap: the SDKs (and aiohttp, oss2) come with the service
modules, which are imported on first use of `.cdn`, `.dns` or `.oss` — after the app's
first paint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .profile import Profile
from .retry import DEFAULT_POLICY, RetryPolicy

if TYPE_CHECKING:
    from .alidns import DnsService
    from .cdn import CdnService
    from .cname_setup import CnameSetupService
    from .freshness import FreshnessService
    from .onboarding import OnboardingService
    from .oss import OssService
    from .ownership import OwnershipService
    from .propagation import PropagationService


T = TypeVar("T")


class _BuiltOnce(Generic[T]):
    """A cached_property that builds its value once, even when two threads ask at once:
    the connect worker warms the services up while the event loop may already use them
    (two OssService would be two connection pools, one never closed)."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, services: Any, owner: type | None = None) -> T:
        if services is None:
            return self  # type: ignore[return-value]
        built = services.__dict__
        if self._name not in built:
            with services._building:  # reentrant: ownership builds cdn, dns and oss
                if self._name not in built:
                    built[self._name] = self._build(services)
        return built[self._name]


class Services:
    """The CDN, DNS and OSS services of one Profile; each built on first use."""

    def __init__(self, profile: Profile, *, retry: RetryPolicy | None = None) -> None:
        self.profile = profile
        self._retry = retry
        self._building = threading.RLock()

    def _policy(self) -> RetryPolicy:
        return self._retry or DEFAULT_POLICY

    @_BuiltOnce
    def cdn(self) -> CdnService:
        from .cdn import CdnService

        return CdnService(self.profile, self._policy())

    @_BuiltOnce
    def dns(self) -> DnsService:
        from .alidns import DnsService

        return DnsService(self.profile, self._policy())

    @_BuiltOnce
    def oss(self) -> OssService:
        from .oss import OssService

        return OssService(self.profile, self._policy())

    @_BuiltOnce
    def ownership(self) -> OwnershipService:
        from .ownership import OwnershipService

        return OwnershipService(self.profile, self.cdn, self.dns, self.oss)

    @_BuiltOnce
    def cname_setup(self) -> CnameSetupService:
        # Imported on first use, like the others: the DNS plan's rules cost ~30 ms at start.
        from .cname_setup import CnameSetupService

        return CnameSetupService(self.dns)

    @_BuiltOnce
    def propagation(self) -> PropagationService:
        from .propagation import PropagationService

        return PropagationService(self.profile, self.cdn)

    @_BuiltOnce
    def freshness(self) -> FreshnessService:
        from .freshness import FreshnessService

        return FreshnessService(self.cdn, self.oss)

    @_BuiltOnce
    def onboarding(self) -> OnboardingService:
        from .onboarding import OnboardingService

        return OnboardingService(self)

    def warm_up(self) -> None:
        """Import the SDKs now (from a worker thread), not on the event loop later; and
        parse the Public Suffix List, which opening a domain, onboarding and the add form
        need (40-80 ms of the GIL: first, before the imports, so it is ready soonest)."""
        from tui.rules import load_public_suffixes

        load_public_suffixes()
        self.cdn, self.dns, self.oss, self.ownership, self.cname_setup, self.propagation  # noqa: B018

    async def close(self) -> None:
        """Release the connection pool oss2 keeps (the tea SDKs open one per call)."""
        with self._building:
            oss = self.__dict__.pop("oss", None)
        if oss is not None:
            oss.close()
