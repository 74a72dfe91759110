"""Stage 2, parse: GiNZA over the clean sentences, one Doc each, with an on-disk parse cache."""
