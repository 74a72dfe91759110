"""Stage 3, extract: the rule families (``families.py`` is their contract and registry) and the article facts."""
