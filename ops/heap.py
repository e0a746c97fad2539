"""The objects a process makes while it starts (modules, models, settings) kept out of Python's garbage collector.

A full collection walks every tracked object: once Django has started that is some 165,000, 80 to 200 ms on this
machine, and one comes every 30 or so batches of the events API (each batch makes thousands of short-lived
objects, and those that live through a young collection count towards the next full one): some 3 to 7 ms of
each batch. Frozen, the objects made at start are never walked again, and the full collections that remain see
only what was made since. A collection first frees what start-up left unreachable, so what is frozen is what is
alive at start, which lives as long as the process.
"""

import gc


def startup_objects_freeze() -> int:
    """Free what is unreachable now, then move every object left out of the collector's reach; return how many
    are frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
