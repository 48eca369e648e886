"""Settings every test shares: a fixed terminal width, so no output depends on the machine."""

from __future__ import annotations

import os

# Rich reads COLUMNS when a console is made, at import; the CLI's consoles must see this.
os.environ["COLUMNS"] = "200"
os.environ.pop("LINES", None)
