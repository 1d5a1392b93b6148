"""Goal 4's second part: the sandbox's CPU per API call is bounded by what it answers,
not by the size of the world.

Two sandboxes run side by side in this process: a small world and a big one (10,000
domains; 2,000 records in example.com). The same calls go to each in alternated blocks,
through the SDK clients the app uses: a page of 500 domains (DescribeUserDomains, its
first and its last), a page of 500 records (DescribeDomainRecords), and a one-domain
call (DescribeCdnDomainDetail). The figure is the big world's latency over the small
one's; the note gives the sandbox thread's CPU per call (from /proc) for each.
"""

from __future__ import annotations

import asyncio
import time

from benchmarks.measure import Figure, Runs, figure_of, ms
from benchmarks.seeded import seed_domains, seed_records, thread_cpu

BIG_DOMAINS, SMALL_DOMAINS = 10_000, 500
BIG_RECORDS, SMALL_RECORDS = 2_000, 500
PAGE_SIZE = 500  # both APIs' maximum, what the app asks for
BLOCK = 8  # calls per block: /proc counts CPU in 10 ms ticks


async def domains_page(cdn, number: int) -> float:
    """A page of 500 domains, only its TotalCount read: the sandbox's cost, not the
    client's mapping of 500 domains (the list benchmarks time that, as the app reads)."""
    from alibabacloud_cdn20180510 import models

    request = models.DescribeUserDomainsRequest(
        page_number=number, page_size=PAGE_SIZE, check_domain_show=True
    )
    start = time.perf_counter()
    await cdn.call(
        "DescribeUserDomains",
        cdn._client.describe_user_domains_with_options_async,
        request,
        write=False,
        read=lambda answer: answer.integer("TotalCount"),
    )
    return time.perf_counter() - start


async def records_page(dns, number: int) -> float:
    """A page of 500 records of example.com, only its TotalCount read (as above)."""
    from alibabacloud_alidns20150109 import models

    request = models.DescribeDomainRecordsRequest(
        domain_name="example.com", page_number=number, page_size=PAGE_SIZE
    )
    start = time.perf_counter()
    await dns.call(
        "DescribeDomainRecords",
        dns._client.describe_domain_records_with_options_async,
        request,
        write=False,
        read=lambda answer: answer.integer("TotalCount"),
    )
    return time.perf_counter() - start


async def detail(cdn, name: str) -> float:
    start = time.perf_counter()
    await cdn.domain(name)
    return time.perf_counter() - start


async def measure(quick: bool) -> list[Figure]:
    from tui.sandbox.runner import Sandbox
    from tui.services.facade import Services
    from tui.services.profile import sandbox_profile

    small, big = Sandbox(speed=20.0), Sandbox(speed=20.0)
    seed_domains(small, SMALL_DOMAINS - 6)
    seed_records(small, "example.com", SMALL_RECORDS)
    seed_domains(big, BIG_DOMAINS)
    seed_records(big, "example.com", BIG_RECORDS)
    boxes = {"small": small.start(), "big": big.start()}
    services = {k: Services(sandbox_profile(b.info)) for k, b in boxes.items()}
    last_page = {"small": 1, "big": BIG_DOMAINS // 500}  # a full page: the last full one
    calls = {
        "first page of domains": lambda k: domains_page(services[k].cdn, 1),
        "last page of domains": lambda k: domains_page(services[k].cdn, last_page[k]),
        "a page of records": lambda k: records_page(services[k].dns, 1),
        "one domain's detail": lambda k: detail(services[k].cdn, "img.example.com"),
    }
    wall = {(c, k): Runs() for c in calls for k in boxes}
    cpu = {(c, k): Runs() for c in calls for k in boxes}
    try:
        for call in calls.values():  # clients made, answers' shapes imported
            for k in boxes:
                await call(k)
        for _ in range(2 if quick else 5):
            for name, call in calls.items():
                for k, box in boxes.items():
                    thread = box._thread.native_id if box._thread else None
                    before = thread_cpu(thread)
                    seconds = [await call(k) for _ in range(BLOCK)]
                    cpu[name, k].add(ms(thread_cpu(thread) - before) / BLOCK)
                    wall[name, k].add(ms(sorted(seconds)[BLOCK // 2]))
    finally:
        for s in services.values():
            await s.close()
        for b in boxes.values():
            b.stop()
    figures = []
    for name in calls:
        small_name = "500 records" if "records" in name else f"{SMALL_DOMAINS} domains"
        big_name = f"{BIG_RECORDS:,} records" if "records" in name else f"{BIG_DOMAINS:,} domains"
        figures.append(
            figure_of(
                "4",
                f"sandbox: {name}, {big_name}",
                wall[name, "big"],
                wall[name, "small"],
                small_name,
                goal="ratio",
                bound=1.5,
                note=f"sandbox thread CPU per call {cpu[name, 'big'].median:.1f} ms "
                f"(vs {cpu[name, 'small'].median:.1f} ms)",
            )
        )
    return figures


def run(quick: bool = False) -> list[Figure]:
    return asyncio.run(measure(quick))
