"""How inference components pack an endpoint variant's instances, one line per variant:

    shared-gpu/AllTraffic ml.g5.12xlarge x1  gpu [######..] 3/4  cpu [##......] 12/48  mem [#.......] 24/192G  (at max x2: gpu 8/8, cpu 24/96, mem 48/384G)

Each resource (accelerator devices, CPU cores, memory in GiB) is a bar of used over
available, now; ``(at max ...)`` follows when the scaling bounds differ from now (every
scaled IC at its MaxCapacity copies, the variant at its most instances), with ``OVER`` on
a resource that cannot hold them. Plain ASCII (``#`` used, ``.`` free, ``!`` past full)
so that it reads the same in any terminal, log or pull-request comment.

Pure: the numbers come from :func:`reconciler.kinds.capacity.packings`.
"""

from __future__ import annotations

from reconciler.kinds.capacity import Packing, Usage

BAR_WIDTH = 8
_MIB_PER_GIB = 1024


def bar(used: float, available: float, width: int = BAR_WIDTH) -> str:
    """``[###.....]``: the used share of `width` cells, rounded (at least one cell for any
    use, so that it shows); all ``!`` when more is used than there is."""
    if used > available:
        return "[" + "!" * width + "]"
    filled = 0 if used <= 0 else max(1, round(width * used / available))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".rstrip("0")


def amounts(usage: Usage) -> str:
    """``3/4``; memory in GiB with a ``G`` (``24/192G``)."""
    if usage.resource == "mem":
        used, available = usage.used / _MIB_PER_GIB, usage.available / _MIB_PER_GIB
        return f"{_number(round(used, 1))}/{_number(round(available, 1))}G"
    return f"{_number(usage.used)}/{_number(usage.available)}"


def line(packing: Packing) -> str:
    parts = [f"{packing.endpoint}/{packing.variant} {packing.instance_type} x{packing.instances}"]
    parts += [f"{u.resource} {bar(u.used, u.available)} {amounts(u)}" for u in packing.now]
    text = "  ".join(parts)
    if packing.scales:
        fleet = f" x{packing.most_instances}" if packing.most_instances != packing.instances else ""
        at_most = ", ".join(
            f"{u.resource} {amounts(u)}{' OVER' if u.over else ''}" for u in packing.at_most
        )
        text += f"  (at max{fleet}: {at_most})"
    return text


def lines(packings: list[Packing]) -> list[str]:
    return [line(p) for p in packings]
