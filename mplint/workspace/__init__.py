"""The workspace: which files a run checks and the configuration that applies to each.

Configuration files (``pyproject.toml``, ``mplint.toml``) and their ``extend`` chains, the options
given on the command line, the rule selection they resolve to, excludes, globs, ``.gitignore`` and
the walk that discovers files. The modules import each other, so they live together; the rules and
the analysis do not depend on them.
"""
