"""What the tests share: real servers to run against, containers on them, a fake clock,
a statement counter, a TCP proxy to cut. Fixtures live in the ``conftest`` files."""
