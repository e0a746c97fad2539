import gc
import weakref


def test_the_objects_made_at_start_are_frozen():
    assert gc.get_freeze_count() > 10_000


def test_garbage_made_since_is_still_collected():
    class Node:
        pass

    first, second = Node(), Node()
    first.other, second.other = second, first  # a cycle: only the collector frees it
    gone = weakref.ref(first)
    del first, second

    gc.collect()

    assert gone() is None


def test_garbage_left_at_start_is_freed_not_frozen():
    from ops.heap import startup_objects_freeze

    class Node:
        pass

    first, second = Node(), Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second

    startup_objects_freeze()

    assert gone() is None
