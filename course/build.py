"""Build the course (``make course``)."""

import tensorslow_edu as ts

print(f"tensorslow_edu {ts.__version__} is installed in .venv; the course site is not written yet.")
