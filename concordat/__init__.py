"""Concordat Plans: publish local Crisis Care Concordat action plans as an accessible static site.

The build is a pipeline, one module per stage:
load -> validate -> model -> routes -> render -> write -> index (with export beside render).
"""
