import concurrent.futures

import pytest

from system_under_test.clock import VirtualClock
from system_under_test.errors import ResourceLimitError
from system_under_test.resources import ResourceManager, ResourceType


def test_component_limit_refuses_and_allocates_nothing():
    rm = ResourceManager(VirtualClock())
    rm.register("dsp", {ResourceType.BUFFERS: 4})
    rm.allocate("dsp", ResourceType.BUFFERS, 3)
    with pytest.raises(ResourceLimitError, match="limit is 4"):
        rm.allocate("dsp", ResourceType.BUFFERS, 2)
    assert rm.usage("dsp") == {ResourceType.BUFFERS: 3}
    assert rm.refused == 1


def test_global_limit_applies_across_components():
    rm = ResourceManager(VirtualClock(), {ResourceType.STREAMS: 2})
    rm.allocate("a", ResourceType.STREAMS)
    rm.allocate("b", ResourceType.STREAMS)
    with pytest.raises(ResourceLimitError, match="global limit is 2"):
        rm.allocate("c", ResourceType.STREAMS)
    assert rm.usage() == {ResourceType.STREAMS: 2}


def test_release_is_idempotent_and_cleanup_is_verified():
    clock = VirtualClock()
    rm = ResourceManager(clock)
    a = rm.allocate("x", ResourceType.BYTES, 100, "scratch")
    clock.advance(2)
    assert not rm.is_cleaned_up("x")
    leak = rm.leak_report()
    assert leak[0]["tag"] == "scratch" and leak[0]["age_s"] == 2
    assert rm.release(a) is True
    assert rm.release(a) is False
    assert rm.is_cleaned_up("x") and rm.leak_report() == []


def test_seed_validation_allocations_within_limits_and_cleaned_up():
    """Seed document validation step 2, with a real thread pool hammering the limits."""
    rm = ResourceManager(VirtualClock(), {ResourceType.BUFFERS: 50})
    comps = [f"c{i}" for i in range(8)]
    for c in comps:
        rm.register(c, {ResourceType.BUFFERS: 10})

    def worker(c):
        held = []
        for i in range(200):
            try:
                held.append(rm.allocate(c, ResourceType.BUFFERS, 1 + i % 3))
            except ResourceLimitError:
                if held:  # refused by the global limit while holding nothing is fine too
                    rm.release(held.pop(0))
            assert rm.get_allocation(c).within_limits()
        return held

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        helds = dict(zip(comps, ex.map(worker, comps)))
    assert rm.within_limits()
    assert rm.peak()[ResourceType.BUFFERS] <= 50
    for c, held in helds.items():
        for a in held:
            rm.release(a)
        assert rm.is_cleaned_up(c)


def test_a_resource_type_given_by_its_value_is_the_member_and_an_unknown_one_is_refused():
    rm = ResourceManager(VirtualClock())
    by_value = rm.allocate("dsp", "buffers", 2)
    by_member = rm.allocate("dsp", ResourceType.BUFFERS, 1)
    assert by_value.rtype is ResourceType.BUFFERS and by_member.rtype is ResourceType.BUFFERS
    assert rm.usage("dsp") == {ResourceType.BUFFERS: 3}
    with pytest.raises(ValueError):
        rm.allocate("dsp", "bananas", 1)
    assert rm.usage("dsp") == {ResourceType.BUFFERS: 3}
