"""The report system: a site of reports and playlists (beside :mod:`..web`)."""
