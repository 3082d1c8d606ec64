from __future__ import annotations

import subprocess
import sys


def test_importing_the_text_layout_does_not_import_pygame() -> None:
    code = (
        "import sys, kiosk.text, kiosk.text.linebreak, kiosk.text.paragraphs, "
        "kiosk.text.paginate, kiosk.text.autofit, kiosk.text.measure; "
        "print('pygame' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
