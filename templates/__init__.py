"""The dashboard's Jinja templates; a package so that they ship inside the wheel."""
