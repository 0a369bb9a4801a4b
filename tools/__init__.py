"""Programs for people, not tests: the benchmarks, the Hugo twin, the Lighthouse report and the
site comparison CI runs. Some tests import them (tests/test_compare.py, test_hugo_twin.py,
test_lighthouse.py)."""
