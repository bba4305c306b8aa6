"""Static files: content-hashed, compressed copies served by WhiteNoise.

`holdspace serve` runs collectstatic into the data folder, so pages link to names such as
``holdspace.3f2a1c.css`` that WhiteNoise serves with a year's cache and gzip/Brotli
copies. Before collection (the test suite, `manage.py` in a checkout) a page links to
the plain name and WhiteNoise finds the file in the package.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:  # not collected yet: the package's own file, by its plain name
            return name
