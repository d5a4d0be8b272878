"""The bureau's season: batch checking of a folder (batch, pool, results), the district plan and roster (plan),
the rollup against the plan's targets (rollup, industry) and their writers (summary_xlsx, rollup_xlsx, rollup_text).

The enterprise path (workbook → checks, engine, compute → report) knows nothing of this package.
"""
