"""The bundled demo regency (see README.md here); a package so that it ships inside the wheel."""
