"""The API example of the reproduce chapter prints exactly the output the page shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "reproduce.md"


def _block(text: str, name: str) -> str:
    match = re.search(
        r"```\{code-block\} \w+\n:name: " + re.escape(name) + r"\n\n(.*?)\n```", text, re.S
    )
    assert match, f"no code block named {name!r} in {PAGE.name}"
    return match.group(1)


def test_the_api_example_prints_what_the_page_shows():
    text = PAGE.read_text()
    code, shown = _block(text, "api-example"), _block(text, "api-example-output")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    # The report's numbers bind their parts with no-break spaces; the page's copy may not.
    printed = result.stdout.replace("\u00a0", " ").strip()
    assert printed == shown.replace("\u00a0", " ").strip()
    assert result.stderr == ""


def test_the_example_check_sees_a_changed_output():
    text = PAGE.read_text().replace("C_T = 14", "C_T = 15")
    assert _block(text, "api-example-output") != _block(PAGE.read_text(), "api-example-output")


def test_the_words_after_the_example_fit_its_output():
    # The page reads the output: the KDE is closer beyond doubt, yet its C_T is above the
    # over-dispersion limit, and far below the single Gaussian's.
    from densitylab.studies.claims import CT_LIMIT

    shown = _block(PAGE.read_text(), "api-example-output").replace("\u00a0", " ")
    ct = {
        name: float(value) for name, value in re.findall(r"^(\w+): .*C_T = ([\d.]+)$", shown, re.M)
    }
    assert CT_LIMIT < ct["GaussianKDE"] < ct["SingleGaussian"]
    assert re.search(r"p = \d\.\d × 10⁻[⁴⁵⁶⁷⁸⁹]", shown), "p below 10⁻³ ('beyond doubt')"
    text = PAGE.read_text()
    assert "over-dispersed" in text.split(":name: api-example-output")[1][:1200]


def test_the_contract_states_the_tolerances_the_code_applies():
    # The page types the tiers' tolerances; they must be the constants that
    # densitylab.reproducibility applies, so a change to one shows up in the other.
    from densitylab.reproducibility import GROUP_FALSE_FAILURE, RELATIVE_TOLERANCE

    text = PAGE.read_text().replace("\u00a0", " ").replace("\u202f", " ")
    for value in (GROUP_FALSE_FAILURE, RELATIVE_TOLERANCE):
        mantissa, exponent = f"{value:.0e}".split("e")
        superscript = str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
        shown = f"10{superscript}" if mantissa == "1" else f"{mantissa} × 10{superscript}"
        assert shown in text, f"the reproduce chapter does not state {value} ({shown})"
