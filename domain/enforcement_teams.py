"""Who carries out an enforcement inspection (执法检查): at least two inspectors (执法人员不得少于两人).

Its own module because both a random draw (双随机, ``domain.random_draws``) and an inspection record
(``domain.inspections``) apply it, and the inspection refers to its draw.
"""

from __future__ import annotations

TWO_INSPECTORS_BASIS = "行政处罚法 第42条 (执法人员不得少于两人)"
MIN_ENFORCEMENT_INSPECTORS = 2
"""行政处罚法 第42条: 执法人员不得少于两人."""
