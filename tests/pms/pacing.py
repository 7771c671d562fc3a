"""An assertion about recorded call start times, shared by the budget tests."""


def assert_paced(starts: list[float], interval: float, slack: float = 0.1) -> None:
    """Assert that any k+1 recorded starts span at least k intervals (less slack).

    A start is recorded just after its slot is granted; `slack` bounds how late
    that can be on a busy machine, so the bound holds for every pair, and over
    many calls it proves the rate.
    """
    for i, early in enumerate(starts):
        for j in range(i + 1, len(starts)):
            assert starts[j] - early >= (j - i) * interval - slack, (i, j)
