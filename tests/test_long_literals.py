"""The scan for tables written in code (devtools/long_literals.py)."""

from devtools.long_literals import long_literals


def test_reports_the_outermost_literal_over_the_limit_only():
    rows = "".join(f"    {{'code': {n}, 'names': ['a', 'b']}},\n" for n in range(60))
    source = f"TABLE = [\n{rows}]\nSHORT = (1, 2, 3)\n"
    assert list(long_literals(source, 50)) == [(1, 62, "List")]
    assert list(long_literals(source, 62)) == []
